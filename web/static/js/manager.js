// The manager pages (/manager): shifts with X- and Z-reports (closing shows
// the expected and counted cash and their difference first), the sales with
// void / refund / reprint and today's (a Vietnam day), stock adjustments, the
// low-stock list and product pictures, lots (trace events, labels, labels
// that look copied), promotions, catalog and picture import, printers and
// pairing a second screen. Times are Vietnam time whatever the browser's zone. Manager
// calls carry the PIN (X-Manager-Pin), kept for this browser tab only
// (sessionStorage); a refused PIN asks again. The lots tab is mgrlots.js, the
// stock and import tabs mgrcatalog.js, the promotions tab mgrpromos.js, the invoices tab
// mgrinvoices.js, the portal's completeness tab mgrportal.js, what
// they share mgrkit.js.

import { ApiError, api, managerPin, setManagerPin } from './api.js';
import {
  dayStart, formatDate, formatDateTime, formatNumber, formatTime, formatVND, isoDay, parseAmount,
} from './format.js';
import { printerStateLabel, productName, t } from './i18n.js';
import { drawQR } from './qrcanvas.js';
import { $, $$, h, initLang, listenForScans, setChildren, showPrinters, startSyncBadge, toast, watchDisk } from './ui.js';
import { labelOf } from './trace.js';
import {
  askPin, errorMessage, field, formDialog, heading, kv, loadProducers, mapi, msg, producerName, refreshPrinters, setupForm,
  setupPin, table,
} from './mgrkit.js';
import { renderLots } from './mgrlots.js';
import { renderImport, renderStock } from './mgrcatalog.js';
import { renderPromos } from './mgrpromos.js';
import { renderInvoices, warnInvoicing } from './mgrinvoices.js';
import { renderPortal } from './mgrportal.js';

const TABS = ['shift', 'sales', 'stock', 'lots', 'portal', 'promos', 'invoices', 'import', 'printers', 'cashiers', 'pairing'];
let tab = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'shift';

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
  warnInvoicing(() => show('invoices'));
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
    shift: renderShift,
    sales: renderSales,
    stock: renderStock,
    lots: renderLots,
    portal: renderPortal,
    promos: renderPromos,
    invoices: renderInvoices,
    import: renderImport,
    printers: renderPrinters,
    cashiers: renderCashiers,
    pairing: renderPairing,
  }[name];
  render(section).catch((err) => {
    setChildren(section, h('h2', {}, t(`mgr.tab.${name}`)), msg('error', errorMessage(err)),
      h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show(name) } }, t('common.refresh')));
  });
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
          setChildren(out);
          let now = z;
          try {
            now = await api('/api/v1/shifts/current'); // sales made since the page was drawn count too
          } catch {
            // the figures the page shows
          }
          confirmClose(section, now, amount);
        } } }, t('shift.close'))),
      out));
}

// confirmClose shows what closing the shift will record — the cash expected
// in the drawer, the cash counted, and the difference — and closes it only
// when the manager confirms.
function confirmClose(section, z, counted) {
  const expected = z.expected_cash || 0;
  const diff = counted - expected;
  const words = diff < 0 ? t('shift.diff_short', { amount: formatVND(-diff) }) : diff > 0 ? t('shift.diff_over', { amount: formatVND(diff) }) : t('shift.diff_none');
  formDialog(t('shift.confirm_title', { id: z.shift.id }), h('div', { class: 'form-stack', testid: 'shift-confirm', dataset: { expected: String(expected), counted: String(counted), difference: String(diff) } },
    h('p', { class: 'hint' }, t('shift.confirm_hint')),
    kv([
      [t('rep.expected'), formatVND(expected)],
      [t('rep.counted'), formatVND(counted)],
      [t('rep.difference'), words, diff < 0 ? 'diff-neg strong' : diff > 0 ? 'diff-pos strong' : 'strong'],
    ])), async () => {
    const zr = await mapi('/api/v1/shifts/close', { method: 'POST', body: { counted, shift_id: z.shift.id } });
    heading(section, 'shift', h('div', { class: 'panel', testid: 'z-report' }, msg('ok', t('shift.closed_at', { time: formatDateTime(zr.shift.closed_at || new Date()) })), reportView(zr, t('shift.z')),
      h('div', { class: 'form-row' },
        h('button', { type: 'button', class: 'btn-secondary', on: { click: () => printShift(zr.shift.id) } }, t('shift.print')),
        h('button', { type: 'button', class: 'btn-primary', on: { click: () => show('shift') } }, t('shift.open')))));
  }, { okKey: 'shift.confirm_ok', okTestid: 'shift-close-confirm', cancelKey: 'common.back', danger: true });
}

async function printShift(id) {
  try {
    await api(`/api/v1/shifts/${encodeURIComponent(id)}/print`, { method: 'POST' });
    toast(t('shift.printed'));
  } catch (err) {
    toast(errorMessage(err), { kind: 'error' });
  }
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
    z.by_cashier && z.by_cashier.length ? h('h3', {}, t('rep.by_cashier')) : null,
    z.by_cashier && z.by_cashier.length
      ? table([[t('cashier.title')], [t('rep.cashier_sales'), true], [t('rep.net'), true], [t('rep.cashier_cash'), true]], z.by_cashier.map((c) => h('tr', {},
        h('td', {}, c.name || c.id), h('td', { class: 'num' }, String(c.sales)), h('td', { class: 'num' }, formatVND(c.net)),
        h('td', { class: 'num' }, formatVND(c.cash)))), 'by-cashier')
      : null,
    h('h3', {}, t('rep.by_vat')),
    table([[t('rep.rate')], [t('rep.gross'), true], [t('rep.vat'), true]], (z.by_vat || []).map((v) => h('tr', {},
      h('td', {}, `${v.rate}%`), h('td', { class: 'num' }, formatVND(v.gross)), h('td', { class: 'num' }, formatVND(v.vat)))), 'by-vat'),
    h('h3', {}, t('rep.by_producer')),
    table([[t('rep.producer')], [t('rep.units'), true], [t('rep.net'), true], [t('rep.vat'), true]], (z.by_producer || []).map((p) => h('tr', {},
      h('td', {}, producerName(p.producer_id)),
      h('td', { class: 'num' }, formatNumber(p.units)), h('td', { class: 'num' }, formatVND(p.net)), h('td', { class: 'num' }, formatVND(p.vat)))), 'by-producer'),
    discountsView(z));
}

// discountsView is what the shift gave: the till's discounts by reason and
// what each promotion saved, as the printed Z-report lists them.
function discountsView(z) {
  const reasons = z.discounts_by_reason || [];
  const promos = z.by_promotion || [];
  if (reasons.length === 0 && promos.length === 0) return null;
  return [
    reasons.length ? [h('h3', {}, t('rep.discounts', { amount: formatVND(z.discounts || 0) })),
      table([[t('disc.reason')], [t('rep.count'), true], [t('rep.amount'), true]], reasons.map((d) => h('tr', {},
        h('td', {}, d.reason || t('cart.discount')), h('td', { class: 'num' }, formatNumber(d.count)), h('td', { class: 'num' }, formatVND(d.amount)))), 'by-reason')] : null,
    promos.length ? [h('h3', {}, t('rep.promotions', { amount: formatVND(z.promotions_saved || 0) })),
      table([[t('promo.name')], [t('rep.lines'), true], [t('rep.amount'), true]], promos.map((p) => h('tr', {},
        h('td', {}, p.name || p.id), h('td', { class: 'num' }, formatNumber(p.lines)), h('td', { class: 'num' }, formatVND(p.saved)))), 'by-promotion')] : null,
  ];
}

// ---- sales ----

// The sales list goes newest first, a page at a time, so that after thousands
// of sales the newest can still be voided, refunded or reprinted; a receipt
// number finds any record. "Today only" lists the records since midnight in
// Vietnam (not in the browser's zone, which may be the kiosk machine's UTC),
// with their count and total.
const salesView = { q: '', before: 0, pages: [], today: false };
const TODAY_LIMIT = 1000;

async function renderSales(section) {
  let query = { order: 'desc', limit: 50, before: salesView.before || undefined };
  if (salesView.q) query = { q: salesView.q };
  else if (salesView.today) query = { since: dayStart(isoDay()), limit: TODAY_LIMIT };
  const res = await api('/api/v1/sales', { query });
  let sales = res.sales || [];
  if (salesView.today && !salesView.q) sales = [...sales].reverse(); // newest first, as the other pages
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
      h('td', {}, h('strong', {}, s.receipt_no),
        s.cashier ? h('div', { class: 'hint', testid: 'sale-cashier' }, t('cashier.now', { name: s.cashier.name })) : null),
      h('td', {}, h('span', { class: `badge badge-${s.kind}` }, t(`kind.${s.kind}`))),
      h('td', { class: 'num' }, formatVND(s.total)),
      h('td', {}, methods),
      h('td', {}, s.kind === 'sale' ? h('span', { class: `badge badge-${s.status}` }, t(`status.${s.status}`)) : ''),
      h('td', {}, actions));
  });
  const search = h('input', { type: 'search', testid: 'sales-search', placeholder: t('sales.search'), value: salesView.q,
    on: { keydown: (e) => { if (e.key === 'Enter') find(); } } });
  const find = () => { salesView.q = search.value.trim(); salesView.before = 0; salesView.pages = []; show('sales'); };
  const today = h('button', { type: 'button', class: 'chip', testid: 'sales-today', 'aria-pressed': String(salesView.today),
    on: { click: () => { salesView.today = !salesView.today; salesView.q = ''; salesView.before = 0; salesView.pages = []; show('sales'); } } },
  t('sales.today_only'));
  let summary = null;
  if (salesView.today && !salesView.q) {
    const n = sales.filter((s) => s.kind === 'sale').length;
    const net = sales.reduce((sum, s) => sum + (s.total || 0), 0);
    summary = h('p', { class: 'hint', testid: 'sales-today-sum', dataset: { day: isoDay(), count: String(n), net: String(net) } },
      t('sales.today_sum', { day: formatDate(isoDay()), n, amount: formatVND(net) }));
  }
  const nav = h('div', { class: 'form-row' });
  if (salesView.q || salesView.before) {
    nav.append(h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-newest',
      on: { click: () => { salesView.q = ''; salesView.before = 0; salesView.pages = []; show('sales'); } } }, t('sales.newest')));
  }
  if (!salesView.q && !salesView.today && res.next) {
    nav.append(h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-older',
      on: { click: () => { salesView.pages.push(salesView.before); salesView.before = res.next; show('sales'); } } }, t('sales.older')));
  }
  heading(section, 'sales',
    h('div', { class: 'form-row' }, h('h3', {}, t(salesView.today ? 'sales.today' : 'sales.recent')), search,
      h('button', { type: 'button', class: 'btn-secondary', testid: 'sales-find', on: { click: find } }, t('sales.find')),
      today,
      h('button', { type: 'button', class: 'btn-secondary', on: { click: () => show('sales') } }, t('common.refresh'))),
    summary,
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
  }, { okKey: 'sales.void_ok', cancelKey: 'common.close', danger: true });
  reason.focus();
}

// onDialogScan is what a scan does while the form dialog is open (the refund
// dialog ticks the serial of a stamp scanned), null for nothing.
let onDialogScan = null;
listenForScans((code) => {
  if (onDialogScan && $('#form-dialog').open) onDialogScan(code);
});

// refundSale asks which goods come back. Each line shows what is left of it
// to refund; a line whose units carried serials lists those still with the
// customer, to tick the ones on the goods brought back (each ticked one is a
// unit of the quantity) or to scan.
async function refundSale(s) {
  let left = null;
  try {
    left = (await mapi(`/api/v1/sales/${encodeURIComponent(s.id)}`)).refundable || null;
  } catch {
    // The dialog still opens; the kiosk checks the refund whatever it shows.
  }
  const rows = [];
  const trs = [];
  (s.lines || []).forEach((l, i) => {
    const can = left && left[i] ? left[i] : { qty: l.qty, serials: l.serials || [] };
    const name = l.lot ? `${productName(l)} · ${t('sales.lot', { lot: l.lot })}` : productName(l);
    const input = h('input', {
      type: 'number', min: '0', max: String(can.qty), step: '1', value: '0', class: 'amount-input small',
      testid: 'refund-qty', dataset: { sku: l.sku, line: String(i) }, 'aria-label': `${t('sales.qty_back')}: ${productName(l)}`,
    });
    const boxes = (can.serials || []).map((n) => h('input', { type: 'checkbox', value: n, testid: 'refund-serial', dataset: { serial: n, line: String(i) } }));
    // A ticked serial is a unit coming back: the quantity is at least their count.
    for (const b of boxes) {
      b.addEventListener('change', () => {
        const ticked = boxes.filter((x) => x.checked).length;
        if (Number(input.value) < ticked) input.value = String(ticked);
      });
    }
    rows.push({ l, input, boxes });
    trs.push(h('tr', {}, h('td', {}, name),
      h('td', { class: 'num' }, `${l.qty} × ${formatVND(l.price)}`, can.qty < l.qty ? h('div', { class: 'hint' }, t('sales.left_to_refund', { n: can.qty })) : null),
      h('td', { class: 'num' }, input)));
    if (boxes.length > 0) {
      trs.push(h('tr', { class: 'refund-serials' }, h('td', { colspan: '3' },
        h('fieldset', { testid: 'refund-serials' },
          h('legend', {}, t('sales.serials_back')),
          boxes.map((b) => h('label', { class: 'serial-pick' }, b, b.value))))));
    }
  });
  // A stamp scanned on the goods brought back ticks its serial.
  onDialogScan = (code) => {
    const label = labelOf(code);
    if (!label || !label.serial) return;
    for (const { l, boxes } of rows) {
      const box = boxes.find((b) => b.value === label.serial && (!label.lot || l.lot === label.lot));
      if (box) {
        if (!box.checked) {
          box.checked = true;
          box.dispatchEvent(new Event('change'));
        }
        return;
      }
    }
    toast(t('sales.serial_not_on_sale', { serial: label.serial }), { kind: 'error' });
  };
  const method = h('select', { testid: 'refund-method' }, ['cash', 'card', 'vietqr', 'ewallet'].map((m) => h('option', { value: m }, t(`pay.${m}`))));
  const restock = h('input', { type: 'checkbox', checked: true, testid: 'refund-restock' });
  const reason = h('input', { type: 'text', testid: 'refund-reason', maxlength: '200', autocomplete: 'off' });
  formDialog(t('sales.refund_title', { receipt: s.receipt_no }), [
    h('div', { class: 'panel' }, table([[''], [''], [t('sales.qty_back'), true]], trs)),
    h('div', { class: 'panel' },
      h('div', { class: 'form-row' }, field(t('sales.refund_by'), method), field(t('sales.reason'), reason)),
      h('label', { class: 'form-row' }, restock, ' ', t('sales.restock'))),
  ], async () => {
    const want = rows.map(({ l, input, boxes }) => {
      const line = { sku: l.sku, qty: Number(input.value) };
      if (l.lot) line.lot = l.lot;
      const serials = boxes.filter((b) => b.checked).map((b) => b.value);
      if (serials.length > 0) line.serials = serials;
      return line;
    }).filter((l) => Number.isInteger(l.qty) && l.qty > 0);
    if (want.length === 0) throw new ApiError(422, 'bad_quantity', '');
    if (!reason.value.trim()) throw new ApiError(422, 'reason_required', '');
    const rec = await mapi(`/api/v1/sales/${encodeURIComponent(s.id)}/refund`, {
      method: 'POST', body: { lines: want, method: method.value, restock: restock.checked, reason: reason.value.trim() },
    });
    toast(t('sales.refunded', { receipt: rec.receipt_no || s.receipt_no }));
    show('sales');
  }, { okKey: 'sales.refund_ok', cancelKey: 'common.close' });
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

// ---- cashiers ----

// renderCashiers lists the people who sell, to add (a name and their PIN) and
// remove. With any, a till sells only once one of them has signed in.
async function renderCashiers(section) {
  const res = await api('/api/v1/cashiers');
  const list = res.cashiers || [];
  const name = h('input', { type: 'text', maxlength: '40', testid: 'cashier-name', autocomplete: 'off' });
  const pin = h('input', { type: 'password', inputmode: 'numeric', maxlength: '8', testid: 'cashier-new-pin', autocomplete: 'new-password' });
  const add = async () => {
    try {
      const c = await mapi('/api/v1/cashiers', { method: 'POST', body: { name: name.value.trim(), pin: pin.value.trim() } });
      toast(t('cashiers.added', { name: c.name }));
      show('cashiers');
    } catch (err) {
      toast(errorMessage(err), { kind: 'error' });
    }
  };
  heading(section, 'cashiers',
    h('p', { class: 'hint' }, t('cashiers.hint')),
    h('div', { class: 'panel' },
      h('div', { class: 'form-row' }, field(t('cashiers.name'), name), field(t('cashiers.pin'), pin),
        h('button', { type: 'button', class: 'btn-primary', testid: 'cashier-add', on: { click: add } }, t('cashiers.add')))),
    list.length === 0 ? h('p', { class: 'hint', testid: 'cashiers-empty' }, t('cashiers.empty')) : h('div', { class: 'panel' }, table(
      [[t('cashiers.name')], ['']],
      list.map((c) => h('tr', { testid: 'cashier-row', dataset: { id: c.id } },
        h('td', {}, c.name),
        h('td', {}, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn-secondary', testid: 'cashier-remove', on: { click: async () => {
          try {
            await mapi(`/api/v1/cashiers/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
            toast(t('cashiers.removed', { name: c.name }));
            show('cashiers');
          } catch (err) {
            toast(errorMessage(err), { kind: 'error' });
          }
        } } }, t('cashiers.remove')))))), 'cashiers')));
  name.focus();
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
