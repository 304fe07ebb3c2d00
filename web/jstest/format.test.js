// Prices and amounts as the screens show and read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cashChange, cashSuggestions, dayStart, formatDate, formatDateTime, formatNumber, formatTime, formatVND, initials, isoDay,
  parseAmount, parseDay, splitRemaining,
} from '../static/js/format.js';

test('formatVND writes dots between thousands, a space and ₫', () => {
  const cases = [
    [125000, '125.000 ₫'],
    [0, '0 ₫'],
    [5, '5 ₫'],
    [999, '999 ₫'],
    [1000, '1.000 ₫'],
    [440000, '440.000 ₫'],
    [1250000, '1.250.000 ₫'],
    [10000000000000, '10.000.000.000.000 ₫'],
    [-60000, '-60.000 ₫'],
  ];
  for (const [n, want] of cases) assert.equal(formatVND(n), want, `formatVND(${n})`);
});

test('formatVND uses a plain space, not the no-break space of Intl', () => {
  assert.equal(formatVND(125000).charCodeAt(7), 0x20);
  assert.ok(!formatVND(125000).includes('\u00a0'));
});

test('formatNumber rounds stray fractions and tolerates junk', () => {
  assert.equal(formatNumber(1234.6), '1.235');
  assert.equal(formatNumber(undefined), '0');
  assert.equal(formatNumber('50000'), '50.000');
});

test('parseAmount reads what vendors type', () => {
  const cases = [
    ['125000', 125000], ['125.000', 125000], ['125.000 ₫', 125000], ['1,250,000', 1250000],
    ['50k', 50000], ['50K', 50000], [' 200.000đ ', 200000], ['0', 0], [500000, 500000],
  ];
  for (const [s, want] of cases) assert.equal(parseAmount(s), want, `parseAmount(${JSON.stringify(s)})`);
  for (const bad of ['', 'abc', '-5', '12a', '.', '1e5', 1.5, -3, null]) {
    assert.ok(Number.isNaN(parseAmount(bad)), `parseAmount(${JSON.stringify(bad)}) is NaN`);
  }
});

test('formatVND and parseAmount round-trip', () => {
  for (const n of [0, 7, 1000, 45000, 123456789]) assert.equal(parseAmount(formatVND(n)), n);
});

test('cash change and what is still due', () => {
  assert.deepEqual(cashChange(440000, 500000), { change: 60000, short: 0 });
  assert.deepEqual(cashChange(440000, 440000), { change: 0, short: 0 });
  assert.deepEqual(cashChange(440000, 200000), { change: 0, short: 240000 });
  assert.deepEqual(cashChange(440000, NaN), { change: 0, short: 440000 });
});

test('split payments: what remains', () => {
  assert.equal(splitRemaining(485000, [{ amount: 300000 }, { amount: 100000 }]), 85000);
  assert.equal(splitRemaining(485000, [{ amount: 300000 }, { amount: 185000 }]), 0);
  assert.equal(splitRemaining(485000, [{ amount: NaN }]), 485000);
});

test('dates are day first', () => {
  assert.equal(formatDate('2027-05-17'), '17/05/2027');
  assert.equal(formatDate(new Date(Date.UTC(2026, 0, 2, 3, 30))), '02/01/2026');
  assert.equal(formatDate(''), '');
  assert.equal(isoDay(new Date(Date.UTC(2026, 10, 3, 5))), '2026-11-03');
});

// The manager page on a machine left in UTC showed 18:55 for a sale whose
// receipt says 01:55 the next day, and its "today" missed the sales made
// before 07:00. Whatever the zone this runs in (TZ=UTC, TZ=America/New_York…),
// times and days are Vietnam's.
test('times and days are Vietnam time, whatever the zone of the machine', () => {
  const late = '2026-05-15T18:55:00Z'; // 01:55 on 16/05 in Vietnam
  assert.equal(formatTime(late), '01:55');
  assert.equal(formatDate(late), '16/05/2026');
  assert.equal(formatDateTime(late), '16/05/2026 01:55');
  assert.equal(formatDateTime(new Date(late)), '16/05/2026 01:55');
  assert.equal(formatDateTime('2026-05-16T01:55:00+07:00'), '16/05/2026 01:55');
  assert.equal(isoDay(new Date(late)), '2026-05-16');
  assert.equal(isoDay(new Date('2026-05-15T16:59:59Z')), '2026-05-15');
  assert.equal(isoDay(new Date('2026-05-15T17:00:00Z')), '2026-05-16');
  assert.equal(dayStart('2026-05-16'), '2026-05-16T00:00:00+07:00');
  assert.equal(new Date(dayStart('2026-05-16')).toISOString(), '2026-05-15T17:00:00.000Z');
  assert.equal(formatTime('not a time'), '');
  assert.equal(formatDateTime(''), '');
});

test('cash suggestions are the exact amount\'s round neighbours above the total', () => {
  for (const [total, want] of [
    [724000, [750000, 800000, 1000000]],
    [18000, [20000, 50000, 100000, 500000]],
    [220000, [250000, 300000, 400000, 500000]],
    [440000, [450000, 500000, 600000]],
    [500000, [600000, 1000000, 2000000]],
    [12345000, [12500000, 13000000, 14000000, 15000000]],
    [5000, [10000, 20000, 50000, 500000]],
  ]) {
    assert.deepEqual(cashSuggestions(total), want, `cashSuggestions(${total})`);
  }
  for (const total of [0, -5, NaN, 1.5, '724000x']) assert.deepEqual(cashSuggestions(total), [], String(total));
  for (const total of [1, 999, 49000, 123456, 724000, 9999999, 250000001]) {
    const s = cashSuggestions(total);
    assert.ok(s.length >= 1 && s.length <= 4, `${total}: ${s}`);
    assert.ok(s.every((v, i) => v > total && v % 10000 === 0 && (i === 0 || v > s[i - 1])), `${total}: ${s}`);
  }
});

test('initials skip sizes and keep Vietnamese letters', () => {
  assert.equal(initials('Mật ong rừng tràm U Minh Hạ 500ml'), 'MO');
  assert.equal(initials('Đường thốt nốt'), 'ĐT');
  assert.equal(initials('500g bánh phồng'), 'BP');
  assert.equal(initials(''), '?');
});

test('dates typed day first become YYYY-MM-DD', () => {
  for (const [typed, want] of [
    ['15/05/2026', '2026-05-15'],
    ['5/1/2026', '2026-01-05'],
    ['05-01-2026', '2026-01-05'],
    ['05.01.26', '2026-01-05'],
    [' 15 / 05 / 2026 ', '2026-05-15'],
    ['15052026', '2026-05-15'],
    ['2026-05-15', '2026-05-15'],
    ['29/02/2028', '2028-02-29'],
    ['', ''],
    ['   ', ''],
    [null, ''],
  ]) {
    assert.equal(parseDay(typed), want, String(typed));
  }
  for (const bad of ['31/04/2026', '29/02/2027', '15/13/2026', '0/5/2026', '2026/05/15', '15/05', 'mai', '1505202', '12/05/0026']) {
    assert.equal(parseDay(bad), null, bad);
  }
  assert.equal(formatDate(parseDay('5/1/2026')), '05/01/2026', 'what is shown back is what was understood');
});
