// The manager's lots tab: a product's lots, their dates, origin and
// certifications, trace events (TCVN 12850: who, what, where, when, why),
// serialised labels, and the labels whose scans look copied.

import { api, ApiError } from './api.js';
import { formatDate, formatDateTime, formatNumber, isoDay, parseDay } from './format.js';
import { getLang, originName, printerStateLabel, productName, t } from './i18n.js';
import { serialsText, traceLinkPath, tracePath, withLang } from './trace.js';
import { $$, h, setChildren, toast } from './ui.js';
import {
  enc, errorMessage, field, formDialog, heading, mapi, msg, productPicker, refreshPrinters, table,
} from './mgrkit.js';
import { stampDialog } from './mgrstamps.js';

const TRACE_STEPS = ['harvest', 'processing', 'packing', 'shipping', 'certification', 'other'];
const LABEL_SIZES = ['40x30', '50x30', '58mm'];
let lotProduct = null; // the product the lots tab shows (kept across language switches)
let labelLot = null; // the lot whose label panel is open

export async function renderLots(section) {
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
    h('td', {}, h('strong', { class: 'nowrap' }, l.lot), l.origin ? [h('br'), h('small', {}, originName(l.origin))] : null),
    h('td', {}, formatDate(l.produced_on)),
    h('td', {}, formatDate(l.expires_on)),
    h('td', { class: 'num' }, formatNumber(l.quantity)),
    h('td', { class: 'num', testid: 'lot-events' }, String((l.events || []).length)),
    h('td', {}, traceLink(traceLinkPath(l.digital_link || ''), 'lot-trace')),
    h('td', {}, h('div', { class: 'actions nowrap' },
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-edit', on: { click: () => lotForm(p, l, reload) } }, t('lots.edit')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-event-add', on: { click: () => eventForm(l, reload) } }, t('lots.add_event')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-labels', disabled: !l.gtin, on: { click: () => labelPanel(labels, l) } }, t('lots.labels')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'lot-stamps', disabled: !l.gtin, on: { click: () => stampDialog(labels, l) } }, t('lots.stamps'))))));
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
