// The cart panel shared by the till and the self-service screen: the lines
// with − / quantity / + / remove (a weighed line shows its weight instead),
// what each line's promotion and discount took off, the units given free,
// the sale's own discount, the VAT contained and the total. The cart itself
// lives on the server; these functions only draw it (the rows of cartrows.js,
// as the receipt prints them) and turn taps into cart.* messages. Only the
// till discounts: its panel has the discount buttons, the self-service
// screen's has none.

import { cartRows, lineRows } from './cartrows.js';
import { formatVND } from './format.js';
import { getLang, productName, t, unitName } from './i18n.js';
import { formatKg } from './scale.js';
import { flash, h, setChildren } from './ui.js';

// lineKey is what a change of a line shows as: its quantity and weight.
const lineKey = (l) => `${l.qty}/${l.weight_g || 0}`;

// A line is a product, or a product of one lot (a scanned label's): lineRef
// is what a cart message names it by, sameLine finds it again.
export const lineRef = (l) => (l.lot ? { sku: l.sku, lot: l.lot } : { sku: l.sku });
export const sameLine = (l, sku, lot) => l.sku === sku && (l.lot || '') === (lot || '');
const lineId = (l) => `${l.sku}\u0000${l.lot || ''}`;

// lotRow names a line's lot and the serials scanned into it.
function lotRow(l) {
  const serials = l.serials || [];
  return h('small', { class: 'l-lot', testid: 'line-lot', dataset: { lot: l.lot, serials: serials.join(' ') } },
    t('cart.lot', { lot: l.lot }), serials.length ? ` · ${t('cart.serials', { serials: serials.join(', ') })}` : '');
}

// offRow is one thing taken off a line (or the free units), under it.
function offRow(o) {
  return h('li', { class: `l-off l-off-${o.kind}`, testid: `line-${o.kind}`, dataset: { amount: String(o.amount) } },
    h('span', {}, o.label), ' ', h('span', { class: 'num' }, formatVND(-o.amount)));
}

function freeRow(f) {
  return h('li', { class: 'l-off l-off-free', testid: 'line-free', dataset: { qty: String(f.qty) } },
    h('span', {}, h('strong', {}, f.label), ' ', h('small', {}, f.promotion)), ' ',
    h('span', { class: 'num' }, h('s', {}, formatVND(f.value)), ' ', formatVND(0)));
}

// renderCart draws cart into the panel's elements ({lines, empty, count, vat,
// total, sums?}); before is the previous cart, to flash the line that
// changed. opts.discounts adds the till's discount buttons, opts.weigh the
// till's weigh-again button on weighed lines.
export function renderCart(els, cart, before = null, opts = {}) {
  const c = cart || { lines: [], total: 0, count: 0, vat: [] };
  const lang = getLang();
  const lines = c.lines || [];
  const old = new Map(((before && before.lines) || []).map((l) => [lineId(l), lineKey(l)]));
  let changed = null;
  setChildren(els.lines, lines.map((l) => {
    const name = productName(l);
    const ids = { sku: l.sku, lot: l.lot || '' };
    const rows = lineRows(c, l, lang);
    const controls = rows.weighed
      ? h('button', {
        type: 'button', class: 'qval qweight', testid: 'line-weight', disabled: !opts.weigh,
        'aria-label': opts.weigh ? `${t('cart.weigh_again')}: ${name}` : null, dataset: { act: 'weigh', ...ids },
      }, formatKg(l.weight_g || 0, lang))
      : [
        h('button', { type: 'button', class: 'qbtn', testid: 'qty-minus', 'aria-label': `${t('cart.minus')}: ${name}`, dataset: { act: 'minus', ...ids } }, '−'),
        h('button', { type: 'button', class: 'qval', testid: 'qty', 'aria-label': `${t('cart.qty')}: ${l.qty}`, dataset: { act: 'qty', ...ids } }, String(l.qty)),
        h('button', { type: 'button', class: 'qbtn', testid: 'qty-plus', 'aria-label': `${t('cart.plus')}: ${name}`, dataset: { act: 'plus', ...ids } }, '+'),
      ];
    const offs = [...rows.offs.map(offRow), rows.free ? freeRow(rows.free) : null].filter(Boolean);
    const li = h('li', {
      class: `line${rows.weighed ? ' weighed' : ''}${rows.needsPin ? ' needs-pin' : ''}`,
      testid: 'cart-line',
      dataset: { sku: l.sku, lot: l.lot || '', qty: String(l.qty), weight: String(l.weight_g || 0), gross: String(l.gross || 0), total: String(l.total || 0), free: String(l.free_qty || 0) },
    },
    h('div', { class: 'l-name' },
      h('span', { class: 'l-title' }, name),
      h('small', { testid: 'line-amounts' }, rows.weighed ? rows.amounts : `${formatVND(l.price)}${l.unit ? ` / ${unitName(l.unit)}` : ''}`),
      l.lot ? lotRow(l) : null),
    h('div', { class: 'l-qty' }, controls,
      opts.discounts
        ? h('button', { type: 'button', class: 'qbtn qdisc', testid: 'line-discount-open', 'aria-label': `${t('cart.discount_open')}: ${name}`, dataset: { act: 'discount', ...ids } }, '%')
        : null),
    h('strong', { class: 'l-total' }, formatVND(rows.gross)),
    h('button', { type: 'button', class: 'l-remove', testid: 'line-remove', 'aria-label': `${t('cart.remove')}: ${name}`, dataset: { act: 'remove', ...ids } }, '×'),
    offs.length || rows.needsPin
      ? h('ul', { class: 'l-offs' }, offs,
        rows.needsPin ? h('li', { class: 'l-off l-needs-pin', testid: 'line-needs-pin' }, h('span', {}, t('cart.needs_pin'))) : null)
      : null);
    if (before && old.get(lineId(l)) !== lineKey(l)) changed = li;
    return li;
  }));
  if (changed) {
    changed.scrollIntoView({ block: 'nearest' });
    flash(changed);
  }
  els.empty.hidden = lines.length > 0;
  els.count.textContent = lines.length ? t('cart.items', { n: c.count ?? lines.length }) : '';
  if (els.sums) {
    const { rows } = cartRows(c, lang);
    setChildren(els.sums, rows.map((r) => [
      h('dt', { class: `sum-${r.kind}`, testid: `sum-${r.kind}-label` }, r.label, r.needsPin ? [' · ', h('strong', { class: 'needs-pin' }, t('cart.needs_pin'))] : null),
      h('dd', { class: `sum-${r.kind}`, testid: `sum-${r.kind}`, dataset: { amount: String(r.amount) } }, formatVND(r.amount)),
    ]));
    els.sums.hidden = rows.length === 0;
  }
  if (els.error) {
    els.error.hidden = !c.error;
    els.error.textContent = c.error ? t('cart.not_priced') : '';
  }
  setChildren(els.vat, (c.vat || []).filter((v) => v.vat > 0).map((v) => [
    h('dt', {}, t('cart.vat', { rate: v.rate })), h('dd', {}, formatVND(v.vat)),
  ]));
  els.total.textContent = formatVND(c.total || 0);
  els.total.dataset.total = String(c.total || 0);
}

// wireCart turns taps on the lines into messages: send(msg) sends one,
// cart() reads the current cart, onQty(line) opens a quantity editor,
// onDiscount(line) the till's discount dialog, onWeigh(line) weighs a
// weighed line again.
export function wireCart(listEl, { send, cart, onQty, onDiscount, onWeigh }) {
  listEl.addEventListener('click', (e) => {
    const btn = e.target.closest('button[data-act]');
    if (!btn) return;
    const line = ((cart() && cart().lines) || []).find((l) => sameLine(l, btn.dataset.sku, btn.dataset.lot));
    if (!line) return;
    switch (btn.dataset.act) {
      case 'plus':
        send({ type: 'cart.set', ...lineRef(line), qty: line.qty + 1 });
        break;
      case 'minus':
        send({ type: 'cart.set', ...lineRef(line), qty: line.qty - 1 });
        break;
      case 'remove':
        send({ type: 'cart.remove', ...lineRef(line) });
        break;
      case 'qty':
        if (onQty) onQty(line);
        break;
      case 'discount':
        if (onDiscount) onDiscount(line);
        break;
      case 'weigh':
        if (onWeigh) onWeigh(line);
        break;
      default:
        break;
    }
  });
}
