// The buyer block of an invoice as the till sends it and says what is wrong
// with it (buyer.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buyerErrorText, buyerRequest, buyerSummary } from '../static/js/buyer.js';

test('a buyer nobody typed is no buyer: the invoice names none', () => {
  assert.equal(buyerRequest({}), null);
  assert.equal(buyerRequest({ name: '  ', tax_code: '', email: ' ' }), null);
  assert.equal(buyerRequest(null), null);
});

test('the fields typed are sent trimmed, numbers without their spaces and dots', () => {
  assert.deepEqual(buyerRequest({ name: ' Công ty A ', tax_code: '0100 109 106', id_no: '079.093.001.234', phone: '0912 345 678', email: '' }),
    { name: 'Công ty A', tax_code: '0100109106', id_no: '079093001234', phone: '0912345678' });
  assert.deepEqual(buyerRequest({ tax_code: '0100109106-001' }), { tax_code: '0100109106-001' });
});

test('the checkout button names the buyer by name, else by what was given', () => {
  assert.equal(buyerSummary(null), '');
  assert.equal(buyerSummary({ name: 'Công ty A', tax_code: '0100109106' }), 'Công ty A');
  assert.equal(buyerSummary({ phone: '0912345678' }), '0912345678');
});

test('bad_buyer is said in words for the field the kiosk named, in either language', () => {
  const m = { code: 'bad_buyer', message: 'bad buyer: buyer.tax_code: …', details: { field: 'buyer.tax_code' } };
  assert.match(buyerErrorText(m, 'vi'), /Mã số thuế không đúng/);
  assert.match(buyerErrorText(m, 'en'), /tax code is wrong/);
  assert.match(buyerErrorText({ ...m, details: { field: 'buyer.phone' } }, 'vi'), /Số điện thoại/);
  assert.match(buyerErrorText({ ...m, details: { field: 'buyer.id_no' } }, 'en'), /12 digits/);
  assert.match(buyerErrorText({ code: 'bad_buyer', message: 'x' }, 'en'), /buyer details are not valid/);
});
