// Money, numbers and dates as the kiosk shows them. Pure: no DOM.
//
// Vietnamese prices are whole đồng with a dot every three digits, a space and
// the ₫ sign: 125.000 ₫. Intl.NumberFormat('vi-VN') gives a no-break space and
// varies between engines, so the kiosk formats by hand.

// formatNumber writes an integer with dots between groups of three: 1.250.000.
export function formatNumber(n) {
  const v = Math.round(Number(n) || 0);
  const sign = v < 0 ? '-' : '';
  const digits = String(Math.abs(v));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += '.';
    out += digits[i];
  }
  return sign + out;
}

// formatVND writes an amount of đồng: 125.000 ₫ (a plain space before ₫).
export function formatVND(n) {
  return `${formatNumber(n)} ₫`;
}

// parseAmount reads what a vendor types for an amount: "125000", "125.000",
// "125.000 ₫", "125k" (thousands). It answers a whole number of đồng, or NaN.
export function parseAmount(text) {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : NaN;
  let s = String(text ?? '').trim().toLowerCase().replace(/[₫đ\s]/g, '').replace(/vnd$/, '');
  let factor = 1;
  if (s.endsWith('k')) {
    factor = 1000;
    s = s.slice(0, -1);
  }
  if (s === '' || !/^[0-9][0-9.,]*$/.test(s)) return NaN;
  // Dots and commas are thousands separators in đồng; there are no decimals.
  const v = Number(s.replace(/[.,]/g, '')) * factor;
  return Number.isSafeInteger(v) ? v : NaN;
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

// Times are shown in Vietnam time (UTC+7, no daylight saving), as receipts and
// the hub show them, whatever zone the browser or the kiosk machine is set
// to: a manager page on a machine left in UTC must not show 18:55 for a sale
// whose receipt says 01:55 the next day.
export const VIETNAM_OFFSET_MIN = 7 * 60;

// vnParts reads an instant as a Vietnamese wall clock: {y, m, d, hh, mm}, or
// null when it is not a time.
export function vnParts(v) {
  const t = v instanceof Date ? v.getTime() : new Date(v).getTime();
  if (Number.isNaN(t)) return null;
  const d = new Date(t + VIETNAM_OFFSET_MIN * 60000);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes() };
}

// formatDate writes a date as Vietnam does, day first: 17/05/2027. It takes
// YYYY-MM-DD (a calendar day, shown as it is), an RFC 3339 time or a Date (its
// day in Vietnam); an empty value gives ''.
export function formatDate(v) {
  if (!v) return '';
  if (typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  }
  const p = vnParts(v);
  if (!p) return String(v);
  return `${pad2(p.d)}/${pad2(p.m)}/${p.y}`;
}

// formatTime writes the time of day in Vietnam: 14:05.
export function formatTime(v) {
  const p = vnParts(v);
  return p ? `${pad2(p.hh)}:${pad2(p.mm)}` : '';
}

// formatDateTime writes 17/05/2027 14:05, Vietnam time.
export function formatDateTime(v) {
  const p = vnParts(v);
  return p ? `${formatDate(v)} ${formatTime(v)}` : '';
}

// isoDay gives the calendar day in Vietnam of d (now by default) as
// YYYY-MM-DD: "today" on every screen is today in Vietnam.
export function isoDay(d = new Date()) {
  const p = vnParts(d);
  return p ? `${p.y}-${pad2(p.m)}-${pad2(p.d)}` : '';
}

// dayStart is the first instant of a Vietnamese calendar day (YYYY-MM-DD), as
// an RFC 3339 time with its offset, for ?since= and other filters.
export function dayStart(day) {
  return `${day}T00:00:00+07:00`;
}

// parseDay reads a date as people here write it, day first — 15/05/2026,
// 15-5-2026, 15.05.26, 15052026 — or as YYYY-MM-DD, and answers YYYY-MM-DD;
// '' for an empty field, null when it is not a real date. (A browser's own date
// field shows the browser's locale, often month first: 05/01 would be read
// both ways.)
export function parseDay(text) {
  const s = String(text ?? '').trim();
  if (s === '') return '';
  let y;
  let m;
  let d;
  let r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (r) [, y, m, d] = r;
  else if ((r = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})$/.exec(s))) [, d, m, y] = r;
  else if ((r = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) [, d, m, y] = r;
  else return null;
  y = Number(y.length === 2 ? `20${y}` : y);
  m = Number(m);
  d = Number(d);
  const t = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

// initials takes up to two letters from a product name for its placeholder
// picture, skipping words that are only sizes ("500ml", "200g").
export function initials(name) {
  const words = String(name || '').split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  const letters = words.slice(0, 2).map((w) => w[0].toLocaleUpperCase('vi'));
  return letters.join('') || '?';
}

// cashChange works out the change for a cash tender: {change, short}, where
// short is how much is still missing (0 when the tender covers the total).
export function cashChange(total, tendered) {
  const t = Number.isFinite(tendered) ? tendered : 0;
  return t >= total ? { change: t - total, short: 0 } : { change: 0, short: total - t };
}

// splitRemaining is what a split payment still has to cover.
export function splitRemaining(total, payments) {
  return total - payments.reduce((sum, p) => sum + (Number.isFinite(p.amount) ? p.amount : 0), 0);
}

// Cash suggestions: besides the exact amount, the round amounts a customer is
// likely to hand over for total. The total is rounded up to the next multiple
// of each Vietnamese note from 10.000 ₫ (and of 1, 2, 5 and 10 million), but
// only of notes at least a twentieth of the total (and 10 million always) —
// nobody pays 724.000 ₫ with 730.000 ₫ — and the three smallest amounts above the total are kept; the
// next multiple of 500.000 ₫, the largest note, is always offered too.
// 724.000 → 750.000, 800.000, 1.000.000; 18.000 → 20.000, 50.000, 100.000,
// 500.000.
export const CASH_STEPS = [10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000];

export function cashSuggestions(total) {
  const t = Number(total);
  if (!Number.isSafeInteger(t) || t <= 0) return [];
  const round = new Set();
  for (const step of CASH_STEPS) {
    if (step * 20 < t && step !== CASH_STEPS[CASH_STEPS.length - 1]) continue;
    const v = Math.ceil(t / step) * step;
    if (v > t) round.add(v);
  }
  const out = [...round].sort((a, b) => a - b).slice(0, 3);
  const big = Math.ceil(t / 500000) * 500000;
  if (big > t && !out.includes(big)) out.push(big);
  return out.sort((a, b) => a - b);
}
