// A till's discount as the kiosk works it out (pos/discount.go): typed
// percentages, rounding half up to the đồng, amounts no larger than what they
// are taken from, the "bớt lẻ" quick picks, and what a line's or the sale's
// discount is taken from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  discountOff, discountRequest, lineBase, parsePercent, percentText, requestPercent, roundDowns, saleBase,
} from '../static/js/discount.js';

test('a percentage is read as typed, the Vietnamese decimal comma included', () => {
  assert.equal(parsePercent('10'), 1000);
  assert.equal(parsePercent('12,5'), 1250);
  assert.equal(parsePercent('12.5 %'), 1250);
  assert.equal(parsePercent('7.25'), 725);
  assert.equal(parsePercent('100'), 10000);
  assert.equal(parsePercent('0'), 0);
  for (const bad of ['', '101', '12.345', '-5', 'abc', '1e2', '10%%', '12,5,0']) {
    assert.ok(Number.isNaN(parsePercent(bad)), bad);
  }
});

test('a percentage is written as people write it and sent as a JSON number', () => {
  assert.equal(percentText(1250, 'vi'), '12,5');
  assert.equal(percentText(1250, 'en'), '12.5');
  assert.equal(percentText(1000, 'vi'), '10');
  assert.equal(percentText(725, 'en'), '7.25');
  assert.deepEqual(discountRequest('percent', 1250), { percent: 12.5 });
  assert.deepEqual(discountRequest('percent', 7), { percent: 0.07 });
  assert.equal(JSON.stringify(discountRequest('percent', 725)), '{"percent":7.25}');
  assert.deepEqual(discountRequest('amount', 20000), { amount: 20000 });
  assert.equal(requestPercent({ percent: 12.5 }), 1250);
  assert.equal(requestPercent({ percent: 0.07 }), 7);
  assert.equal(requestPercent({ amount: 5000 }), null);
  assert.equal(requestPercent(null), null);
});

test('a percentage off is rounded half up to the đồng, as the kiosk rounds it', () => {
  assert.equal(discountOff(396000, 'percent', 1000), 39600);
  assert.equal(discountOff(924500, 'percent', 1500), 138675);
  assert.equal(discountOff(5, 'percent', 1000), 1, '0,5 đồng rounds up');
  assert.equal(discountOff(4, 'percent', 1000), 0);
  assert.equal(discountOff(333, 'percent', 1250), 42, '41,625 rounds to 42');
  // Exact far beyond what floats carry: 10^13 đồng × 33,33 %.
  assert.equal(discountOff(10_000_000_000_000, 'percent', 3333), 3_333_000_000_000);
  assert.equal(discountOff(1000, 'percent', 10000), 1000);
  assert.ok(Number.isNaN(discountOff(1000, 'percent', 10001)));
});

test('an amount may not exceed what it is taken from', () => {
  assert.equal(discountOff(50000, 'amount', 20000), 20000);
  assert.equal(discountOff(50000, 'amount', 50000), 50000);
  assert.ok(Number.isNaN(discountOff(50000, 'amount', 50001)));
  assert.ok(Number.isNaN(discountOff(50000, 'amount', -1)));
  assert.ok(Number.isNaN(discountOff(50000, 'amount', NaN)));
});

test('"bớt lẻ" takes the odd đồng off, to the thousand and to ten thousand', () => {
  assert.deepEqual(roundDowns(724500), [{ off: 500, left: 724000 }, { off: 4500, left: 720000 }]);
  assert.deepEqual(roundDowns(718000), [{ off: 8000, left: 710000 }]);
  assert.deepEqual(roundDowns(720000), []);
  assert.deepEqual(roundDowns(800), [], 'never down to nothing');
  assert.deepEqual(roundDowns(0), []);
});

test('a line discount is taken off the line after its promotion, the sale discount off the lines after theirs', () => {
  // Honey: 440.000, promotion 44.000, line discount 39.600, share of the
  // sale's 138.675: 53.460 (as the kiosk's cart would say).
  const honey = { gross: 440000, discount: 44000 + 39600 + 53460, line_discount: 39600, sale_discount: 53460 };
  assert.equal(lineBase(honey), 396000);
  assert.equal(lineBase({ gross: 568100, discount: 0 }), 568100);
  assert.equal(lineBase(null), 0);
  assert.equal(saleBase({ total: 924500 - 138675, sale_discount: 138675 }), 924500);
  assert.equal(saleBase({ total: 1000 }), 1000);
});
