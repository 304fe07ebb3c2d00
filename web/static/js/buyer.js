// The buyer block of an invoice, which the buyer asks for (name, MST or CCCD
// or phone, address, e-mail; all optional). Pure: no DOM, so
// web/jstest/buyer.test.js checks it. The kiosk checks every field again and
// answers bad_buyer naming the field (details.field: buyer.tax_code…).

import { errorText, t } from './i18n.js';

export const BUYER_FIELDS = ['name', 'tax_code', 'id_no', 'phone', 'address', 'email'];

// buyerRequest is the `buyer` a sale or checkout sends: the fields typed,
// trimmed, the empty ones left out; null when nothing was typed (no buyer
// block: the invoice names none).
export function buyerRequest(fields) {
  const out = {};
  for (const f of BUYER_FIELDS) {
    const v = String((fields && fields[f]) || '').trim();
    if (v) out[f] = f === 'tax_code' || f === 'id_no' || f === 'phone' ? v.replace(/[\s.]/g, '') : v;
  }
  return Object.keys(out).length ? out : null;
}

// buyerSummary is how the checkout button names the buyer set: the name, or
// the first thing given.
export function buyerSummary(buyer) {
  if (!buyer) return '';
  return buyer.name || buyer.tax_code || buyer.id_no || buyer.phone || buyer.email || buyer.address || '';
}

// buyerErrorText says what is wrong with the buyer in words: the field the
// kiosk named (details.field), else the general words.
export function buyerErrorText(m, lang) {
  const field = String((m && m.details && m.details.field) || '').replace(/^buyer\./, '');
  if (field && BUYER_FIELDS.includes(field)) return t(`err.bad_buyer.${field}`, {}, lang);
  return errorText('bad_buyer', m && m.message, lang);
}
