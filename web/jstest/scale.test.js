// The scale at the till: what the screen shows of a reading, which weight a
// tap takes, and how a label scale's code becomes a cart line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addScanned, formatKg, isScaleLabel, labelLine, scaleShows, scaleWord, takeWeight,
} from '../static/js/scale.js';

test('a weight shows as kg with three decimals, the comma in Vietnamese', () => {
  assert.equal(formatKg(1235, 'vi'), '1,235 kg');
  assert.equal(formatKg(1235, 'en'), '1.235 kg');
  assert.equal(formatKg(50, 'vi'), '0,050 kg');
  assert.equal(formatKg(0, 'vi'), '0,000 kg');
  assert.equal(formatKg(-120, 'vi'), '−0,120 kg');
  assert.equal(formatKg(100000, 'en'), '100.000 kg');
});

test('the panel shows the weight and whether it has settled', () => {
  assert.deepEqual(scaleShows({ state: 'ok', grams: 1235, stable: true }, 'vi'), { state: 'ok', weight: '1,235 kg', word: 'Ổn định' });
  assert.deepEqual(scaleShows({ state: 'unstable', grams: 980, stable: false }, 'en'), { state: 'unstable', weight: '0.980 kg', word: 'Weighing…' });
  // An 8217 scale gives no weight while it moves.
  assert.equal(scaleShows({ state: 'unstable', grams: 0 }, 'en').weight, '—');
  for (const state of ['overload', 'error', 'offline']) {
    assert.equal(scaleShows({ state, grams: 0 }, 'en').weight, '—', `${state} shows no weight`);
  }
  assert.deepEqual(scaleShows(null, 'en'), { state: 'unknown', weight: '—', word: 'Scale: unknown' });
  assert.equal(scaleShows({ state: 'something new', grams: 5 }, 'vi').word, 'Mất kết nối cân');
});

test('a tap takes only a settled weight above zero', () => {
  assert.deepEqual(takeWeight({ state: 'ok', stable: true, grams: 1235 }), { grams: 1235 });
  assert.deepEqual(takeWeight({ state: 'ok', stable: true, grams: 0 }), { why: 'take_empty' });
  assert.deepEqual(takeWeight({ state: 'unstable', stable: false, grams: 1235 }), { why: 'take_unstable' });
  assert.deepEqual(takeWeight({ state: 'offline', stable: false, grams: 0 }), { why: 'take_offline' });
  assert.deepEqual(takeWeight({ state: 'overload' }), { why: 'take_overload' });
  assert.deepEqual(takeWeight({ state: 'negative', grams: -120 }), { why: 'take_negative' });
  assert.deepEqual(takeWeight({ state: 'error' }), { why: 'take_error' });
  assert.deepEqual(takeWeight(null), { why: 'take_offline' });
  assert.deepEqual(takeWeight({ configured: false, state: 'offline', grams: 0 }), { why: 'take_none' });
  // A state the till does not know never passes for a weight.
  assert.deepEqual(takeWeight({ state: 'ok-ish', stable: true, grams: 5 }), { why: 'take_unstable' });
  for (const w of ['take_none', 'take_empty', 'take_unstable', 'take_offline', 'take_overload', 'take_negative', 'take_error']) {
    assert.notEqual(scaleWord(w, {}, 'vi'), w);
    assert.notEqual(scaleWord(w, {}, 'en'), w);
  }
});

test('only EAN-13 codes of prefixes 20–29 are asked about as scale labels', () => {
  assert.ok(isScaleLabel('2100042012351'));
  assert.ok(isScaleLabel(' 2900000000001 '));
  assert.ok(!isScaleLabel('8936072100152'), 'a GS1 product code');
  assert.ok(!isScaleLabel('210004201235'), 'twelve digits');
  assert.ok(!isScaleLabel('CM-MO-500'));
  assert.ok(!isScaleLabel(''));
});

test('a scale label becomes a weighed line, and only for a product sold by weight', () => {
  const fish = { sku: 'CM-KHO-CA', name: 'Khô cá lóc', sold_by: 'weight' };
  assert.deepEqual(labelLine({ product: fish, scanned: { weight_g: 1235 } }),
    { msg: { type: 'cart.add', sku: 'CM-KHO-CA', weight_g: 1235 } });
  assert.deepEqual(labelLine({ product: { sku: 'CM-MO-500', name: 'Mật ong' }, scanned: { weight_g: 500 } }),
    { why: 'not_weighed', name: 'Mật ong' });
  assert.equal(labelLine({ product: fish }), null, "a product's own barcode is an ordinary scan");
});

test('a code that is no scale label goes to the cart as it was scanned', async () => {
  const sent = [];
  await addScanned('8936072100152', (m) => { sent.push(m); return 'ref'; });
  assert.deepEqual(sent, [{ type: 'cart.add', code: '8936072100152', qty: 1 }]);
});
