// Telling a barcode scanner from a person at the keyboard by timing alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanDetector } from '../static/js/scanner.js';

// feed types keys at the given gaps (ms) and returns the results.
function feed(det, keys, gaps, start = 1000) {
  let time = start;
  return keys.map((k, i) => {
    time += typeof gaps === 'number' ? gaps : gaps[i] ?? gaps[gaps.length - 1];
    return det.feed(k, time);
  });
}

const code = '8936072100152';

test('a fast burst ending in Enter is a scan', () => {
  const det = new ScanDetector();
  const out = feed(det, [...code, 'Enter'], 8);
  assert.deepEqual(out.at(-1), { kind: 'scan', code });
  assert.equal(out[0].kind, 'start');
  assert.equal(out[1].kind, 'char');
});

test('keys 49 ms apart still scan; 51 ms apart do not', () => {
  assert.deepEqual(feed(new ScanDetector(), [...code, 'Enter'], 49).at(-1), { kind: 'scan', code });
  assert.deepEqual(feed(new ScanDetector(), [...code, 'Enter'], 51).at(-1), { kind: 'enter' });
});

test('a person typing a code and pressing Enter is not a scan', () => {
  const det = new ScanDetector();
  const out = feed(det, [...'mat ong', 'Enter'], [180, 120, 210, 95, 140, 160, 130, 300]);
  assert.deepEqual(out.at(-1), { kind: 'enter' });
  assert.ok(out.slice(0, -1).every((r) => r.kind === 'start'), 'each slow key starts over');
});

test('a slow Enter after a fast burst is not a scan', () => {
  const det = new ScanDetector();
  const out = feed(det, [...code, 'Enter'], [...Array(code.length).fill(5), 400]);
  assert.deepEqual(out.at(-1), { kind: 'enter' });
});

test('slow typing before the scan does not spoil it', () => {
  const det = new ScanDetector();
  feed(det, [...'ab'], 300, 0);
  const out = feed(det, [...'SKU-12', 'Enter'], [600, 6, 6, 6, 6, 6, 6], 1000);
  assert.deepEqual(out.at(-1), { kind: 'scan', code: 'SKU-12' });
});

test('codes shorter than the minimum are ignored', () => {
  assert.deepEqual(feed(new ScanDetector(), [...'123', 'Enter'], 5).at(-1), { kind: 'enter' });
  assert.deepEqual(feed(new ScanDetector({ minLength: 3 }), [...'123', 'Enter'], 5).at(-1), { kind: 'scan', code: '123' });
});

test('Shift and other named keys neither break nor join a burst', () => {
  const det = new ScanDetector();
  const keys = ['Shift', 'C', 'Shift', 'M', '-', 'Shift', 'M', 'O', '-', '5', '0', '0', 'Enter'];
  const out = feed(det, keys, 4);
  assert.equal(out[0].kind, 'ignore');
  assert.deepEqual(out.at(-1), { kind: 'scan', code: 'CM-MO-500' });
});

test('two scans back to back are two codes', () => {
  const det = new ScanDetector();
  const a = feed(det, [...'8936072100152', 'Enter'], 6, 0).at(-1);
  const b = feed(det, [...'8936072100220', 'Enter'], [200, 6], 500).at(-1);
  assert.deepEqual(a, { kind: 'scan', code: '8936072100152' });
  assert.deepEqual(b, { kind: 'scan', code: '8936072100220' });
});

test('bursting tells when keys come at scanner speed', () => {
  const det = new ScanDetector();
  det.feed('8', 0);
  assert.equal(det.bursting(1), false);
  det.feed('9', 10);
  assert.equal(det.bursting(20), true);
  assert.equal(det.bursting(200), false);
});
