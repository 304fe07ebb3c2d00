// The QR encoder against github.com/skip2/go-qrcode (testdata/qr-reference.json,
// made by the generator in README.md) and against an independent decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeQR, toStrings } from '../static/js/qr.js';
import { decodeQR, readFormat } from './qrdecode.js';

const refs = JSON.parse(readFileSync(new URL('./testdata/qr-reference.json', import.meta.url), 'utf8'));

test('the reference file holds the cases the UI needs', () => {
  const vietqr = refs.find((r) => r.name === 'vietqr');
  assert.ok(vietqr.content.length >= 130, 'a VietQR-like payload of at least 130 characters');
  assert.ok(refs.some((r) => r.name === 'vietnamese-utf8'));
  for (let v = 1; v <= 10; v++) assert.ok(refs.some((r) => r.forced && r.version === v), `version ${v}`);
});

for (const ref of refs) {
  test(`${ref.name}: same modules as go-qrcode at its version and mask`, () => {
    const { mask } = readFormat(ref.rows);
    const got = encodeQR(ref.content, { ecl: ref.level, version: ref.version, mask });
    assert.equal(got.size, ref.rows.length);
    assert.deepEqual(toStrings(got.modules), ref.rows);
  });

  test(`${ref.name}: go-qrcode's symbol decodes to the content`, () => {
    assert.equal(decodeQR(ref.rows).text, ref.content);
  });

  if (!ref.forced) {
    test(`${ref.name}: picks the same version and mask by itself`, () => {
      const got = encodeQR(ref.content, { ecl: ref.level });
      assert.equal(got.version, ref.version);
      assert.equal(got.mask, readFormat(ref.rows).mask);
      assert.deepEqual(toStrings(got.modules), ref.rows);
    });
  }
}

test('every version and level decodes back to the payload', () => {
  const payload = '00020101021238570010A00000072701270006970405011377062051482370208QRIBFTTA5303704540644000058 02VN62140810K01-0000016304ABCD';
  for (const ecl of ['L', 'M', 'Q', 'H']) {
    for (let version = 1; version <= 40; version++) {
      let sym;
      try {
        sym = encodeQR(payload.slice(0, 8 + version), { ecl, version });
      } catch {
        continue; // too long for the smallest versions at high levels
      }
      const got = decodeQR(toStrings(sym.modules));
      assert.equal(got.text, payload.slice(0, 8 + version), `version ${version}-${ecl}`);
      assert.equal(got.version, version);
      assert.equal(got.level, ecl);
    }
  }
});

test('byte mode carries the same payload in a larger symbol', () => {
  const vietqr = refs.find((r) => r.name === 'vietqr').content;
  const auto = encodeQR(vietqr);
  const bytes = encodeQR(vietqr, { mode: 'byte' });
  assert.ok(bytes.version > auto.version, `byte ${bytes.version} vs auto ${auto.version}`);
  assert.ok(bytes.version <= 10);
  const d = decodeQR(toStrings(bytes.modules));
  assert.equal(d.text, vietqr);
  assert.deepEqual(d.segments, [['byte', vietqr.length]]);
});

test('Vietnamese text survives as UTF-8', () => {
  const text = 'Mật ong rừng tràm U Minh Hạ — Đặc sản Cà Mau';
  assert.equal(decodeQR(toStrings(encodeQR(text).modules)).text, text);
});

test('every mask gives a readable symbol', () => {
  for (let mask = 0; mask < 8; mask++) {
    const sym = encodeQR('https://kiosk.local/01/08936072100152', { mask });
    assert.equal(sym.mask, mask);
    assert.equal(decodeQR(toStrings(sym.modules)).text, 'https://kiosk.local/01/08936072100152');
  }
});

test('refuses what does not fit', () => {
  assert.throws(() => encodeQR('x'.repeat(3000)), /too long/);
  assert.throws(() => encodeQR('x'.repeat(200), { version: 3 }), /do not fit/);
  assert.throws(() => encodeQR(''), /no data/);
  assert.throws(() => encodeQR('x', { ecl: 'Z' }), /level/);
});
