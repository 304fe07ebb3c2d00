// A till's manual discount, worked out as the kiosk works it (pos/discount.go,
// README "How a sale is settled"): a percentage with at most two decimals,
// rounded half up to the đồng once where it is taken, or an amount in đồng
// that may not exceed what it is taken from. Pure: no DOM. The dialog that
// uses it is discountdialog.js; the kiosk prices the cart again and is the
// judge — this only lets the vendor see the figure before sending it.

// The quick picks a vendor reaches for: the usual percentages, and amounts
// that take the odd đồng off ("bớt lẻ").
export const QUICK_PERCENTS = [5, 10, 15, 20];
export const QUICK_AMOUNTS = [5000, 10000, 20000, 50000];
const ROUND_STEPS = [1000, 10000];

// parsePercent reads what a vendor types for a percentage: "10", "12.5",
// "12,5" (the Vietnamese decimal comma), "7.25 %". It answers hundredths of
// a percent (1250 for 12.5 %) or NaN: 0 to 100, at most two decimals.
export function parsePercent(text) {
  const s = String(text ?? '').trim().replace(/\s*%$/, '').replace(',', '.');
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return NaN;
  const p = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  return p <= 10000 ? p : NaN;
}

// percentText writes hundredths of a percent as people write a percentage:
// 1250 → "12,5" in Vietnamese, "12.5" in English; 1000 → "10".
export function percentText(hundredths, lang = 'vi') {
  const whole = Math.trunc(hundredths / 100);
  const frac = String(Math.abs(hundredths % 100)).padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}${lang === 'en' ? '.' : ','}${frac}` : String(whole);
}

// requestPercent reads the percentage of a discount as the kiosk sends it
// back ({percent: 12.5}) in hundredths, or null for an amount.
export function requestPercent(req) {
  if (!req || req.percent === undefined || req.percent === null) return null;
  return Math.round(Number(req.percent) * 100);
}

// discountRequest is the `discount` of a cart.discount message: {percent}
// from hundredths of a percent, or {amount} in đồng.
export function discountRequest(mode, value) {
  return mode === 'percent' ? { percent: value / 100 } : { amount: value };
}

// discountOff is the đồng a discount takes off base, as the kiosk rounds it
// (half up, exact in integers), or NaN when it cannot be given: a bad value,
// or an amount above base.
export function discountOff(base, mode, value) {
  if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(value) || value < 0) return NaN;
  if (mode === 'percent') {
    if (value > 10000) return NaN;
    return Number((BigInt(base) * BigInt(value) + 5000n) / 10000n);
  }
  return value <= base ? value : NaN;
}

// roundDowns are the amounts that take the odd đồng off total, to the
// thousand and to ten thousand (724.500 → 500 off to 724.000, 4.500 off to
// 720.000), each with the total it leaves; none when total is round.
export function roundDowns(total) {
  const out = [];
  if (!Number.isSafeInteger(total) || total <= 0) return out;
  for (const step of ROUND_STEPS) {
    const off = total % step;
    if (off > 0 && total - off > 0 && !out.some((r) => r.off === off)) out.push({ off, left: total - off });
  }
  return out;
}

// lineBase is what a cart line's own discount is taken from: the line after
// its promotion (what the kiosk calls the line's base).
export function lineBase(line) {
  if (!line) return 0;
  const promo = (line.discount || 0) - (line.line_discount || 0) - (line.sale_discount || 0);
  return (line.gross || 0) - promo;
}

// saleBase is what the cart's own discount is taken from: the lines after
// their own promotions and discounts.
export function saleBase(cart) {
  if (!cart) return 0;
  return (cart.total || 0) + (cart.sale_discount || 0);
}
