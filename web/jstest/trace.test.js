// Scanned GS1 Digital Links become paths on the kiosk's own origin; anything
// else a scanner reads stays a product code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelOf, serialsText, traceLinkPath, tracePath, withLang } from '../static/js/trace.js';

test('a label URL with another origin opens the same path here', () => {
  assert.equal(traceLinkPath('https://x.vn/01/08936072100152/10/UM2605-01/21/0007?17=280515'),
    '/01/08936072100152/10/UM2605-01/21/0007?17=280515');
  assert.equal(traceLinkPath('http://other.example/01/08936072100152/10/UM2605-01/21/0007'),
    '/01/08936072100152/10/UM2605-01/21/0007');
  assert.equal(traceLinkPath('HTTPS://KIOSK.LOCAL:8080/01/08936072100152'), '/01/08936072100152', 'QR alphanumeric mode upper-cases');
});

test('a path, a resolver prefix, a fragment and blanks around the scan', () => {
  assert.equal(traceLinkPath('/01/08936072100152'), '/01/08936072100152');
  assert.equal(traceLinkPath('  /01/08936072100152/10/L1 \n'), '/01/08936072100152/10/L1');
  assert.equal(traceLinkPath('https://id.example.org/trace/01/08936072100152/10/L1'), '/01/08936072100152/10/L1');
  assert.equal(traceLinkPath('https://x.vn/01/08936072100152/10/L1?17=280515#top'), '/01/08936072100152/10/L1?17=280515');
  assert.equal(traceLinkPath('https://x.vn/01/08936072100152/10/A%2FB'), '/01/08936072100152/10/A%2FB', 'an encoded slash stays in its value');
});

test('barcodes, SKUs and other URLs are not trace links', () => {
  for (const scan of [
    '8936072100152', // a GTIN-13 on its own: a product to add
    '08936072100152',
    'CM-MO-500',
    'https://x.vn/02/08936072100152',
    'https://x.vn/01/8936072100152', // 13 digits
    'https://x.vn/01/089360721001521', // 15 digits
    'https://x.vn/01/0893607210015a',
    'https://x.vn/search?q=/01/08936072100152', // in the query, not the path
    'garbage/01/08936072100152',
    '/01/08936072100152/10', // an AI without its value
    '/01/08936072100152/10/L 1',
    '/01/08936072100152/',
    '%%%',
    '',
    null,
    undefined,
    42,
  ]) {
    assert.equal(traceLinkPath(scan), null, String(scan));
  }
});

test('a scan cannot climb out of /01/ to another page of the kiosk', () => {
  for (const scan of [
    '/01/08936072100152/10/../../till',
    '/01/08936072100152/10/%2e%2e/21/%2E%2E',
    '/01/08936072100152/10/./21/x',
    '/01/08936072100152/10/a\\..\\..\\till',
    'https://x.vn/01/08936072100152/10/%E0%A4%A',
  ]) {
    assert.equal(traceLinkPath(scan), null, scan);
  }
});

test('withLang sets lang= and keeps the rest of the query', () => {
  assert.equal(withLang('/01/08936072100152', 'vi'), '/01/08936072100152?lang=vi');
  assert.equal(withLang('/01/08936072100152/10/L1?17=280515', 'en'), '/01/08936072100152/10/L1?17=280515&lang=en');
  assert.equal(withLang('/01/08936072100152?lang=vi&17=280515', 'en'), '/01/08936072100152?17=280515&lang=en');
  assert.equal(withLang('/01/08936072100152?language=x', 'vi'), '/01/08936072100152?language=x&lang=vi');
});

test('tracePath builds the page of a product, a lot and a label', () => {
  assert.equal(tracePath({ gtin: '08936072100152' }), '/01/08936072100152');
  assert.equal(tracePath({ gtin: '08936072100152', lot: 'UM2605-01' }), '/01/08936072100152/10/UM2605-01');
  assert.equal(tracePath({ gtin: '08936072100152', lot: 'A/B?', serial: '0007' }), '/01/08936072100152/10/A%2FB%3F/21/0007');
  assert.equal(tracePath({ gtin: '8936072100152' }), null);
  assert.equal(tracePath({}), null);
  assert.equal(traceLinkPath(tracePath({ gtin: '08936072100152', lot: 'UM2605-01', serial: '0001' })), '/01/08936072100152/10/UM2605-01/21/0001');
});

test('serialsText lists a short run and abbreviates a long one', () => {
  assert.equal(serialsText(['0001', '0002']), '0001, 0002');
  assert.equal(serialsText([]), '');
  assert.equal(serialsText(undefined), '');
  const many = Array.from({ length: 500 }, (_, i) => String(i + 1).padStart(4, '0'));
  assert.equal(serialsText(many), '0001 … 0500');
  assert.equal(serialsText(many.slice(0, 3), 2), '0001 … 0003');
});

test('labelOf reads the product, lot and serial a scanned label names', () => {
  assert.deepEqual(labelOf('https://other.example/01/08936072100152/10/UM2605-01/21/0002?17=280501'),
    { gtin: '08936072100152', lot: 'UM2605-01', serial: '0002' });
  assert.deepEqual(labelOf('/01/08936072100152/10/L%2F1'), { gtin: '08936072100152', lot: 'L/1', serial: '' });
  assert.deepEqual(labelOf('/01/08936072100152'), { gtin: '08936072100152', lot: '', serial: '' });
  assert.equal(labelOf('8936072100152'), null);
  assert.equal(labelOf('/01/08936072100152/10/../../till'), null);
});
