// The manager's stock and catalog tabs: stock adjustments and their log, the
// low-stock list under the kiosk's threshold, a product's picture, and the
// import of the catalog (CSV or a workbook) and of a zip of its pictures.

import { api } from './api.js';
import { formatDateTime, formatNumber, parseAmount } from './format.js';
import { productName, t, unitName } from './i18n.js';
import { h, productThumb, setChildren, toast } from './ui.js';
import {
  enc, errorMessage, field, forgetProducers, heading, mapi, msg, productPicker, table,
} from './mgrkit.js';

export async function renderStock(section) {
  const editor = h('div');
  const moves = h('div');
  const low = h('div', { testid: 'low-stock' });
  const { search, results } = productPicker('stock', (p) => stockEditor(editor, p, () => { loadMoves(moves); loadLowStock(low); }));
  heading(section, 'stock',
    h('div', { class: 'panel' }, field(t('stock.find'), search), results, editor),
    h('div', { class: 'panel' }, h('h3', {}, t('low.title')), low),
    h('div', { class: 'panel' }, h('h3', {}, t('stock.moves')), moves));
  loadLowStock(low);
  loadMoves(moves);
}

// loadLowStock lists the products with the kiosk's threshold of units or
// fewer left (sold-out ones first), with the threshold to change.
async function loadLowStock(box, threshold) {
  try {
    const res = await api('/api/v1/stock/low', { query: { threshold } });
    const list = res.products || [];
    const input = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric', class: 'amount-input small', testid: 'low-threshold', value: String(res.threshold) });
    const out = h('div');
    const save = h('button', { type: 'button', class: 'btn-secondary', testid: 'low-save', on: { click: async () => {
      const n = Number(input.value);
      if (!Number.isSafeInteger(n) || n < 0) { input.setAttribute('aria-invalid', 'true'); return; }
      try {
        await mapi('/api/v1/stock/low', { method: 'PUT', body: { threshold: n } });
        toast(t('low.saved', { n }));
        loadLowStock(box);
      } catch (err) { setChildren(out, msg('error', errorMessage(err))); }
    } } }, t('low.save'));
    input.addEventListener('change', () => loadLowStock(box, input.value)); // a look before saving
    setChildren(box, h('div', { class: 'form-row' }, field(t('low.threshold'), input), save), out,
      h('p', { class: 'hint', testid: 'low-count', dataset: { total: String(res.total) } },
        list.length ? t('low.count', { n: res.total, threshold: res.threshold }) : t('low.none')),
      list.length ? table([[t('flagged.product')], ['SKU'], [t('rep.producer')], [t('low.left'), true]],
        list.map((p) => h('tr', { testid: 'low-row', dataset: { sku: p.sku, stock: String(p.stock) } },
          h('td', {}, h('strong', {}, productName(p))), h('td', {}, p.sku), h('td', {}, p.producer || ''),
          h('td', { class: 'num' }, h('span', { class: `badge badge-${p.stock <= 0 ? 'voided' : 'partially_refunded'}` },
            p.stock <= 0 ? t('stock.out') : `${formatNumber(p.stock)}${p.unit ? ` ${unitName(p.unit)}` : ''}`)))), 'low-table') : null);
  } catch (err) {
    setChildren(box, msg('error', errorMessage(err)));
  }
}

function stockEditor(box, p, after) {
  let sign = 1;
  const qty = h('input', { type: 'text', inputmode: 'numeric', class: 'amount-input', testid: 'stock-qty', autocomplete: 'off' });
  const plus = h('button', { type: 'button', class: 'chip', 'aria-pressed': 'true', testid: 'stock-in' }, '+');
  const minus = h('button', { type: 'button', class: 'chip', 'aria-pressed': 'false', testid: 'stock-out' }, '−');
  const setSign = (s) => { sign = s; plus.setAttribute('aria-pressed', String(s > 0)); minus.setAttribute('aria-pressed', String(s < 0)); };
  plus.addEventListener('click', () => setSign(1));
  minus.addEventListener('click', () => setSign(-1));
  const reason = h('input', { type: 'text', testid: 'stock-reason', maxlength: '200', autocomplete: 'off', list: 'stock-reasons' });
  const presets = h('datalist', { id: 'stock-reasons' }, ['delivery', 'count', 'breakage', 'sample'].map((k) => h('option', { value: t(`stock.reason.${k}`) })));
  const out = h('div');
  const current = h('p', { testid: 'stock-current' }, h('strong', {}, `${productName(p)} (${p.sku})`), ' · ', t('stock.current', { n: p.stock }));
  setChildren(box, h('h3', {}, t('mgr.tab.stock')), current,
    pictureEditor(p),
    h('div', { class: 'form-row' },
      h('div', { class: 'chips' }, plus, minus),
      field(t('stock.delta'), qty),
      field(t('stock.reason'), reason), presets,
      h('button', { type: 'button', class: 'btn-primary', testid: 'stock-apply', on: { click: async () => {
        const n = parseAmount(qty.value);
        if (!Number.isInteger(n) || n <= 0) { setChildren(out, msg('error', t('err.bad_quantity'))); return; }
        try {
          const res = await mapi(`/api/v1/stock/${encodeURIComponent(p.sku)}`, { method: 'POST', body: { delta: sign * n, reason: reason.value.trim() } });
          p.stock = res.stock;
          setChildren(current, h('strong', {}, `${productName(p)} (${p.sku})`), ' · ', t('stock.current', { n: res.stock }));
          setChildren(out, msg('ok', t('stock.done', { sku: p.sku, n: res.stock })));
          qty.value = '';
          after();
        } catch (err) { setChildren(out, msg('error', errorMessage(err))); }
      } } }, t('stock.apply'))),
    out);
  qty.focus();
}

async function loadMoves(box) {
  try {
    const res = await mapi('/api/v1/stock/moves', { query: { limit: 30 } });
    const moves = res.moves || [];
    setChildren(box, table([[t('sales.time')], ['SKU'], ['±', true], [t('stock.after'), true], [t('stock.reason')]],
      moves.map((m) => h('tr', {}, h('td', {}, formatDateTime(m.time)), h('td', {}, m.sku), h('td', { class: 'num' }, m.delta > 0 ? `+${m.delta}` : String(m.delta)),
        h('td', { class: 'num' }, String(m.after)), h('td', {}, m.reason))), 'stock-moves'));
  } catch (err) {
    setChildren(box, msg('error', errorMessage(err)));
  }
}

// pictureEditor shows a product's picture (or its tile) and uploads a new
// one: the kiosk shrinks it and keeps it as the product's image.
function pictureEditor(p) {
  const thumb = h('div', { class: 'pic-now', testid: 'picture-now' }, productThumb(p));
  const file = h('input', { type: 'file', accept: 'image/jpeg,image/png', testid: 'picture-file' });
  const out = h('div');
  const upload = h('button', { type: 'button', class: 'btn-secondary', testid: 'picture-upload', on: { click: async () => {
    const f = file.files[0];
    if (!f) { setChildren(out, msg('error', t('imp.need_file'))); return; }
    const form = new FormData();
    form.append('file', f, f.name);
    upload.disabled = true;
    try {
      const res = await mapi(`/api/v1/products/${enc(p.sku)}/image`, { method: 'POST', body: form });
      p.image = res.image;
      // The same name may hold a new picture: ask for it again.
      setChildren(thumb, h('span', { class: 'thumb' }, h('img', { src: `${res.url}?v=${Date.now()}`, alt: '' })));
      setChildren(out, msg('ok', t('pic.done', { sku: p.sku })));
      file.value = '';
    } catch (err) {
      setChildren(out, msg('error', errorMessage(err)));
    } finally {
      upload.disabled = false;
    }
  } } }, t('pic.upload'));
  return h('div', { class: 'form-row pic-row' }, thumb, field(t('pic.file'), file), upload, out);
}

// ---- catalog import ----

export async function renderImport(section) {
  const file = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', testid: 'import-file' });
  const kind = h('select', { testid: 'import-kind' }, h('option', { value: '' }, '—'),
    ['producers', 'products', 'lots'].map((k) => h('option', { value: k }, `${t(`imp.kind.${k}`)} (${k}.csv)`)));
  file.addEventListener('change', () => {
    const name = (file.files[0] && file.files[0].name.toLowerCase()) || '';
    const guess = ['producers', 'products', 'lots'].find((k) => name.includes(k));
    if (guess && !kind.value) kind.value = guess;
  });
  const out = h('div', { testid: 'import-result' });
  heading(section, 'import', h('div', { class: 'panel' },
    h('p', { class: 'hint' }, t('imp.hint')),
    h('div', { class: 'form-row' },
      field(t('imp.file'), file),
      field(t('imp.kind'), kind),
      h('button', { type: 'button', class: 'btn-primary', testid: 'import-submit', on: { click: async () => {
        const f = file.files[0];
        if (!f) { setChildren(out, msg('error', t('imp.need_file'))); return; }
        const isCSV = !f.name.toLowerCase().endsWith('.xlsx');
        if (isCSV && !kind.value) { setChildren(out, msg('error', t('imp.need_kind'))); return; }
        const form = new FormData();
        form.append('file', f, f.name);
        setChildren(out, h('p', { class: 'hint' }, t('common.loading')));
        try {
          const res = await mapi('/api/v1/catalog/import', { method: 'POST', body: form, query: isCSV ? { kind: kind.value } : {} });
          forgetProducers();
          setChildren(out, msg('ok', t('imp.ok', { producers: res.producers || 0, products: res.products || 0, lots: res.lots || 0 })));
        } catch (err) {
          const rows = (err.details && err.details.rows) || [];
          setChildren(out, msg('error', rows.length ? t('imp.rejected', { n: rows.length }) : errorMessage(err)),
            rows.length ? table([[t('imp.row'), true], [t('imp.column')], [t('imp.problem')]], rows.map((r) => h('tr', { testid: 'import-error' },
              h('td', { class: 'num' }, String(r.row)), h('td', {}, r.column || ''), h('td', {}, r.message))), 'import-errors') : null);
        }
      } } }, t('imp.submit'))),
    out),
  picturesImport());
}

// picturesImport sends a zip of product pictures: all stored, or none.
function picturesImport() {
  const zip = h('input', { type: 'file', accept: '.zip,application/zip', testid: 'pictures-file' });
  const out = h('div', { testid: 'pictures-result' });
  return h('div', { class: 'panel' },
    h('h3', {}, t('imp.pictures')),
    h('p', { class: 'hint' }, t('imp.pictures_hint')),
    h('div', { class: 'form-row' },
      field(t('imp.pictures'), zip),
      h('button', { type: 'button', class: 'btn-primary', testid: 'pictures-submit', on: { click: async () => {
        const f = zip.files[0];
        if (!f) { setChildren(out, msg('error', t('imp.need_zip'))); return; }
        const form = new FormData();
        form.append('file', f, f.name);
        setChildren(out, h('p', { class: 'hint' }, t('common.loading')));
        try {
          const res = await mapi('/api/v1/catalog/images', { method: 'POST', body: form });
          const stored = res.stored || [];
          setChildren(out, msg('ok', t('imp.pictures_ok', { n: stored.length })),
            (res.skipped || []).length ? h('p', { class: 'hint' }, t('imp.pictures_skipped', { names: res.skipped.join(', ') })) : null,
            (res.missing || []).length ? h('p', { class: 'hint', testid: 'pictures-missing' }, t('imp.pictures_missing', { skus: res.missing.join(', ') })) : null);
        } catch (err) {
          const files = (err.details && err.details.files) || [];
          setChildren(out, msg('error', files.length ? t('imp.pictures_rejected', { n: files.length }) : errorMessage(err)),
            files.length ? table([[t('imp.file')], [t('imp.problem')]], files.map((f2) => h('tr', { testid: 'pictures-error' },
              h('td', {}, f2.name), h('td', {}, f2.message))), 'pictures-errors') : null);
        }
      } } }, t('imp.pictures_submit'))),
    out);
}
