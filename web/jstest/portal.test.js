// The manager's portal tab: products ordered by how much of the ten items of
// Circular 02/2024/TT-BKHCN they lack, the items named in both languages in
// the circular's order, and the summary line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PORTAL_ITEMS, itemsText, portalRows, portalSummary } from '../static/js/mgrportal.js';

const report = {
  items: PORTAL_ITEMS,
  products: [
    { sku: 'MO-500', name: 'Mật ong 500ml', lots: 2, complete: 6, missing: ['shelf_life', 'stages', 'production_time', 'brand_or_serial'],
      by_lot: { 'UM2606-02': ['stages', 'shelf_life'], 'UM2605-01': ['brand_or_serial'] } },
    { sku: 'KEO', name: 'Kẹo dừa', lots: 1, complete: 10, missing: [] },
    { sku: 'BANH', name: 'Bánh phồng tôm', complete: 9, missing: ['images'] },
    { sku: 'AAA', name: 'Trà', complete: 6, missing: ['images', 'stages', 'production_time', 'shelf_life'] },
  ],
};

test('the least complete products come first, then by SKU', () => {
  const rows = portalRows(report);
  assert.deepEqual(rows.map((r) => r.sku), ['AAA', 'MO-500', 'BANH', 'KEO']);
  assert.deepEqual(rows.map((r) => r.level), ['low', 'low', 'near', 'full']);
  assert.deepEqual(rows.map((r) => r.percent), [60, 60, 90, 100]);
  assert.equal(rows[2].lots, 0, 'a product without lots shows 0');
});

test('each lot that lacks items is listed, in lot order', () => {
  const mo = portalRows(report).find((r) => r.sku === 'MO-500');
  assert.deepEqual(mo.byLot.map(([lot]) => lot), ['UM2605-01', 'UM2606-02']);
});

test('items are named in the circular\'s order, in Vietnamese and English', () => {
  const keys = ['shelf_life', 'stages', 'production_time', 'brand_or_serial'];
  assert.equal(itemsText(keys, 'vi'), 'Công đoạn (mã sản phẩm, địa điểm, thời gian), Thời gian sản xuất, Nhãn hiệu hoặc số sê-ri, Hạn sử dụng');
  assert.equal(itemsText(keys, 'en'), 'Stages (product code, place, time), Production time, Brand or serial, Shelf life');
  for (const k of PORTAL_ITEMS) {
    for (const lang of ['vi', 'en']) assert.notEqual(itemsText([k], lang), `portal.item.${k}`, `${k} has words in ${lang}`);
  }
});

test('the summary counts the complete products', () => {
  const rows = portalRows(report);
  assert.equal(portalSummary(rows, 'vi'), '1/4 sản phẩm đủ thông tin');
  assert.equal(portalSummary(rows, 'en'), '1 of 4 products complete');
});

test('a report the kiosk sent nothing for is empty, not an error', () => {
  assert.deepEqual(portalRows({}), []);
});
