// One dictionary for every word on the screens: complete in both languages,
// and every key the pages use is in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  GROUPS, LANGS, certName, dict, errorText, getLang, groupLabel, messageText, originName, pickLang, productDescription,
  productName, setLang, stockText, t, unitName,
} from '../static/js/i18n.js';

const staticDir = new URL('../static/', import.meta.url);

function files(dir, ext) {
  return readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]);
}

test('every key has Vietnamese and English', () => {
  for (const [key, entry] of Object.entries(dict)) {
    for (const lang of LANGS) {
      assert.equal(typeof entry[lang], 'string', `${key} has no ${lang}`);
      assert.ok(entry[lang].trim().length > 0, `${key}.${lang} is empty`);
    }
    const extra = Object.keys(entry).filter((k) => !LANGS.includes(k));
    assert.ok(extra.every((k) => /^(vi|en)_one$/.test(k)), `${key}: unexpected ${extra}`);
  }
});

test('both languages use the same placeholders', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, entry] of Object.entries(dict)) {
    for (const form of Object.keys(entry)) assert.deepEqual(names(entry[form]), names(entry.vi), `${key}.${form}`);
  }
});

test('every key the pages use is in the dictionary', () => {
  const used = new Set();
  for (const [name, html] of files(staticDir, '.html')) {
    for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(`${m[1]}\t${name}`);
  }
  for (const [name, js] of files(new URL('js/', staticDir), '.js')) {
    for (const m of js.matchAll(/\bt\('([a-z_.]+)'/g)) used.add(`${m[1]}\t${name}`);
  }
  assert.ok(used.size > 100, `found ${used.size} uses`);
  const missing = [...used].filter((u) => !(u.split('\t')[0] in dict));
  assert.deepEqual(missing, []);
});

test('the six OCOP groups carry their official Vietnamese names', () => {
  assert.deepEqual(GROUPS, ['food', 'beverage', 'herbal', 'handicraft', 'flower', 'tourism']);
  assert.deepEqual(GROUPS.map((g) => groupLabel(g, 'vi')),
    ['Thực phẩm', 'Đồ uống', 'Thảo dược', 'Thủ công mỹ nghệ', 'Hoa cây cảnh', 'Du lịch nông thôn']);
  for (const g of GROUPS) assert.notEqual(groupLabel(g, 'en'), groupLabel(g, 'vi'));
});

test('every error code of the protocol and the API has words', () => {
  const protocol = readFileSync(new URL('../PROTOCOL.md', staticDir), 'utf8');
  const section = protocol.slice(protocol.indexOf('Error codes:'));
  const codes = [...section.slice(0, section.indexOf('##')).matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
  assert.ok(codes.includes('vietqr_not_configured'));
  for (const c of codes) assert.ok(`err.${c}` in dict, `err.${c}`);
  for (const c of ['payment_short', 'tendered_short', 'out_of_stock', 'bad_pin', 'pin_required', 'pin_locked', 'no_open_shift', 'import_rejected']) {
    assert.ok(`err.${c}` in dict, `err.${c}`);
  }
});

test('t fills placeholders and switches language', () => {
  const before = getLang();
  setLang('en');
  assert.equal(t('cart.items', { n: 3 }), '3 items');
  setLang('vi');
  assert.equal(t('cart.items', { n: 3 }), '3 món');
  assert.equal(t('cart.items', { n: 3 }, 'en'), '3 items');
  assert.equal(t('cart.items', { n: 1 }, 'en'), '1 item');
  assert.equal(t('cart.items', { n: 1 }, 'vi'), '1 món');
  assert.equal(t('grid.count', { n: '1.000' }, 'en'), '1.000 products', 'a formatted thousand is plural');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.equal(t('sale.receipt', {}), 'Hoá đơn {no}', 'a missing value stays visible');
  setLang(before);
});

test('product names and descriptions follow the language', () => {
  const p = { sku: 'CM-MO-500', name: 'Mật ong rừng tràm', name_en: 'Melaleuca honey', description: 'Mô tả', description_en: '' };
  assert.equal(productName(p, 'vi'), 'Mật ong rừng tràm');
  assert.equal(productName(p, 'en'), 'Melaleuca honey');
  assert.equal(productName({ sku: 'X', name: 'Bánh' }, 'en'), 'Bánh', 'falls back to Vietnamese');
  assert.equal(productDescription(p, 'en'), 'Mô tả');
});

test('pickLang and errors', () => {
  assert.equal(pickLang(null, 'fr', 'en'), 'en');
  assert.equal(pickLang(undefined), 'vi');
  assert.equal(errorText('out_of_stock', 'x', 'en'), 'Not enough stock');
  assert.equal(errorText('weird_code', 'something broke', 'vi'), 'Lỗi: something broke');
});

// English mode left "chai", "hộp", "Hữu cơ" and "Rừng tràm…" in Vietnamese.
// The cases are shared with the trace pages (web/terms_test.go).
test('units, certifications and origins read in English', () => {
  const cases = JSON.parse(readFileSync(new URL('./testdata/terms-cases.json', import.meta.url), 'utf8'));
  for (const [kind, fn] of [['units', unitName], ['certifications', certName], ['origins', originName]]) {
    for (const [vi, en] of cases[kind]) {
      assert.equal(fn(vi, 'en'), en, `${kind}: ${vi}`);
      assert.equal(fn(vi, 'vi'), vi.replace(/\s+/g, ' ').trim(), `${kind} stays Vietnamese: ${vi}`);
    }
  }
  assert.equal(unitName(undefined, 'en'), '');
  assert.equal(originName(null, 'en'), '');
});

test('a refusal for stock names the product, in the screen\'s language', () => {
  const honey = { sku: 'CM-MO-500', name: 'Mật ong rừng tràm U Minh Hạ 500ml', name_en: 'U Minh Ha melaleuca forest honey 500ml' };
  assert.equal(stockText({ ...honey, stock: 0 }, 'vi'), 'Hết hàng: Mật ong rừng tràm U Minh Hạ 500ml');
  assert.equal(stockText({ ...honey, stock: 0 }, 'en'), 'Sold out: U Minh Ha melaleuca forest honey 500ml');
  assert.equal(stockText({ ...honey, stock: 2 }, 'vi'), 'Mật ong rừng tràm U Minh Hạ 500ml: chỉ còn 2');
  const m = { type: 'error', code: 'out_of_stock', message: 'x', details: { ...honey, stock: 2, qty: 3 } };
  assert.equal(messageText(m, 'en'), 'U Minh Ha melaleuca forest honey 500ml: only 2 left');
  assert.equal(messageText({ code: 'out_of_stock', message: 'x' }, 'en'), errorText('out_of_stock', 'x', 'en'));
  assert.equal(messageText({ code: 'unknown_sku' }, 'vi'), errorText('unknown_sku', undefined, 'vi'));
});

// The same thing has the same word on the screen and on paper: the receipt
// prints "Khách đưa" and "Tiền thừa", and names the producer "Nhà sản xuất".
test('screens use the words of the receipt for cash given, change and producer', () => {
  assert.equal(t('pay.tendered', {}, 'vi'), 'Khách đưa');
  assert.equal(t('pay.change', {}, 'vi'), 'Tiền thừa');
  assert.match(t('display.change', { amount: '1' }, 'vi'), /^Tiền thừa/);
  assert.equal(t('self.producer', {}, 'vi'), 'Nhà sản xuất');
  assert.equal(t('rep.producer', {}, 'vi'), 'Nhà sản xuất');
  for (const [key, entry] of Object.entries(dict)) {
    assert.doesNotMatch(entry.vi, /thối|[Cc]hủ thể/, `${key} uses another word than the receipt`);
  }
});

// A vendor with no bank account was shown an error quoting command-line flags.
test('no screen quotes command-line flags', () => {
  for (const [key, entry] of Object.entries(dict)) {
    for (const lang of LANGS) assert.doesNotMatch(entry[lang], /(^|\s|\()-[a-z]+-[a-z]+/, `${key}.${lang}`);
  }
});
