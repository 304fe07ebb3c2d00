// The manager's stamp runs: the body sent from the form, a run's progress as
// a percentage, its words in both languages and the buttons of each state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLang } from '../static/js/i18n.js';
import { runActions, runFinished, runPercent, runStatus, stampRunBody } from '../static/js/mgrstamps.js';

test('the form sends the count, size and output as the kiosk reads them', () => {
  assert.deepEqual(stampRunBody('50.000', '25x25', 'printer'), { count: 50000, format: 'printer', size: '25x25' });
  assert.deepEqual(stampRunBody(' 300 ', '20x20', 'pdf'), { count: 300, format: 'pdf', size: '20x20' });
});

test('a count out of range, a size or an output the kiosk does not offer is refused in words', () => {
  setLang('en');
  for (const count of ['0', '-5', '100001', '1,5', 'abc', '']) {
    assert.throws(() => stampRunBody(count, '25x25', 'pdf'), /From 1 to 100[.,]000 stamps/, count);
  }
  assert.throws(() => stampRunBody('10', '40x30', 'pdf'), /stamp size/);
  assert.throws(() => stampRunBody('10', '25x25', 'zip'), /PDF or the printer/);
  setLang('vi');
  assert.throws(() => stampRunBody('0', '25x25', 'pdf'), /Số tem từ 1 đến/);
});

test('the progress is the share printed, whole, never past 100', () => {
  assert.equal(runPercent({ count: 300, printed: 0 }), 0);
  assert.equal(runPercent({ count: 300, printed: 299 }), 99);
  assert.equal(runPercent({ count: 300, printed: 300 }), 100);
  assert.equal(runPercent({ count: 3, printed: 1 }), 33);
  assert.equal(runPercent({ count: 0 }), 0);
});

test('each state offers only the calls the kiosk takes in it', () => {
  assert.deepEqual(runActions({ state: 'printing' }), ['pause', 'cancel']);
  assert.deepEqual(runActions({ state: 'paused' }), ['resume', 'cancel']);
  assert.deepEqual(runActions({ state: 'done' }), []);
  assert.deepEqual(runActions({ state: 'cancelled' }), []);
  assert.equal(runFinished({ state: 'done' }), true);
  assert.equal(runFinished({ state: 'paused' }), false);
});

test('a run says how far it is, and that its printer holds it', () => {
  setLang('en');
  assert.equal(runStatus({ state: 'printing', printed: 1200, count: 50000, printer_state: 'ready' }), '1.200 of 50.000 printed · printing');
  assert.match(runStatus({ state: 'printing', printed: 40, count: 300, printer_state: 'paper_out' }), /printer out of paper, goes on when it is ready/);
  assert.equal(runStatus({ state: 'paused', printed: 40, count: 300, reason: 'manager' }), '40 of 300 printed · paused');
  assert.equal(runStatus({ state: 'done', printed: 300, count: 300 }), '300 of 300 printed · all printed');
  setLang('vi');
  assert.equal(runStatus({ state: 'done', printed: 300, count: 300 }), 'Đã in 300/300 · đã in xong');
});
