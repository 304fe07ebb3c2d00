// The manager's promotions: what each offers in words, when it runs and
// whether it runs now in Vietnam time (whatever the zone the test runs in),
// and the body sent to the kiosk from the form's fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formOf, hoursOf, promoBody, promoState, promoSummary, promoWhen } from '../static/js/promos.js';

test('what a promotion offers, in both languages', () => {
  assert.equal(promoSummary({ kind: 'percent', percent: 12.5 }, 'vi'), 'Giảm 12,5 %');
  assert.equal(promoSummary({ kind: 'percent', percent: 10 }, 'en'), '10 % off');
  assert.equal(promoSummary({ kind: 'amount', amount: 5000 }, 'vi'), 'Giảm 5.000 ₫ mỗi đơn vị');
  assert.equal(promoSummary({ kind: 'buy_get', buy: 2, get: 1 }, 'vi'), 'Mua 2 tặng 1');
  assert.equal(promoSummary({ kind: 'buy_get', buy: 2, get: 1 }, 'en'), 'Buy 2 get 1 free');
  assert.equal(promoSummary({ kind: 'bundle', bundle_qty: 3, bundle_price: 300000 }, 'vi'), '3 đơn vị giá 300.000 ₫');
});

test('when it runs: days first, as Vietnam writes them, then the hours', () => {
  assert.equal(promoWhen({ from: '2026-11-20', to: '2026-11-26', hours: '08:00-21:00' }, 'vi'), '20/11/2026 → 26/11/2026 · 08:00–21:00 mỗi ngày');
  assert.equal(promoWhen({ to: '2026-11-26' }, 'en'), 'until 26/11/2026');
  assert.equal(promoWhen({}, 'vi'), 'Luôn luôn');
  assert.deepEqual(hoursOf('20:00-02:00'), { from: 1200, to: 120 });
  assert.equal(hoursOf('25:00-02:00'), null);
});

test('whether it runs now is decided in Vietnam time, as the kiosk decides', () => {
  // 2026-11-20 01:30 in Vietnam is 2026-11-19 18:30 UTC.
  const night = new Date('2026-11-19T18:30:00Z');
  assert.equal(promoState({ from: '2026-11-20', to: '2026-11-26' }, night), 'running', 'the fair\'s first day in Vietnam');
  assert.equal(promoState({ from: '2026-11-21' }, night), 'later');
  assert.equal(promoState({ to: '2026-11-19' }, night), 'ended');
  assert.equal(promoState({ hours: '08:00-21:00' }, night), 'later', '01:30 is before the stalls open');
  assert.equal(promoState({ hours: '20:00-02:00' }, night), 'running', 'an evening market runs past midnight');
  assert.equal(promoState({ to: '2026-11-20', hours: '00:00-01:00' }, night), 'ended', 'its last hour is over');
  assert.equal(promoState({}, night), 'running');
});

test('the form makes the body the kiosk takes, only the fields of its kind', () => {
  const f = formOf({});
  Object.assign(f, { name: 'Mua 2 tặng 1', kind: 'buy_get', buy: '2', get: '1', scope: 'sku', target: 'BT-KD-400',
    from: '20/11/2026', to: '26/11/2026', hours_from: '8:00', hours_to: '21:00', bearer: 'producer', percent: '10' });
  assert.deepEqual(promoBody(f, { create: true }), { body: {
    name: 'Mua 2 tặng 1', kind: 'buy_get', scope: 'sku', target: 'BT-KD-400', bearer: 'producer', buy: 2, get: 1,
    from: '2026-11-20', to: '2026-11-26', hours: '08:00-21:00',
  } });
  const pct = { ...formOf({}), name: 'Giảm', kind: 'percent', percent: '12,5', target: 'food', scope: 'group', bearer: 'booth' };
  assert.deepEqual(promoBody(pct).body, { name: 'Giảm', kind: 'percent', scope: 'group', target: 'food', bearer: 'booth', percent: 12.5 });
  const bundle = { ...formOf({}), name: 'Combo', kind: 'bundle', bundle_qty: '3', bundle_price: '300.000', target: 'X' };
  assert.deepEqual(promoBody(bundle).body.bundle_price, 300000);
});

test('an edit names the version it read; a new promotion names none', () => {
  const p = { id: 'KM1', name: 'Giảm', kind: 'amount', amount: 5000, scope: 'producer', target: 'CM-HTX-UMINH', bearer: 'producer',
    hours: '08:00-21:00', from: '2026-11-20', version: 7 };
  const f = formOf(p);
  assert.equal(f.amount, '5000');
  assert.equal(f.from, '20/11/2026');
  assert.equal(f.hours_from, '08:00');
  const { body } = promoBody(f);
  assert.equal(body.version, 7);
  assert.equal(body.id, undefined, 'the id is the path\'s');
  assert.equal(promoBody(f, { create: true }).body.version, undefined);
  assert.equal(promoBody({ ...f, id: 'KM2' }, { create: true }).body.id, 'KM2');
});

test('a field that is not right is named, and nothing is sent', () => {
  const base = { ...formOf({}), name: 'X', target: 'A' };
  assert.deepEqual(promoBody({ ...base, kind: 'percent', percent: '120' }), { error: 'promo.bad_number', field: 'percent' });
  assert.deepEqual(promoBody({ ...base, kind: 'percent', percent: '0' }), { error: 'promo.bad_number', field: 'percent' });
  assert.deepEqual(promoBody({ ...base, kind: 'buy_get', buy: 'hai' }), { error: 'promo.bad_number', field: 'buy' });
  assert.deepEqual(promoBody({ ...base, target: ' ' }), { error: 'promo.need_target', field: 'target' });
  assert.deepEqual(promoBody({ ...base, kind: 'percent', percent: '5', from: '31/02/2026' }), { error: 'lots.bad_date', field: 'from' });
  assert.deepEqual(promoBody({ ...base, kind: 'percent', percent: '5', hours_from: '08:00' }), { error: 'promo.bad_hours', field: 'hours_to' });
  assert.deepEqual(promoBody({ ...base, kind: 'percent', percent: '5', hours_from: '08:00', hours_to: '08:00' }).error, 'promo.bad_hours');
});
