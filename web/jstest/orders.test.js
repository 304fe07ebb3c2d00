// Self-service orders on the till: codes as typed or scanned, the reference
// read back from a scanned VietQR, the queue and its countdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, bankLines, findOrder, formatLeft, normalizeCode, vietqrReference } from '../static/js/orders.js';

// A VietQR payload as the kiosk makes it (pos.VietQR.Payload) for 104.000 ₫
// to Agribank 7300205123456 with the reference "K01 7KP3M".
const vietqr = '00020101021238570010A00000072701270006970405011373002051234560208QRIBFTTA530370454061040005802VN'
  + '62130809K01 7KP3M6304DC31';

const orders = [
  { id: '01B', code: '7KP3M', reference: 'K01 7KP3M', state: 'open', total: 104000, expires_in: 900 },
  { id: '01A', code: 'HX4WN', reference: 'K01 HX4WN', state: 'open', total: 220000, expires_in: 30 },
];

test('a pickup code is read as typed or scanned', () => {
  for (const [typed, want] of [['7KP3M', '7KP3M'], ['7kp3m', '7KP3M'], [' 7KP-3M ', '7KP3M'], ['7kp 3m', '7KP3M'],
    ['7KP3', ''], ['7KP3MM', ''], ['0KP3M', ''], ['K01-000123', ''], ['', ''], [null, '']]) {
    assert.equal(normalizeCode(typed), want, String(typed));
  }
});

test('the reference comes back out of a scanned VietQR', () => {
  assert.equal(vietqrReference(vietqr), 'K01 7KP3M');
  assert.equal(vietqrReference('8936072100152'), '', 'a barcode is not a VietQR');
  assert.equal(vietqrReference(vietqr.replace('DC31', 'DC32')), '', 'a misread code: the checksum does not match');
  assert.equal(vietqrReference(vietqr.replace('7KP3M', '7KP3N')), '', 'a misread reference: the checksum does not match');
  assert.equal(vietqrReference('0002016304ABCD'), '', 'no reference field');
});

test('an order is found by its code, its reference or its VietQR', () => {
  assert.equal(findOrder(orders, '7kp3m').id, '01B');
  assert.equal(findOrder(orders, 'K01 HX4WN').id, '01A');
  assert.equal(findOrder(orders, vietqr).id, '01B');
  assert.equal(findOrder(orders, 'AAAAA'), null);
  assert.equal(findOrder(orders, '8936072100152'), null, 'a product barcode is not an order');
  assert.equal(findOrder([], '7KP3M'), null);
});

test('the queue keeps open orders newest first and counts down on its own clock', () => {
  let now = 1_000_000;
  const q = new Queue(() => now);
  q.reset(orders);
  assert.deepEqual(q.orders.map((o) => o.code), ['7KP3M', 'HX4WN']);
  assert.equal(q.secondsLeft(q.get('01A')), 30);
  now += 29_500;
  assert.equal(q.secondsLeft(q.get('01A')), 1, 'half a second left shows as one');
  now += 1_000;
  assert.equal(q.secondsLeft(q.get('01A')), 0);
  // A new order comes in; a paid one leaves.
  q.update({ id: '01C', code: 'RT3AF', state: 'open', expires_in: 900 });
  q.update({ ...orders[0], state: 'paid', expires_in: 0 });
  assert.deepEqual(q.orders.map((o) => o.code), ['RT3AF', 'HX4WN']);
  assert.equal(q.get('01B'), null);
});

test('time left reads as minutes and seconds', () => {
  assert.equal(formatLeft(900), '15:00');
  assert.equal(formatLeft(65), '1:05');
  assert.equal(formatLeft(0), '0:00');
  assert.equal(formatLeft(-3), '0:00');
  assert.equal(formatLeft(3725), '1:02:05');
});

test('the account beside a QR: bank with its BIN, the number in fours, the holder', () => {
  assert.deepEqual(bankLines({ bin: '970405', name: 'Agribank', account: '7300205123456', holder: 'HTX ONG MAT U MINH HA' }),
    { bank: 'Agribank (BIN 970405)', account: '7300 2051 2345 6', holder: 'HTX ONG MAT U MINH HA' });
  assert.deepEqual(bankLines({ bin: '970999', name: 'BIN 970999', account: '123' }), { bank: 'BIN 970999', account: '123', holder: '' });
  assert.equal(bankLines(null), null);
});
