// Promotions as the manager page shows and edits them (README "Discounts,
// promotions and weighed goods"): what a promotion offers in words, when it
// runs (a fair's days and hours, Vietnam time) and whether it runs now, and
// the body of POST / PUT /api/v1/promotions made from the form's fields.
// Pure: no DOM (mgrpromos.js draws the tab).

import { parsePercent, percentText } from './discount.js';
import { formatDate, formatVND, parseAmount, parseDay, vnParts } from './format.js';
import { t } from './i18n.js';

export const KINDS = ['percent', 'amount', 'buy_get', 'bundle'];
export const SCOPES = ['sku', 'producer', 'group'];
export const BEARERS = ['producer', 'booth'];

// The fields each kind takes; a field of another kind is refused by the
// kiosk (a percentage on a bundle would be read as meant), so none is sent.
const KIND_FIELDS = {
  percent: ['percent'],
  amount: ['amount'],
  buy_get: ['buy', 'get'],
  bundle: ['bundle_qty', 'bundle_price'],
};

// promoSummary is what a promotion offers: "Giảm 10 %", "Mua 2 tặng 1",
// "3 đơn vị giá 300.000 ₫".
export function promoSummary(p, lang) {
  switch (p.kind) {
    case 'percent':
      return t('promo.sum.percent', { percent: percentText(Math.round(Number(p.percent) * 100), lang) }, lang);
    case 'amount':
      return t('promo.sum.amount', { amount: formatVND(p.amount) }, lang);
    case 'buy_get':
      return t('promo.sum.buy_get', { buy: p.buy, get: p.get }, lang);
    case 'bundle':
      return t('promo.sum.bundle', { qty: p.bundle_qty, price: formatVND(p.bundle_price) }, lang);
    default:
      return p.kind || '';
  }
}

// hoursOf reads "HH:MM-HH:MM" as minutes of the day, or null.
export function hoursOf(s) {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(String(s || ''));
  if (!m) return null;
  return { from: Number(m[1]) * 60 + Number(m[2]), to: Number(m[3]) * 60 + Number(m[4]) };
}

// promoWhen is when a promotion runs: its days (day first, as Vietnam writes
// dates) and its daily hours, or "Luôn luôn".
export function promoWhen(p, lang) {
  const parts = [];
  if (p.from && p.to) parts.push(t('promo.days', { from: formatDate(p.from), to: formatDate(p.to) }, lang));
  else if (p.from) parts.push(t('promo.since', { from: formatDate(p.from) }, lang));
  else if (p.to) parts.push(t('promo.until', { to: formatDate(p.to) }, lang));
  if (p.hours) {
    const [from, to] = p.hours.split('-');
    parts.push(t('promo.hours', { from, to }, lang));
  }
  return parts.length ? parts.join(' · ') : t('promo.always', {}, lang);
}

// promoState tells whether a promotion runs at now, in Vietnam time as the
// kiosk decides it: 'running', 'later' (its first day or today's hours are
// still to come) or 'ended' (its last day is past).
export function promoState(p, now = new Date()) {
  const v = vnParts(now);
  const pad = (n) => String(n).padStart(2, '0');
  const today = `${v.y}-${pad(v.m)}-${pad(v.d)}`;
  if (p.to && today > p.to) return 'ended';
  if (p.from && today < p.from) return 'later';
  const h = hoursOf(p.hours);
  if (!h) return 'running';
  const minute = v.hh * 60 + v.mm;
  const inside = h.from < h.to ? minute >= h.from && minute < h.to : minute >= h.from || minute < h.to;
  if (inside) return 'running';
  // Outside today's hours: on the last day, once they are over, it is over.
  if (p.to && today === p.to && h.from < h.to && minute >= h.to) return 'ended';
  return 'later';
}

// formOf is a promotion as the form's fields: text the manager edits.
export function formOf(p = {}) {
  const [hoursFrom = '', hoursTo = ''] = p.hours ? p.hours.split('-') : [];
  return {
    id: p.id || '',
    name: p.name || '',
    name_en: p.name_en || '',
    kind: p.kind || 'percent',
    percent: p.kind === 'percent' ? String(p.percent ?? '') : '',
    amount: p.kind === 'amount' ? String(p.amount ?? '') : '',
    buy: p.kind === 'buy_get' ? String(p.buy ?? '') : '2',
    get: p.kind === 'buy_get' ? String(p.get ?? '') : '1',
    bundle_qty: p.kind === 'bundle' ? String(p.bundle_qty ?? '') : '',
    bundle_price: p.kind === 'bundle' ? String(p.bundle_price ?? '') : '',
    scope: p.scope || 'sku',
    target: p.target || '',
    from: p.from ? formatDate(p.from) : '',
    to: p.to ? formatDate(p.to) : '',
    hours_from: hoursFrom,
    hours_to: hoursTo,
    bearer: p.bearer || 'producer',
    version: p.version || 0,
  };
}

const wholeNumber = (s) => (/^\d{1,7}$/.test(String(s).trim()) ? Number(String(s).trim()) : NaN);

// promoBody turns the form's fields into the body of POST (create) or PUT
// /api/v1/promotions: {body}, or {error, field} naming the field that is not
// right (a dictionary key for the message). Fields left empty are left out;
// the kiosk checks the rest (bad_promotion) and answers with its reason.
export function promoBody(f, { create = false } = {}) {
  const body = { name: f.name.trim(), kind: f.kind, scope: f.scope, target: f.target.trim(), bearer: f.bearer };
  if (create && f.id.trim()) body.id = f.id.trim();
  if (f.name_en.trim()) body.name_en = f.name_en.trim();
  if (!body.target) return { error: 'promo.need_target', field: 'target' };
  for (const field of KIND_FIELDS[f.kind] || []) {
    let v;
    if (field === 'percent') {
      const p = parsePercent(f.percent);
      v = Number.isFinite(p) && p > 0 ? p / 100 : NaN;
    } else if (field === 'amount' || field === 'bundle_price') {
      v = parseAmount(f[field]);
    } else {
      v = wholeNumber(f[field]);
    }
    if (!Number.isFinite(v) || v <= 0) return { error: 'promo.bad_number', field };
    body[field] = v;
  }
  for (const field of ['from', 'to']) {
    const day = parseDay(f[field]);
    if (day === null) return { error: 'lots.bad_date', field };
    if (day) body[field] = day;
  }
  const hf = f.hours_from.trim();
  const ht = f.hours_to.trim();
  if (hf || ht) {
    const hours = `${hf.padStart(5, '0')}-${ht.padStart(5, '0')}`;
    const h = hoursOf(hours);
    if (!h || h.from === h.to) return { error: 'promo.bad_hours', field: hf ? 'hours_to' : 'hours_from' };
    body.hours = hours;
  }
  if (!create && f.version) body.version = f.version;
  return { body };
}
