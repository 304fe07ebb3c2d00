// What the screens show of a priced cart (the `cart` of web/PROTOCOL.md), laid
// out as the receipt prints it: each line at its worth — a weighed line as
// "1,235 kg × 350.000 ₫/kg" — with what its promotion and the till's discount
// took off under it, and the units a promotion gives free as a line of their
// own at 0 ₫; under the lines the subtotal and the sale's own discount when
// it has one, everything taken off, the total. Pure (no DOM): the till, the
// self-service screen and the customer display draw the same rows.

import { formatVND } from './format.js';
import { percentText, requestPercent } from './discount.js';
import { t, unitName } from './i18n.js';
import { formatKg } from './scale.js';

// weighed tells a line of goods sold by weight (its qty is 1, weight_g its
// grams, price per kg).
export function weighed(line) {
  return Boolean(line && (line.sold_by === 'weight' || line.weight_g));
}

// promotionName is an applied promotion's name in lang: the cart's
// promotions list carries the English name, a line only the Vietnamese.
export function promotionName(cart, line, lang) {
  const p = ((cart && cart.promotions) || []).find((x) => x.id === line.promotion);
  if (lang === 'en' && p && p.name_en) return p.name_en;
  return line.promotion_name || (p && p.name) || line.promotion || '';
}

// discountLabel names a till's discount: "Giảm giá 10 %: khách quen",
// "Giảm giá: khách quen", "Giảm giá".
export function discountLabel(req, reason, lang) {
  const pct = requestPercent(req);
  const what = pct === null ? t('cart.discount', {}, lang) : t('cart.discount_pct', { percent: percentText(pct, lang) }, lang);
  return reason ? t('cart.reason', { what, reason }, lang) : what;
}

// amountsText is a line's quantity (or weight) at its price: "2 × 220.000 ₫",
// "1,235 kg × 350.000 ₫/kg".
export function amountsText(line, lang) {
  if (weighed(line)) return `${formatKg(line.weight_g || 0, lang)} × ${t('cart.per_kg', { price: formatVND(line.price) }, lang)}`;
  return `${line.qty - (line.free_qty || 0)} × ${formatVND(line.price)}`;
}

// lineRows is what a cart line shows: its amounts and worth (gross), what
// was taken off it ({kind, label, amount}, amounts in đồng, positive), the
// units given free ({qty, label, value}) and whether a discount on it waits
// for the manager's PIN.
export function lineRows(cart, line, lang) {
  const offs = [];
  const promo = (line.discount || 0) - (line.line_discount || 0) - (line.sale_discount || 0);
  if (line.promotion && promo > 0) {
    offs.push({ kind: 'promotion', label: t('cart.promotion', { name: promotionName(cart, line, lang) }, lang), amount: promo });
  }
  if (line.line_discount > 0 || line.discount_request) {
    offs.push({ kind: 'discount', label: discountLabel(line.discount_request, line.discount_reason, lang), amount: line.line_discount || 0 });
  }
  let free = null;
  if (line.free_qty > 0) {
    const unit = unitName(line.unit || '', lang);
    free = {
      qty: line.free_qty,
      value: line.price * line.free_qty,
      label: t('cart.free', { n: line.free_qty, unit }, lang).trim(),
      promotion: t('cart.promotion', { name: promotionName(cart, line, lang) }, lang),
    };
  }
  return { weighed: weighed(line), amounts: amountsText(line, lang), gross: line.gross || 0, offs, free, needsPin: Boolean(line.needs_pin) };
}

// cartRows is what shows under the lines: with a discount on the whole sale,
// the subtotal (the lines after their own discounts) and that discount;
// everything taken off (promotions, the lines' and the sale's discounts — the
// receipt's "Tổng giảm giá"); the total.
export function cartRows(cart, lang) {
  const c = cart || {};
  const rows = [];
  if (c.sale_discount > 0 || c.discount_request) {
    rows.push({ kind: 'subtotal', label: t('cart.subtotal', {}, lang), amount: (c.total || 0) + (c.sale_discount || 0) });
    const pct = requestPercent(c.discount_request);
    let label = t('cart.sale_discount', {}, lang);
    if (pct !== null) label += ` ${percentText(pct, lang)} %`;
    if (c.discount_reason) label = t('cart.reason', { what: label, reason: c.discount_reason }, lang);
    rows.push({
      kind: 'sale_discount',
      label,
      amount: -(c.sale_discount || 0),
      needsPin: Boolean(c.needs_pin),
    });
  }
  if (c.discount > 0) rows.push({ kind: 'saved', label: t('cart.saved', {}, lang), amount: -c.discount });
  return { rows, total: c.total || 0 };
}

// customerSaves is what the customer saves on the cart: everything taken
// off (promotions, the till's discounts) and the worth of the units given
// free — what the customer display tells.
export function customerSaves(cart) {
  if (!cart) return 0;
  const promos = (cart.promotions || []).reduce((s, p) => s + (p.saved || 0), 0);
  const promoOff = (cart.lines || []).reduce((s, l) => s + ((l.discount || 0) - (l.line_discount || 0) - (l.sale_discount || 0)), 0);
  return promos + (cart.discount || 0) - promoOff;
}
