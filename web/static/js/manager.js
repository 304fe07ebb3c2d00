// The manager pages (/manager): shifts with X- and Z-reports, today's sales
// with void / refund / reprint, stock adjustments, lots (trace events, labels,
// labels that look copied), catalog import, printers and pairing a second
// screen. Manager calls carry the PIN (X-Manager-Pin),
// kept for this browser tab only (sessionStorage); a refused PIN asks again.

import { ApiError, api, managerPin, setManagerPin } from './api.js';
import { formatDate, formatDateTime, formatNumber, formatTime, formatVND, isoDay, parseAmount, parseDay } from './format.js';
import { errorText, getLang, printerStateLabel, productName, t } from './i18n.js';
import { drawQR } from './qrcanvas.js';
import { serialsText, traceLinkPath, tracePath, withLang } from './trace.js';
import {
  $, $$, closeDialog, h, initLang, keypad, openDialog, setChildren, showPrinters, startSyncBadge, toast, typeKey, watchDisk,
} from './ui.js';

const TABS = ['shift', 'sales', 'stock', 'lots', 'import', 'printers', 'pairing'];
const TRACE_STEPS = ['harvest', 'processing', 'packing', 'shipping', 'certification', 'other'];
const LABEL_SIZES = ['40x30', '50x30', '58mm'];
let tab = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'shift';
let producers = null; // id → producer
let pinWaiters = []; // resolved when a right PIN is entered
let formOk = null; // what the form dialog's OK does
let lotProduct = null; // the product the lots tab shows (kept across language switches)
let labelLot = null; // the lot whose label panel is open

initLang(() => show(tab));
setupPin();
setupForm();
for (const b of $$('#nav button')) b.addEventListener('click', () => show(b.dataset.tab));
$('#lock').addEventListener('click', () => {
  setManagerPin('');
  askPin().then(() => show(tab));
});
startSyncBadge();
watchDisk();
refreshPrinters();
setInterval(refreshPrinters, 10000);
start();

async function start() {
  if (!managerPin()) await askPin();
  show(tab);
}

async function refreshPrinters() {
  try {
    const res = await api('/api/v1/printers');
    showPrinters(res.printers || []);
  } catch {
    showPrinters(null);
  }
}

// ---- the PIN ----

function setupPin() {
  const input = $('#pin-input');
  $('#pin-pad').append(keypad((k) => { input.value = typeKey(input.value, k, 12); }, { withThousands: false }));
  const submit = async () => {
    const pin = input.value.trim();
    if (!pin) return;
    const err = $('#pin-error');
    err.hidden = true;
    try {
      // A manager-only call that changes nothing tells whether the PIN is right.
      await api('/api/v1/manager/check', { headers: { 'X-Manager-Pin': pin } });
    } catch (e) {
      err.hidden = false;
      err.textContent = e.code === 'bad_pin' ? t('mgr.pin_wrong') : errorText(e.code, e.message);
      input.value = '';
      return;
    }
    setManagerPin(pin);
    input.value = '';
    closeDialog($('#pin-dialog'));
    const w = pinWaiters;
    pinWaiters = [];
    w.forEach((fn) => fn());
  };
  $('#pin-ok').addEventListener('click', submit);
  $('#pin-form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  $('#pin-dialog').addEventListener('cancel', (e) => e.preventDefault());
}

// askPin shows the PIN prompt and resolves once a right PIN is entered.
function askPin() {
  return new Promise((resolve) => {
    pinWaiters.push(resolve);
    openDialog($('#pin-dialog'));
    $('#pin-input').focus();
  });
}

// mapi is api() for manager calls: it sends the PIN, and when the kiosk
// refuses it, asks for it again and retries once.
async function mapi(path, opts = {}) {
  try {
    return await api(path, { ...opts, manager: true });
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'pin_required' || err.code === 'bad_pin')) {
      setManagerPin('');
      await askPin();
      return api(path, { ...opts, manager: true });
    }
    throw err;
  }
}

// ---- a small form dialog ----

function setupForm() {
  const close = () => closeDialog($('#form-dialog'));
  $('#form-close').addEventListener('click', close);
  $('#form-cancel').addEventListener('click', close);
  $('#form-ok').addEventListener('click', async () => {
    if (!formOk) return;
    const btn = $('#form-ok');
    btn.disabled = true;
    try {
      await formOk();
      close();
    } catch (err) {
      const el = $('#form-error');
      el.hidden = false;
      el.textContent = errorMessage(err);
    } finally {
      btn.disabled = false;
    }
  });
}

// formDialog shows body in the form dialog; onOk runs on OK and closes the
// dialog unless it throws (its error shows in the dialog). ok: the OK button's
// words (a dictionary key) and data-testid.
function formDialog(title, body, onOk, { okKey = 'common.ok', okTestid = 'form-ok' } = {}) {
  $('#form-title').textContent = title;
  setChildren($('#form-body'), body);
  $('#form-error').hidden = true;
  const ok = $('#form-ok');
  ok.dataset.i18n = okKey;
  ok.dataset.testid = okTestid;
  ok.textContent = t(okKey);
  formOk = onOk;
  openDialog($('#form-dialog'));
}

function errorMessage(err) {
  return err instanceof Error && !(err instanceof ApiError) ? err.message : errorText(err.code, err.message);
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function msg(kind, text) {
  return h('p', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// ---- tabs ----

function show(name) {
  tab = name;
  history.replaceState(null, '', `#${name}`);
  for (const b of $$('#nav button')) {
    if (b.dataset.tab === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  const main = $('#main');
  const section = h('section', { testid: `section-${name}` }, h('h2', {}, t(`mgr.tab.${name}`)), h('p', { class: 'hint' }, t('common.loading')));
  setChildren(main, section);
  const render = {
    shift: renderShift, sales: renderSales, stock: renderStock, lots: renderLots, import: renderImport, printers: renderPrinters, pairing: renderPairing,
  }[name];
  render(section).catch((err) => {
    setChildren(section, h('h2', {}, t(`mgr.tab.${name}`)), msg('error', errorMessage(err)),
      h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show(name) } }, t('common.refresh')));
  });
}

function heading(section, name, ...extra) {
  setChildren(section, h('h2', {}, t(`mgr.tab.${name}`)), ...extra);
}

async function loadProducers() {
  if (producers) return producers;
  try {
    const res = await api('/api/v1/producers');
    producers = new Map((res.producers || []).map((p) => [p.id, p]));
  } catch {
    producers = new Map();
  }
  return producers;
}

// ---- shift ----

async function renderShift(section) {
  let z = null;
  try {
    z = await api('/api/v1/shifts/current');
  } catch (err) {
    if (err.code !== 'no_open_shift') throw err;
  }
  await loadProducers();
  if (!z) {
    const float = h('input', { type: 'text', inputmode: 'numeric', class: 'amount-input', testid: 'shift-float', autocomplete: 'off', value: '0' });
    const out = h('div');
    heading(section, 'shift',
      h('div', { class: 'panel' },
        h('p', {}, t('shift.none')),
        h('div', { class: 'form-row' },
          field(t('shift.float'), float),
          h('button', { type: 'button', class: 'btn-primary', testid: 'shift-open', on: { click: async () => {
            const amount = parseAmount(float.value);
            if (!Number.isFinite(amount)) { setChildren(out, msg('error', t('err.bad_amount'))); return; }
            try {
              await api('/api/v1/shifts/open', { method: 'POST', body: { float: amount } });
              show('shift');
            } catch (err) { setChildren(out, msg('error', errorMessage(err))); }
          } } }, t('shift.open'))),
        out));
    return;
  }
  const counted = h('input', { type: 'text', inputmode: 'numeric', class: 'amount-input', testid: 'shift-counted', autocomplete: 'off' });
  const out = h('div');
  heading(section, 'shift',
    h('div', { class: 'panel' },
      reportView(z, t('shift.x')),
      h('div', { class: 'form-row' },
        h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show('shift') } }, t('common.refresh')),
        h('button', { type: 'button', class: 'btn-secondary', testid: 'shift-print', on: { click: () => printShift(z.shift.id) } }, t('shift.print')))),
    h('div', { class: 'panel' },
      h('h3', {}, t('shift.close')),
      h('div', { class: 'form-row' },
        field(t('shift.counted'), counted),
        h('button', { type: 'button', class: 'btn-danger', testid: 'shift-close', on: { click: async () => {
          const amount = parseAmount(counted.value);
          if (!Number.isFinite(amount)) { setChildren(out, msg('error', t('err.bad_amount'))); return; }
          try {
            const zr = await mapi('/api/v1/shifts/close', { method: 'POST', body: { counted: amount, shift_id: z.shift.id } });
            heading(section, 'shift', h('div', { class: 'panel', testid: 'z-report' }, msg('ok', t('shift.closed_at', { time: formatDateTime(zr.shift.closed_at || new Date()) })), reportView(zr, t('shift.z')),
              h('div', { class: 'form-row' },
                h('button', { type: 'button', class: 'btn-secondary', on: { click: () => printShift(zr.shift.id) } }, t('shift.print')),
                h('button', { type: 'button', class: 'btn-primary', on: { click: () => show('shift') } }, t('shift.open')))));
          } catch (err) { setChildren(out, msg('error', errorMessage(err))); }
        } } }, t('shift.close'))),
      out));
}

async function printShift(id) {
  try {
    await api(`/api/v1/shifts/${encodeURIComponent(id)}/print`, { method: 'POST' });
    toast(t('shift.printed'));
  } catch (err) {
    toast(errorMessage(err), { kind: 'error' });
  }
}

function kv(rows) {
  return h('dl', { class: 'kv' }, rows.filter(Boolean).map(([k, v, cls]) => [h('dt', {}, k), h('dd', { class: cls || '' }, v)]));
}

function table(head, rows, testid) {
  return h('table', { class: 'data', testid },
    h('thead', {}, h('tr', {}, head.map(([label, num]) => h('th', { scope: 'col', class: num ? 'num' : '' }, label)))),
    h('tbody', {}, rows));
}

function reportView(z, title) {
  const sh = z.shift || {};
  const diff = z.cash_difference || 0;
  const methods = Object.entries(z.by_method || {}).sort();
  return h('div', { class: 'report-wrap', testid: 'report', dataset: { closed: String(Boolean(z.closed)) } },
    h('h3', {}, title),
    h('p', {}, t('shift.opened', { id: sh.id, time: formatDateTime(sh.opened_at) }), sh.auto ? ` ${t('shift.auto')}` : '',
      sh.closed_at ? ` · ${t('shift.closed_at', { time: formatDateTime(sh.closed_at) })}` : ''),
    z.first_receipt ? h('p', { class: 'hint' }, t('rep.receipts', { first: z.first_receipt, last: z.last_receipt })) : null,
    h('div', { class: 'report' },
      kv([
        [t('rep.sales'), String(z.sales || 0)],
        [t('rep.voids'), String(z.voids || 0)],
        [t('rep.refunds'), String(z.refunds || 0)],
        [t('rep.gross'), formatVND(z.gross || 0)],
        [t('rep.void_total'), formatVND(z.void_total || 0)],
        [t('rep.refund_total'), formatVND(z.refund_total || 0)],
        [t('rep.net'), formatVND(z.net || 0), 'strong'],
      ]),
      kv([
        [t('rep.float'), formatVND(sh.float || 0)],
        [t('rep.expected'), formatVND(z.expected_cash || 0), 'strong'],
        z.closed ? [t('rep.counted'), formatVND(z.counted_cash || 0)] : null,
        z.closed ? [t('rep.difference'), formatVND(diff), diff < 0 ? 'diff-neg' : diff > 0 ? 'diff-pos' : ''] : null,
      ])),
    h('h3', {}, t('rep.by_method')),
    table([[t('rep.method')], [t('rep.amount'), true]], methods.map(([m, v]) => h('tr', {}, h('td', {}, t(`pay.${m}`)), h('td', { class: 'num' }, formatVND(v)))), 'by-method'),
    h('h3', {}, t('rep.by_vat')),
    table([[t('rep.rate')], [t('rep.gross'), true], [t('rep.vat'), true]], (z.by_vat || []).map((v) => h('tr', {},
      h('td', {}, `${v.rate}%`), h('td', { class: 'num' }, formatVND(v.gross)), h('td', { class: 'num' }, formatVND(v.vat)))), 'by-vat'),
    h('h3', {}, t('rep.by_producer')),
    table([[t('rep.producer')], [t('rep.units'), true], [t('rep.net'), true], [t('rep.vat'), true]], (z.by_producer || []).map((p) => h('tr', {},
      h('td', {}, (producers && producers.get(p.producer_id) && producers.get(p.producer_id).name) || p.producer_id),
      h('td', { class: 'num' }, formatNumber(p.units)), h('td', { class: 'num' }, formatVND(p.net)), h('td', { class: 'num' }, formatVND(p.vat)))), 'by-producer'));
}

// ---- sales ----

// The sales list goes newest first, a page at a time, so that after thousands
// of sales the newest can still be voided, refunded or reprinted; a receipt
// number finds any record.
const salesView = { q: '', before: 0, pages: [] };

async function renderSales(section) {
  const query = salesView.q ? { q: salesView.q } : { order: 'desc', limit: 50, before: salesView.before || undefined };
  const res = await api('/api/v1/sales', { query });
  const sales = res.sales || [];
  const rows = sales.map((s) => {
    const methods = (s.payments || []).map((p) => t(`pay.${p.method}`)).join(' + ');
    const actions = h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn-secondary', testid: 'sale-reprint', on: { click: () => reprint(s) } }, t('sales.reprint')));
    if (s.kind === 'sale' && s.status === 'completed') {
      actions.append(h('button', { type: 'button', class: 'btn-danger', testid: 'sale-void', on: { click: () => voidSale(s) } }, t('sales.void')));
    }
    if (s.kind === 'sale' && (s.status === 'completed' || s.status === 'partially_refunded')) {
      actions.append(h('button', { type: 'button', class: 'btn-secondary', testid: 'sale-refund', on: { click: () => refundSale(s) } }, t('sales.refund')));
    }
    return h('tr', { testid: 'sale-row', dataset: { id: s.id, receipt: s.receipt_no } },
      h('td', {}, formatDateTime(s.time)),
      h('td', {}, h('strong', {}, s.receipt_no)),
      h('td', {}, h('span', { class: `badge badge-${s.kind}` }, t(`kind.${s.kind}`))),
      h('td', { class: 'num' }, formatVND(s.total)),
      h('td', {}, methods),
      h('td', {}, s.kind === 'sale' ? h('span', { class: `badge badge-${s.status}` }, t(`status.${s.status}`)) : ''),
      h('td', {}, actions));
  });
  const search = h('input', { type: 'search', testid: 'sales-search', placeholder: t('sales.search'), value: salesView.q,
    on: { keydown: (e) => { if (e.key === 'Enter') find(); } } });
  const find = () => { salesView.q = search.value.trim(); salesView.before = 0; salesView.pages = []; show('sales'); };
  const nav = h('div', { class: 'form-row' });
  if (salesView.q || salesView.before) {
    nav.append(h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-newest',
      on: { click: () => { salesView.q = ''; salesView.before = 0; salesView.pages = []; show('sales'); } } }, t('sales.newest')));
  }
  if (!salesView.q && res.next) {
    nav.append(h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-older',
      on: { click: () => { salesView.pages.push(salesView.before); salesView.before = res.next; show('sales'); } } }, t('sales.older')));
  }
  heading(section, 'sales',
    h('div', { class: 'form-row' }, h('h3', {}, t('sales.recent')), search,
      h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-find', on: { click: find } }, t('sales.find')),
      h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show('sales') } }, t('common.refresh'))),
    sales.length === 0 ? h('p', { class: 'hint' }, t(salesView.q ? 'sales.not_found' : 'sales.empty')) : h('div', { class: 'panel' },
      table([[t('sales.time')], [t('sales.receipt')], [t('sales.kind')], [t('sales.total'), true], [t('sales.paid_by')], [t('sales.status')], [t('sales.actions')]], rows, 'sales')),
    nav);
}

async function reprint(s) {
  try {
    await api(`/api/v1/sales/${encodeURIComponent(s.id)}/reprint`, { method: 'POST' });
    toast(t('sales.reprinted', { receipt: s.receipt_no }));
  } catch (err) {
    toast(errorMessage(err), { kind: 'error' });
  }
}

function voidSale(s) {
  const reason = h('input', { type: 'text', testid: 'void-reason', maxlength: '200', autocomplete: 'off' });
  formDialog(t('sales.void_title', { receipt: s.receipt_no }), [
    h('p', {}, `${s.receipt_no} · ${formatVND(s.total)} · ${formatDateTime(s.time)}`),
    field(t('sales.reason'), reason),
  ], async () => {
    if (!reason.value.trim()) throw new ApiError(422, 'reason_required', '');
    const rec = await mapi(`/api/v1/sales/${encodeURIComponent(s.id)}/void`, { method: 'POST', body: { reason: reason.value.trim() } });
    toast(t('sales.voided', { receipt: s.receipt_no }));
    show('sales');
    return rec;
  });
  reason.focus();
}

function refundSale(s) {
  const qtys = new Map();
  const lines = (s.lines || []).map((l) => {
    const input = h('input', { type: 'number', min: '0', max: String(l.qty), step: '1', value: '0', class: 'amount-input small', testid: 'refund-qty', dataset: { sku: l.sku }, 'aria-label': `${t('sales.qty_back')}: ${productName(l)}` });
    qtys.set(l.sku, input);
    return h('tr', {}, h('td', {}, productName(l)), h('td', { class: 'num' }, `${l.qty} × ${formatVND(l.price)}`), h('td', { class: 'num' }, input));
  });
  const method = h('select', { testid: 'refund-method' }, ['cash', 'card', 'vietqr', 'ewallet'].map((m) => h('option', { value: m }, t(`pay.${m}`))));
  const restock = h('input', { type: 'checkbox', checked: true, testid: 'refund-restock' });
  const reason = h('input', { type: 'text', testid: 'refund-reason', maxlength: '200', autocomplete: 'off' });
  formDialog(t('sales.refund_title', { receipt: s.receipt_no }), [
    h('div', { class: 'panel' }, table([[''], [''], [t('sales.qty_back'), true]], lines)),
    h('div', { class: 'panel' },
      h('div', { class: 'form-row' }, field(t('sales.refund_by'), method), field(t('sales.reason'), reason)),
      h('label', { class: 'form-row' }, restock, ' ', t('sales.restock'))),
  ], async () => {
    const want = [...qtys].map(([sku, input]) => ({ sku, qty: Number(input.value) })).filter((l) => Number.isInteger(l.qty) && l.qty > 0);
    if (want.length === 0) throw new ApiError(422, 'bad_quantity', '');
    if (!reason.value.trim()) throw new ApiError(422, 'reason_required', '');
    const rec = await mapi(`/api/v1/sales/${encodeURIComponent(s.id)}/refund`, {
      method: 'POST', body: { lines: want, method: method.value, restock: restock.checked, reason: reason.value.trim() },
    });
    toast(t('sales.refunded', { receipt: rec.receipt_no || s.receipt_no }));
    show('sales');
  });
}

// ---- stock ----

// productPicker is a search box answering as you type with a list of
// products to choose from; onPick gets the product chosen.
function productPicker(testid, onPick) {
  const search = h('input', { type: 'search', testid: `${testid}-search`, autocomplete: 'off', placeholder: t('search.placeholder') });
  const results = h('ul', { class: 'pick-list', hidden: true });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) { results.hidden = true; return; }
      try {
        const res = await api('/api/v1/products', { query: { q, limit: 20 } });
        results.hidden = false;
        setChildren(results, (res.products || []).map((p) => h('li', {},
          h('span', { class: 'grow' }, h('strong', {}, productName(p)), h('br'), h('small', {}, `${p.sku} · ${t('stock.current', { n: p.stock })}`)),
          h('button', { type: 'button', class: 'btn-secondary', testid: `${testid}-pick`, dataset: { sku: p.sku }, on: { click: () => { results.hidden = true; onPick(p); } } }, t('stock.pick')))));
      } catch (err) {
        setChildren(results, h('li', {}, errorMessage(err)));
      }
    }, 150);
  });
  return { search, results };
}

async function renderStock(section) {
  const editor = h('div');
  const moves = h('div');
  const { search, results } = productPicker('stock', (p) => stockEditor(editor, p, () => loadMoves(moves)));
  heading(section, 'stock',
    h('div', { class: 'panel' }, field(t('stock.find'), search), results, editor),
    h('div', { class: 'panel' }, h('h3', {}, t('stock.moves')), moves));
  loadMoves(moves);
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

// ---- lots: trace events, labels, copied labels ----

async function renderLots(section) {
  const lotsBox = h('div');
  const flagged = h('div');
  const { search, results } = productPicker('lot-product', (p) => {
    labelLot = null;
    loadLots(lotsBox, p);
  });
  heading(section, 'lots',
    h('div', { class: 'panel' }, field(t('lots.find'), search), results),
    lotsBox,
    h('div', { class: 'panel' },
      h('div', { class: 'form-row' }, h('h3', { class: 'grow' }, t('flagged.title')),
        h('button', { type: 'button', class: 'btn-secondary', on: { click: () => loadFlagged(flagged) } }, t('common.refresh'))),
      flagged));
  if (lotProduct) loadLots(lotsBox, lotProduct);
  loadFlagged(flagged);
}

function enc(s) {
  return encodeURIComponent(s);
}

// traceLink links a trace page of this kiosk (whatever -base-url the Digital
// Link was made with), in the manager's language, in a new tab.
function traceLink(path, testid) {
  if (!path) return '—';
  return h('a', { href: withLang(path, getLang()), target: '_blank', rel: 'noopener', testid, class: 'trace-link' }, t('lots.open'));
}

async function loadLots(box, p) {
  lotProduct = p;
  const reload = () => loadLots(box, p);
  let lots;
  try {
    const res = await api('/api/v1/lots', { query: { sku: p.sku } });
    lots = res.lots || [];
  } catch (err) {
    setChildren(box, h('div', { class: 'panel' }, msg('error', errorMessage(err)),
      h('button', { type: 'button', class: 'btn-secondary', on: { click: reload } }, t('common.refresh'))));
    return;
  }
  if (lotProduct !== p) return; // another product was picked meanwhile
  const labels = h('div');
  const rows = lots.map((l) => h('tr', { testid: 'lot-row', dataset: { lot: l.lot } },
    h('td', {}, h('strong', { class: 'nowrap' }, l.lot), l.origin ? [h('br'), h('small', {}, l.origin)] : null),
    h('td', {}, formatDate(l.produced_on)),
    h('td', {}, formatDate(l.expires_on)),
    h('td', { class: 'num' }, formatNumber(l.quantity)),
    h('td', { class: 'num', testid: 'lot-events' }, String((l.events || []).length)),
    h('td', {}, traceLink(traceLinkPath(l.digital_link || ''), 'lot-trace')),
    h('td', {}, h('div', { class: 'actions nowrap' },
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-edit', on: { click: () => lotForm(p, l, reload) } }, t('lots.edit')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-event-add', on: { click: () => eventForm(l, reload) } }, t('lots.add_event')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-labels', disabled: !l.gtin, on: { click: () => labelPanel(labels, l) } }, t('lots.labels'))))));
  setChildren(box, h('div', { class: 'panel', testid: 'lots', dataset: { sku: p.sku } },
    h('div', { class: 'form-row' },
      h('h3', { class: 'grow' }, t('lots.of', { name: `${productName(p)} (${p.sku})` })),
      h('button', { type: 'button', class: 'btn-primary', testid: 'lot-new', on: { click: () => lotForm(p, null, reload) } }, t('lots.new'))),
    p.gtin ? null : h('p', { class: 'hint' }, t('lots.no_gtin')),
    lots.length === 0 ? h('p', { class: 'hint' }, t('lots.none')) : table(
      [[t('lot.code')], [t('lot.produced')], [t('lot.expires')], [t('lots.qty'), true], [t('lots.events'), true], [t('lots.trace')], [t('sales.actions')]],
      rows, 'lot-table')),
  labels);
  const open = labelLot && lots.find((l) => l.lot === labelLot);
  if (open) labelPanel(labels, open);
}

// markInvalid flags the field the kiosk refused and puts the cursor in it.
function markInvalid(inputs, name) {
  for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
  const el = inputs[name];
  if (!el) return;
  el.setAttribute('aria-invalid', 'true');
  el.focus();
}

// dateInput is a date field written day first (see parseDay); it shows back
// what it understood when it loses the focus.
function dateInput(testid, iso) {
  const input = h('input', { type: 'text', testid, class: 'date-input', autocomplete: 'off', maxlength: '12', placeholder: t('date.placeholder'), value: formatDate(iso || '') });
  input.addEventListener('blur', () => {
    const day = parseDay(input.value);
    if (day === null) input.setAttribute('aria-invalid', 'true');
    else {
      input.removeAttribute('aria-invalid');
      input.value = formatDate(day);
    }
  });
  return input;
}

// readDays reads the date fields named into body; a date that is not one
// marks its field and throws. An empty field is left out, or sent as "" with
// clearEmpty (an edit replaces only the fields it carries, so clearing a date
// must say so).
function readDays(inputs, labels, names, body, clearEmpty = false) {
  for (const name of names) {
    const day = parseDay(inputs[name].value);
    if (day === null) {
      markInvalid(inputs, name);
      throw new Error(t('lots.bad_date', { field: labels[name] }));
    }
    if (day || clearEmpty) body[name] = day;
  }
}

// fieldError turns a 422 bad_field into words naming the field (and marks it).
function fieldError(err, inputs, labels) {
  const f = err && err.details && err.details.field;
  if (err instanceof ApiError && err.code === 'bad_field' && inputs[f]) {
    markInvalid(inputs, f);
    return new Error(`${t('lots.bad_field', { field: labels[f] })} — ${err.message}`);
  }
  return err;
}

function lotForm(p, lot, after) {
  const v = lot || {};
  const date = (name, value) => dateInput(`lot-form-${name}`, value);
  const inputs = {
    lot: h('input', { type: 'text', testid: 'lot-form-lot', maxlength: '20', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', value: v.lot || '', disabled: Boolean(lot) }),
    quantity: h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric', testid: 'lot-form-quantity', value: String(v.quantity ?? 0) }),
    produced_on: date('produced_on', v.produced_on),
    packed_on: date('packed_on', v.packed_on),
    expires_on: date('expires_on', v.expires_on),
    origin: h('input', { type: 'text', testid: 'lot-form-origin', maxlength: '200', autocomplete: 'off', value: v.origin || '' }),
    certifications: h('input', { type: 'text', testid: 'lot-form-certifications', maxlength: '400', autocomplete: 'off', value: (v.certifications || []).join(', ') }),
  };
  const labels = {
    lot: t('lot.code'), quantity: t('lots.qty'), produced_on: t('lot.produced'), packed_on: t('lots.packed'),
    expires_on: t('lot.expires'), origin: t('lot.origin'), certifications: t('lots.certs_hint'),
  };
  const f = (name) => field(labels[name], inputs[name]);
  formDialog(lot ? t('lots.edit_title', { lot: lot.lot }) : t('lots.new_title', { name: productName(p) }), h('div', { class: 'form-stack' },
    h('div', { class: 'form-row' }, f('lot'), f('quantity')),
    h('div', { class: 'form-row' }, f('produced_on'), f('packed_on'), f('expires_on')),
    h('div', { class: 'form-row' }, f('origin')),
    h('div', { class: 'form-row' }, f('certifications'))), async () => {
    const code = inputs.lot.value.trim();
    if (!code) {
      markInvalid(inputs, 'lot');
      throw new Error(t('lots.need_code'));
    }
    const qtyText = inputs.quantity.value.trim();
    const quantity = qtyText === '' ? 0 : Number(qtyText);
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      markInvalid(inputs, 'quantity');
      throw new Error(t('lots.bad_field', { field: labels.quantity }));
    }
    const body = {
      sku: p.sku, lot: code, quantity, origin: inputs.origin.value.trim(),
      certifications: inputs.certifications.value.split(/[,;]/).map((c) => c.trim()).filter(Boolean),
    };
    readDays(inputs, labels, ['produced_on', 'packed_on', 'expires_on'], body, Boolean(lot));
    let saved;
    try {
      saved = lot
        ? await mapi(`/api/v1/lots/${enc(p.sku)}/${enc(lot.lot)}`, { method: 'PUT', body })
        : await mapi('/api/v1/lots', { method: 'POST', body });
    } catch (err) {
      if (err.code === 'lot_exists') markInvalid(inputs, 'lot');
      throw fieldError(err, inputs, labels);
    }
    toast(t(lot ? 'lots.saved' : 'lots.created', { lot: saved.lot }));
    after();
  }, { okKey: 'common.save', okTestid: 'lot-save' });
  (lot ? inputs.quantity : inputs.lot).focus();
}

function stepName(what) {
  return TRACE_STEPS.includes(what) ? t(`step.${what}`) : what;
}

function eventForm(lot, after) {
  const inputs = {
    when: dateInput('event-form-when', isoDay()),
    what: h('select', { testid: 'event-form-what' }, TRACE_STEPS.map((s) => h('option', { value: s }, stepName(s)))),
    where: h('input', { type: 'text', testid: 'event-form-where', maxlength: '200', autocomplete: 'off' }),
    who: h('input', { type: 'text', testid: 'event-form-who', maxlength: '200', autocomplete: 'off' }),
    why: h('input', { type: 'text', testid: 'event-form-why', maxlength: '200', autocomplete: 'off' }),
  };
  const labels = { when: t('event.when'), what: t('event.what'), where: t('event.where'), who: t('event.who'), why: t('event.why') };
  const f = (name) => field(labels[name], inputs[name]);
  const events = lot.events || [];
  formDialog(t('lots.event_title', { lot: lot.lot }), h('div', { class: 'form-stack' },
    events.length ? h('ol', { class: 'timeline', testid: 'lot-timeline' }, events.map((e) => {
      const more = [e.where, e.who, e.why].filter(Boolean);
      return h('li', {}, h('strong', {}, `${formatDate(e.when)} · ${stepName(e.what)}`), more.length ? h('small', {}, more.join(' · ')) : null);
    })) : null,
    h('div', { class: 'form-row' }, f('when'), f('what')),
    h('div', { class: 'form-row' }, f('where'), f('who')),
    h('div', { class: 'form-row' }, f('why'))), async () => {
    const body = { what: inputs.what.value };
    readDays(inputs, labels, ['when'], body);
    for (const k of ['where', 'who', 'why']) {
      const text = inputs[k].value.trim();
      if (text) body[k] = text;
    }
    try {
      await mapi(`/api/v1/lots/${enc(lot.sku)}/${enc(lot.lot)}/events`, { method: 'POST', body });
    } catch (err) {
      throw fieldError(err, inputs, labels);
    }
    toast(t('lots.event_saved', { lot: lot.lot }));
    after();
  }, { okKey: 'common.save', okTestid: 'event-save' });
  inputs.what.focus();
}

// labelPanel prints serialised labels of a lot and shows the serials the
// kiosk gave them.
async function labelPanel(box, lot) {
  labelLot = lot.lot;
  for (const row of $$('[data-testid="lot-row"]')) row.classList.toggle('selected', row.dataset.lot === lot.lot);
  const count = h('input', { type: 'number', min: '1', max: '1000', step: '1', inputmode: 'numeric', value: '1', class: 'amount-input small', testid: 'label-count' });
  const printer = h('select', { testid: 'label-printer' });
  const size = h('select', { testid: 'label-size' },
    h('option', { value: '' }, t('labels.size_default')), LABEL_SIZES.map((s) => h('option', { value: s }, s.replace('x', ' × ').replace('mm', ' mm'))));
  const out = h('div', { testid: 'label-result', 'aria-live': 'polite' });
  const print = h('button', { type: 'button', class: 'btn-primary', testid: 'label-print', disabled: true }, t('labels.print'));
  print.addEventListener('click', async () => {
    const n = Number(count.value);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      count.setAttribute('aria-invalid', 'true');
      setChildren(out, msg('error', t('labels.bad_count')));
      return;
    }
    count.removeAttribute('aria-invalid');
    const body = { count: n, printer: printer.value };
    if (size.value) body.size = size.value;
    print.disabled = true; // each call takes new serials: no double print
    setChildren(out, h('p', { class: 'hint' }, t('common.loading')));
    try {
      const res = await mapi(`/api/v1/lots/${enc(lot.sku)}/${enc(lot.lot)}/labels`, { method: 'POST', body });
      const serials = res.serials || [];
      setChildren(out, msg('ok', t('labels.queued', { n: serials.length, printer: body.printer })),
        h('p', { class: 'serials', testid: 'label-serials', dataset: { first: serials[0] || '', last: serials[serials.length - 1] || '' } },
          t('labels.serials'), ' ', h('strong', {}, serialsText(serials))));
      refreshPrinters();
    } catch (err) {
      setChildren(out, msg('error', errorMessage(err)));
    } finally {
      print.disabled = false;
      out.scrollIntoView({ block: 'nearest' });
    }
  });
  setChildren(box, h('div', { class: 'panel', testid: 'label-panel', dataset: { lot: lot.lot } },
    h('h3', {}, t('labels.title', { lot: lot.lot })),
    h('p', { class: 'hint' }, t('labels.hint')),
    h('div', { class: 'form-row' },
      field(t('labels.count'), count), field(t('labels.printer'), printer), field(t('labels.size'), size), print),
    out));
  box.scrollIntoView({ block: 'nearest' });
  try {
    const res = await api('/api/v1/printers');
    const list = res.printers || [];
    setChildren(printer, list.map((pr) => h('option', { value: pr.name, title: pr.profile || '' }, `${pr.name} (${printerStateLabel(pr.state)})`)));
    printer.value = (list.find((pr) => pr.name === 'label') || list[0] || { name: '' }).name;
    if (list.length === 0) setChildren(out, msg('error', t('labels.no_printer')));
    else print.disabled = false;
  } catch (err) {
    setChildren(out, msg('error', errorMessage(err)));
  }
}

// productsByGTIN looks up the products of a few GTINs (for their names).
async function productsByGTIN(gtins) {
  const out = new Map();
  await Promise.all([...new Set(gtins)].map(async (g) => {
    try {
      const res = await api(`/api/v1/products/${enc(g)}`);
      if (res && res.product) out.set(g, res.product);
    } catch {
      // the GTIN alone is shown
    }
  }));
  return out;
}

async function loadFlagged(box) {
  try {
    const res = await mapi('/api/v1/scans/flagged');
    const list = res.flagged || [];
    const products = await productsByGTIN(list.map((f) => f.gtin));
    setChildren(box, h('p', { class: 'hint' }, t('flagged.hint', { days: res.days, places: res.places })),
      list.length === 0 ? h('p', { class: 'hint', testid: 'flagged-none' }, t('flagged.none')) : table(
        [[t('flagged.serial')], [t('lot.code')], [t('flagged.product')], [t('flagged.days'), true], [t('flagged.places'), true], [t('flagged.count'), true], [t('flagged.first')], [t('flagged.last')], [t('lots.trace')]],
        list.map((f) => h('tr', { testid: 'flagged-row', dataset: { serial: f.serial, lot: f.lot, gtin: f.gtin } },
          h('td', {}, h('strong', {}, f.serial)),
          h('td', {}, f.lot),
          h('td', {}, products.has(f.gtin) ? [productName(products.get(f.gtin)), h('br')] : null, h('small', {}, f.gtin)),
          h('td', { class: 'num' }, h('span', { class: 'badge badge-voided' }, formatNumber(f.days))),
          h('td', { class: 'num' }, h('span', { class: 'badge badge-voided' }, formatNumber(f.places))),
          h('td', { class: 'num' }, formatNumber(f.count)),
          h('td', {}, formatDateTime(f.first)),
          h('td', {}, formatDateTime(f.last)),
          // The lot's page, not the label's: opening the label's own page
          // would count as one more scan of it.
          h('td', {}, traceLink(tracePath({ gtin: f.gtin, lot: f.lot }), 'flagged-trace')))), 'flagged'));
  } catch (err) {
    setChildren(box, msg('error', errorMessage(err)));
  }
}

// ---- catalog import ----

async function renderImport(section) {
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
          producers = null;
          setChildren(out, msg('ok', t('imp.ok', { producers: res.producers || 0, products: res.products || 0, lots: res.lots || 0 })));
        } catch (err) {
          const rows = (err.details && err.details.rows) || [];
          setChildren(out, msg('error', rows.length ? t('imp.rejected', { n: rows.length }) : errorMessage(err)),
            rows.length ? table([[t('imp.row'), true], [t('imp.column')], [t('imp.problem')]], rows.map((r) => h('tr', { testid: 'import-error' },
              h('td', { class: 'num' }, String(r.row)), h('td', {}, r.column || ''), h('td', {}, r.message))), 'import-errors') : null);
        }
      } } }, t('imp.submit'))),
    out));
}

// ---- printers ----

async function renderPrinters(section) {
  const res = await api('/api/v1/printers');
  const printers = res.printers || [];
  showPrinters(printers);
  heading(section, 'printers',
    h('div', { class: 'form-row' }, h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show('printers') } }, t('common.refresh'))),
    h('div', { class: 'panel' }, table(
      [[t('prn.name')], [t('prn.profile')], [t('prn.state')], [t('prn.queue'), true], [t('prn.printed'), true], [t('prn.last_error')], ['']],
      printers.map((p) => h('tr', { testid: 'printer-row', dataset: { name: p.name, state: p.state } },
        h('td', {}, h('strong', {}, p.name), h('br'), h('small', {}, p.url || '')),
        h('td', {}, p.profile || ''),
        h('td', {}, h('span', { class: `badge badge-${p.state === 'ready' ? 'completed' : 'voided'}` }, printerStateLabel(p.state))),
        h('td', { class: 'num' }, String(p.queue || 0)),
        h('td', { class: 'num' }, String(p.printed || 0)),
        h('td', {}, p.last_error || ''),
        h('td', {}, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn-secondary', testid: 'printer-test', on: { click: async () => {
          try {
            await mapi(`/api/v1/printers/${encodeURIComponent(p.name)}/test`, { method: 'POST' });
            toast(t('prn.test_queued', { name: p.name }));
          } catch (err) { toast(errorMessage(err), { kind: 'error' }); }
        } } }, t('prn.test')))))), 'printers')));
}

// ---- pairing ----

async function renderPairing(section) {
  const till = h('input', { type: 'text', value: 'T1', maxlength: '16', testid: 'pair-till', autocomplete: 'off' });
  const role = h('select', { testid: 'pair-role' }, ['display', 'till', 'self'].map((r) => h('option', { value: r }, t(`role.${r}`))));
  const out = h('div', { testid: 'pair-result' });
  const devices = h('div');
  heading(section, 'pairing',
    h('div', { class: 'panel' },
      h('div', { class: 'form-row' },
        field(t('pair.till'), till),
        field(t('pair.role'), role),
        h('button', { type: 'button', class: 'btn-primary', testid: 'pair-create', on: { click: async () => {
          try {
            const res = await mapi('/api/v1/pairing', { method: 'POST', body: { till: till.value.trim().toUpperCase(), role: role.value } });
            const canvas = h('canvas', { width: 1, height: 1, testid: 'pair-qr', role: 'img', 'aria-label': res.url });
            setChildren(out, h('div', { class: 'pair-result' }, canvas, h('div', {},
              h('p', { class: 'pair-code', testid: 'pair-code' }, res.code),
              h('p', {}, t('pair.hint', { url: res.url })),
              h('p', { class: 'hint' }, `${t(`role.${res.role || role.value}`)} · ${res.till || till.value} · ${t('pair.expires', { time: formatTime(res.expires) })}`))));
            setTimeout(() => drawQR(canvas, res.url), 0);
            loadDevices(devices);
          } catch (err) { setChildren(out, msg('error', errorMessage(err))); }
        } } }, t('pair.create'))),
      out),
    h('div', { class: 'panel' }, h('h3', {}, t('pair.devices')), devices));
  loadDevices(devices);
}

async function loadDevices(box) {
  try {
    const res = await mapi('/api/v1/devices');
    setChildren(box, table([[t('prn.name')], [t('sales.time')], ['']], (res.devices || []).map((d) => h('tr', { testid: 'device-row' },
      h('td', {}, d.name), h('td', {}, formatDateTime(d.created)),
      h('td', {}, d.revoked ? t('pair.revoked') : h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn-secondary', on: { click: async () => {
        try {
          await mapi(`/api/v1/devices/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
          loadDevices(box);
        } catch (err) { toast(errorMessage(err), { kind: 'error' }); }
      } } }, t('pair.revoke')))))), 'devices'));
  } catch (err) {
    setChildren(box, msg('error', errorMessage(err)));
  }
}
