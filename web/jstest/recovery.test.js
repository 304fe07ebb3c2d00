// A till that lost the answer to its checkout asks by the checkout's
// idempotency key: the previous customer's sale is never taken for this one's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SaleFinder, loadInFlight, recoverCheckout, saveInFlight } from '../static/js/recovery.js';

// The kiosk as the till sees it after a restart: the previous customer's
// sale (made a second ago) under its key, and whatever else was sold.
function kiosk(sales) {
  const asked = [];
  return {
    asked,
    find: async (key) => {
      asked.push(key);
      return sales.find((s) => s.key === key)?.sale || null;
    },
  };
}

const previous = { id: 'S1', receipt_no: 'K01-000041', till: 'T1', time: new Date().toISOString() };
const mine = { id: 'S2', receipt_no: 'K01-000042', till: 'T1', time: new Date().toISOString() };

test('the checkout never reached the kiosk: nothing was sold, whatever was sold a moment before', async () => {
  const k = kiosk([{ key: 'T1-previous', sale: previous }]);
  const r = await recoverCheckout({ cartLines: 0, key: 'T1-mine', find: k.find });
  assert.deepEqual(r, { action: 'unsold' });
  assert.deepEqual(k.asked, ['T1-mine']);
});

test('the kiosk sold it: the till shows that sale, not the newest one', async () => {
  const k = kiosk([{ key: 'T1-mine', sale: mine }, { key: 'T1-previous', sale: previous }]);
  const r = await recoverCheckout({ cartLines: 0, key: 'T1-mine', find: k.find });
  assert.equal(r.action, 'sold');
  assert.equal(r.sale.receipt_no, 'K01-000042');
});

test('the cart is still there: nothing was sold and the same key is tried again', async () => {
  const k = kiosk([{ key: 'T1-previous', sale: previous }]);
  const r = await recoverCheckout({ cartLines: 2, key: 'T1-mine', find: k.find });
  assert.deepEqual(r, { action: 'retry' });
  assert.deepEqual(k.asked, [], 'no need to ask');
});

test('the kiosk cannot be asked: the till says it does not know', async () => {
  const r = await recoverCheckout({ cartLines: 0, key: 'T1-mine', find: async () => { throw new Error('offline'); } });
  assert.deepEqual(r, { action: 'unknown' });
});

test('the finder matches sale.found answers to its questions by ref', async () => {
  const sent = [];
  let n = 0;
  const f = new SaleFinder((msg) => {
    sent.push(msg);
    n += 1;
    return `r${n}`;
  }, 1000);
  const a = f.find('T1-a');
  const b = f.find('T1-b');
  assert.deepEqual(sent, [{ type: 'sale.find', idempotency_key: 'T1-a' }, { type: 'sale.find', idempotency_key: 'T1-b' }]);
  assert.equal(f.onMessage({ type: 'sale.found', ref: 'r9', sale: mine }), false, 'not an answer to us');
  assert.equal(f.onMessage({ type: 'sale.found', ref: 'r2', sale: null }), true);
  assert.equal(f.onMessage({ type: 'sale.found', ref: 'r1', sale: mine }), true);
  assert.equal(await b, null);
  assert.equal((await a).id, 'S2');
  await assert.rejects(new SaleFinder(() => null).find('T1-c'), /offline/);
  const slow = new SaleFinder(() => 'r1', 10);
  await assert.rejects(slow.find('T1-d'), /no answer/);
});

test('the checkout in flight outlives a reload of the page, in the tab only', () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k) };
  saveInFlight(storage, 'T1', { key: 'T1-mine', at: 1 });
  assert.deepEqual(loadInFlight(storage, 'T1'), { key: 'T1-mine', at: 1 });
  assert.equal(loadInFlight(storage, 'T2'), null);
  saveInFlight(storage, 'T1', null);
  assert.equal(loadInFlight(storage, 'T1'), null);
  store.set('kiosk.checkout.T1', '{not json');
  assert.equal(loadInFlight(storage, 'T1'), null);
});
