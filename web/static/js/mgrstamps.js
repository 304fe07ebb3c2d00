// The manager's stamp runs (lots tab): a run of serialised QR stamps of a lot,
// as a PDF for a print shop or to the kiosk's label printer, whose progress
// the panel follows until the run ends. The pure parts (the body sent, the
// words and buttons of a run's state) are exported for the unit tests.

import { ApiError, device, managerPin } from './api.js';
import { formatNumber } from './format.js';
import { printerStateLabel, t } from './i18n.js';
import { h, setChildren, toast } from './ui.js';
import { enc, errorMessage, field, formDialog, mapi, msg } from './mgrkit.js';

export const STAMP_SIZES = ['20x20', '25x25', '30x30'];
export const MAX_STAMPS = 100000;
const POLL_MS = 1000;

// stampRunBody is the body of POST …/stamps from the form's values, or throws
// an Error whose message is the words for what is wrong.
export function stampRunBody(count, size, output) {
  const text = String(count).trim().replace(/[.\s]/g, '');
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_STAMPS) throw new Error(t('stamps.bad_count', { max: formatNumber(MAX_STAMPS) }));
  if (!STAMP_SIZES.includes(size)) throw new Error(t('stamps.bad_size'));
  if (output !== 'pdf' && output !== 'printer') throw new Error(t('stamps.bad_output'));
  return { count: n, format: output, size };
}

// runPercent is how much of a run is printed, 0 to 100, whole.
export function runPercent(run) {
  if (!run || !run.count) return 0;
  return Math.min(100, Math.floor((100 * (run.printed || 0)) / run.count));
}

// runFinished says whether a run will not move again (polling stops).
export function runFinished(run) {
  return run.state === 'done' || run.state === 'cancelled';
}

// runStatus is the words for a run's state: a printing run held by its
// printer (paper out, switched off) says so.
export function runStatus(run) {
  const progress = t('stamps.progress', { printed: formatNumber(run.printed || 0), count: formatNumber(run.count) });
  if (run.state === 'printing' && run.printer_state && run.printer_state !== 'ready' && run.printer_state !== 'unknown') {
    return `${progress} · ${t('stamps.held', { state: printerStateLabel(run.printer_state) })}`;
  }
  const reason = run.state === 'paused' && run.reason && run.reason !== 'manager' ? ` (${printerStateLabel(run.reason)})` : '';
  return `${progress} · ${t(`stamps.state.${run.state}`)}${reason}`;
}

// runActions are the calls a run takes in its state.
export function runActions(run) {
  switch (run.state) {
    case 'printing': return ['pause', 'cancel'];
    case 'paused': return ['resume', 'cancel'];
    default: return [];
  }
}

function runPath(lot, id) {
  return `/api/v1/lots/${enc(lot.sku)}/${enc(lot.lot)}/stamps${id ? `/${enc(id)}` : ''}`;
}

// stampDialog asks for a run of lot and starts it: a PDF is downloaded, a
// printer run is followed in box.
export function stampDialog(box, lot) {
  const count = h('input', { type: 'text', inputmode: 'numeric', testid: 'stamp-count', value: '1000', autocomplete: 'off', class: 'amount-input small' });
  const size = h('select', { testid: 'stamp-size' }, STAMP_SIZES.map((s) => h('option', { value: s }, `${s.replace('x', ' × ')} mm`)));
  size.value = '25x25';
  const output = h('select', { testid: 'stamp-output' },
    h('option', { value: 'pdf' }, t('stamps.pdf')), h('option', { value: 'printer' }, t('stamps.printer')));
  formDialog(t('stamps.title', { lot: lot.lot }), h('div', { class: 'form-stack' },
    h('p', { class: 'hint' }, t('stamps.hint')),
    h('div', { class: 'form-row' }, field(t('stamps.count'), count), field(t('stamps.size'), size), field(t('stamps.output'), output))), async () => {
    const body = stampRunBody(count.value, size.value, output.value);
    if (body.format === 'pdf') {
      await downloadRun(lot, body);
      return;
    }
    const run = await mapi(runPath(lot), { method: 'POST', body });
    toast(t('stamps.started', { id: run.id, n: formatNumber(run.count) }));
    followRun(box, lot, run);
  }, { okKey: 'stamps.start', okTestid: 'stamp-start' });
  count.focus();
}

// downloadRun makes a PDF run and saves the file (a link cannot carry the
// PIN header).
async function downloadRun(lot, body) {
  const headers = { 'X-Manager-Pin': managerPin(), 'X-Kiosk-Client': '1', 'Content-Type': 'application/json' };
  const d = device();
  if (d) headers.Authorization = `Bearer ${d.token}`;
  const res = await fetch(runPath(lot), { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) {
    let e = {};
    try { e = (await res.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(res.status, e.code || 'internal', e.message || res.statusText);
  }
  const id = res.headers.get('X-Stamp-Run') || 'stamps';
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: `stamps-${id}.pdf` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  toast(t('stamps.pdf_done', { id, first: res.headers.get('X-Stamp-First'), last: res.headers.get('X-Stamp-Last') }));
}

// followRun shows a printer run in box and reads it every second until it
// ends or the panel leaves the page.
export function followRun(box, lot, run) {
  const bar = h('progress', { max: '100', value: '0', class: 'stamp-progress', testid: 'stamp-progress' });
  const status = h('p', { testid: 'stamp-status', 'aria-live': 'polite' });
  const buttons = h('div', { class: 'actions' });
  const err = h('div');
  const panel = h('div', { class: 'panel', testid: 'stamp-run', dataset: { run: run.id } },
    h('h3', {}, t('stamps.run_title', { id: run.id, first: run.first_serial, last: run.last_serial })), bar, status, buttons, err);
  setChildren(box, panel);
  box.scrollIntoView({ block: 'nearest' });
  let timer = 0;
  const show = (r) => {
    bar.value = runPercent(r);
    bar.setAttribute('value', String(runPercent(r)));
    panel.dataset.state = r.state;
    panel.dataset.printed = String(r.printed || 0);
    status.textContent = runStatus(r);
    setChildren(buttons, runActions(r).map((action) => h('button', {
      type: 'button', class: action === 'cancel' ? 'btn-danger' : 'btn-secondary', testid: `stamp-${action}`,
      on: { click: () => act(action) },
    }, t(`stamps.${action}`))));
  };
  const poll = async () => {
    if (!panel.isConnected) return;
    try {
      const r = await mapi(runPath(lot, run.id));
      setChildren(err);
      show(r);
      if (runFinished(r)) return;
    } catch (e) {
      setChildren(err, msg('error', errorMessage(e)));
    }
    timer = setTimeout(poll, POLL_MS);
  };
  const act = async (action) => {
    try {
      show(await mapi(`${runPath(lot, run.id)}/${action}`, { method: 'POST' }));
    } catch (e) {
      setChildren(err, msg('error', errorMessage(e)));
    }
    clearTimeout(timer);
    poll();
  };
  show(run);
  poll();
}
