// What the manager pages share: the manager PIN (asked once per tab, kept in
// sessionStorage, asked again when the kiosk refuses it) and the calls that
// carry it, the form dialog, and small builders of fields, messages, tables
// and the product picker.

import { api, ApiError, setManagerPin } from './api.js';
import { errorText, productName, t } from './i18n.js';
import { $, closeDialog, h, keypad, openDialog, setChildren, showPrinters, typeKey } from './ui.js';

let pinWaiters = []; // resolved when a right PIN is entered
let formOk = null; // what the form dialog's OK does
let producers = null; // id → producer

export async function refreshPrinters() {
  try {
    const res = await api('/api/v1/printers');
    showPrinters(res.printers || []);
  } catch {
    showPrinters(null);
  }
}

// ---- the PIN ----

export function setupPin() {
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
export function askPin() {
  return new Promise((resolve) => {
    pinWaiters.push(resolve);
    openDialog($('#pin-dialog'));
    $('#pin-input').focus();
  });
}

// mapi is api() for manager calls: it sends the PIN, and when the kiosk
// refuses it, asks for it again and retries once.
export async function mapi(path, opts = {}) {
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

export function setupForm() {
  const close = () => closeDialog($('#form-dialog'));
  // The close event comes a moment after the dialog closes: by then another
  // form may have opened in it, whose OK must stay armed.
  $('#form-dialog').addEventListener('close', () => { if (!$('#form-dialog').open) formOk = null; });
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
// words (a dictionary key) and data-testid; cancel: the other button's words.
// Buttons say what they do: a void's are "Huỷ đơn" (void the sale) and
// "Đóng" (close), never "Đồng ý" and "Huỷ", which could mean either.
export function formDialog(title, body, onOk, { okKey = 'common.ok', okTestid = 'form-ok', cancelKey = 'common.cancel', danger = false } = {}) {
  $('#form-title').textContent = title;
  setChildren($('#form-body'), body);
  $('#form-error').hidden = true;
  const ok = $('#form-ok');
  ok.dataset.i18n = okKey;
  ok.dataset.testid = okTestid;
  ok.textContent = t(okKey);
  ok.className = `${danger ? 'btn-danger' : 'btn-primary'} btn-big`;
  const cancel = $('#form-cancel');
  cancel.dataset.i18n = cancelKey;
  cancel.textContent = t(cancelKey);
  formOk = onOk;
  openDialog($('#form-dialog'));
}

export function errorMessage(err) {
  return err instanceof Error && !(err instanceof ApiError) ? err.message : errorText(err.code, err.message);
}

export function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

export function msg(kind, text) {
  return h('p', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function heading(section, name, ...extra) {
  setChildren(section, h('h2', {}, t(`mgr.tab.${name}`)), ...extra);
}

export function kv(rows) {
  return h('dl', { class: 'kv' }, rows.filter(Boolean).map(([k, v, cls]) => [h('dt', {}, k), h('dd', { class: cls || '' }, v)]));
}

export function table(head, rows, testid) {
  return h('table', { class: 'data', testid },
    h('thead', {}, h('tr', {}, head.map(([label, num]) => h('th', { scope: 'col', class: num ? 'num' : '' }, label)))),
    h('tbody', {}, rows));
}

export function enc(s) {
  return encodeURIComponent(s);
}

export async function loadProducers() {
  if (producers) return producers;
  try {
    const res = await api('/api/v1/producers');
    producers = new Map((res.producers || []).map((p) => [p.id, p]));
  } catch {
    producers = new Map();
  }
  return producers;
}

// forgetProducers drops the producers kept, after an import.
export function forgetProducers() {
  producers = null;
}

// producerName is a producer's name from the producers loaded, else its id.
export function producerName(id) {
  return (producers && producers.get(id) && producers.get(id).name) || id;
}

// productPicker is a search box answering as you type with a list of
// products to choose from; onPick gets the product chosen.
export function productPicker(testid, onPick) {
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
