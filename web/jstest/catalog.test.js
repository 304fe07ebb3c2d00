// The grid's paging arithmetic: 20,000 products never load at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE, debounce, gridColumns, ownImage, pagesFor, productsURL, queryKey, starsText, visibleRange } from '../static/js/catalog.js';

test('product queries carry only the filters that are set', () => {
  assert.equal(productsURL({}), '/api/v1/products?limit=60&offset=0');
  assert.equal(productsURL({ q: ' mat ong ', group: 'food', stars: 5, province: 'Cà Mau', offset: 120 }),
    '/api/v1/products?q=mat+ong&group=food&stars=5&province=C%C3%A0+Mau&limit=60&offset=120');
});

test('queryKey ignores paging and surrounding spaces', () => {
  assert.equal(queryKey({ q: 'mat ong ' }), queryKey({ q: 'mat ong' }));
  assert.notEqual(queryKey({ q: 'mat ong', stars: 4 }), queryKey({ q: 'mat ong' }));
});

test('columns fit the width', () => {
  assert.equal(gridColumns(872, 168, 12), 4);
  assert.equal(gridColumns(100, 168, 12), 1);
  assert.equal(gridColumns(1500, 210, 16), 6);
});

test('only the rows in view (and a little more) are drawn', () => {
  const r = visibleRange({ scrollTop: 0, viewport: 600, rowHeight: 230, cols: 4, total: 20000, overscan: 2 });
  assert.deepEqual(r, { first: 0, last: 20 });
  const deep = visibleRange({ scrollTop: 230 * 2000, viewport: 600, rowHeight: 230, cols: 4, total: 20000, overscan: 2 });
  assert.deepEqual(deep, { first: 1998 * 4, last: 2005 * 4 });
  assert.ok(deep.last - deep.first <= 40, 'a handful of rows, whatever the catalog size');
  const end = visibleRange({ scrollTop: 230 * 4997, viewport: 600, rowHeight: 230, cols: 4, total: 19999, overscan: 2 });
  assert.equal(end.last, 19999);
  assert.deepEqual(visibleRange({ scrollTop: 0, viewport: 600, rowHeight: 230, cols: 4, total: 0 }), { first: 0, last: 0 });
});

test('pages cover the visible range', () => {
  assert.deepEqual(pagesFor(0, 20), [0]);
  assert.deepEqual(pagesFor(50, 70), [0, 1]);
  assert.deepEqual(pagesFor(7990, 8050), [133, 134]);
  assert.deepEqual(pagesFor(7992, 8020), [133]);
  assert.deepEqual(pagesFor(10, 10), []);
  assert.equal(PAGE_SIZE, 60);
});

test('debounce waits for the typing to pause', async () => {
  const calls = [];
  const d = debounce((v) => calls.push(v), 30);
  d('m'); d('ma'); d('mat');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(calls, ['mat']);
  d('mat o');
  d.flush();
  assert.deepEqual(calls, ['mat', 'mat o']);
  d('x');
  d.cancel();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(calls, ['mat', 'mat o']);
});

test('stars', () => {
  assert.equal(starsText(4), '★★★★');
  assert.equal(starsText(9), '★★★★★');
});

test('only images the kiosk serves itself are shown', () => {
  const page = 'http://192.168.1.10:8080/till?till=T1';
  assert.equal(ownImage('/img/mo-500.jpg', page), '/img/mo-500.jpg');
  // A file name is the kiosk's picture of that name (the catalog's image
  // column and a zip of pictures name them so), in lower case as stored.
  assert.equal(ownImage('mo-500.jpg', page), '/img/mo-500.jpg');
  assert.equal(ownImage(' MO-500.PNG ', page), '/img/mo-500.png');
  assert.equal(ownImage('keo_dua.2024.jpeg', page), '/img/keo_dua.2024.jpeg');
  assert.equal(ownImage('img/mo-500.jpg?v=2', page), '/img/mo-500.jpg?v=2');
  assert.equal(ownImage('http://192.168.1.10:8080/img/a.png', page), '/img/a.png');
  for (const outside of ['https://evil.example/x.png', '//evil.example/x.png', 'http://192.168.1.10:9090/a.png',
    'data:image/png;base64,AAAA', 'javascript:alert(1)', '/\\evil.example/x.png', '', null, undefined, 42]) {
    assert.equal(ownImage(outside, page), null, String(outside));
  }
});
