// The manager's invoices tab: the kiosk's invoicing as its start-up settings
// give it (read-only: the flags set it), the MCCQT counter's numbers used and
// left with a warning well before they run out, the last days' counts
// (issued, delivered, refused, late: not delivered by the end of their day),
// and the invoices newest first with their delivery state (the provider's
// reason for a refusal), the original an adjustment names, and their XML.

import { formatDate, formatDateTime, formatNumber, formatVND } from './format.js';
import { t } from './i18n.js';
import { h, setChildren, toast } from './ui.js';
import { enc, errorMessage, heading, kv, mapi, msg, table } from './mgrkit.js';

const STATES = ['', 'issued', 'delivered', 'refused'];

export async function renderInvoices(section) {
  const v = await mapi('/api/v1/invoicing');
  if (!v.enabled) {
    heading(section, 'invoices', msg('info', t('inv.off')));
    return;
  }
  const list = h('div', { class: 'panel', testid: 'inv-list' });
  const filter = h('select', { testid: 'inv-state', 'aria-label': t('inv.filter_state') },
    STATES.map((s) => h('option', { value: s }, s ? t(`inv.${s}`) : t('inv.all'))));
  filter.addEventListener('change', () => loadList(list, filter.value, '', true));
  heading(section, 'invoices',
    ...warnings(v),
    h('div', { class: 'panel', testid: 'inv-settings' }, h('h3', {}, t('inv.settings')), settings(v)),
    h('div', { class: 'panel' }, h('h3', {}, t('inv.days')), days(v.days || [])),
    h('div', { class: 'panel' }, h('h3', {}, t('inv.list')), h('div', { class: 'form-row' }, filter)),
    list);
  await loadList(list, '', '', true);
}

// warnings say what stops or soon stops invoicing: the numbering waiting
// for the hub, the counter's block running out.
function warnings(v) {
  const out = [];
  if (!v.verified) out.push(msg('error', t('inv.unverified')));
  if (v.counter && v.counter.warn) out.push(h('p', { class: 'msg msg-error', role: 'alert', testid: 'inv-low' }, t('inv.low', { left: formatNumber(v.counter.left) })));
  return out;
}

function settings(v) {
  const c = v.counter || {};
  const block = c.block && (c.block.from || c.block.to) ? `${pad(c.block.from)}–${pad(c.block.to)}` : t('inv.block_hub');
  return kv([
    [t('inv.seller'), `${v.seller.name} · MST ${v.seller.tax_code} · ${v.seller.address}`],
    [t('inv.method'), t(`inv.method.${v.tax_method}`)],
    [t('inv.symbol'), `${v.form}${v.current_symbol}`],
    [t('inv.cqt_code'), v.cqt_code],
    [t('inv.block'), block],
    [' ', t('inv.left', { left: formatNumber(c.left || 0), used: formatNumber(c.used || 0) }), c.warn ? 'bad' : ''],
  ]);
}

function pad(n) {
  return String(n || 0).padStart(11, '0');
}

function days(list) {
  return table([[t('inv.day')], [t('inv.issued'), true], [t('inv.delivered'), true], [t('inv.refused'), true], [t('inv.late'), true]],
    list.map((d) => h('tr', { testid: 'inv-day' },
      h('td', {}, formatDate(d.day)),
      h('td', { class: 'num' }, formatNumber(d.issued)),
      h('td', { class: 'num' }, formatNumber(d.delivered)),
      h('td', { class: `num ${d.refused ? 'bad' : ''}` }, formatNumber(d.refused)),
      h('td', { class: `num ${d.late ? 'bad' : ''}` }, formatNumber(d.late)))), 'inv-days');
}

// loadList shows a page of invoices (fresh: from the newest), with "More"
// while pages are left.
async function loadList(list, state, cursor, fresh) {
  let res;
  try {
    res = await mapi('/api/v1/invoices', { query: { state, cursor, limit: 50 } });
  } catch (err) {
    toast(errorMessage(err), { kind: 'error' });
    return;
  }
  const invs = res.invoices || [];
  let body = fresh ? null : list.querySelector('tbody');
  if (!body) {
    if (invs.length === 0) {
      setChildren(list, h('p', { class: 'hint', testid: 'inv-none' }, t('inv.none')));
      return;
    }
    const tbl = table([[t('inv.number')], [t('inv.time')], [t('inv.buyer')], [t('inv.total'), true], [t('inv.state')], ['']], [], 'invoices');
    setChildren(list, tbl);
    body = tbl.querySelector('tbody');
  }
  for (const inv of invs) body.append(row(inv));
  const more = list.querySelector('.inv-more');
  if (more) more.remove();
  if (res.next) {
    list.append(h('button', {
      type: 'button', class: 'btn-secondary inv-more', testid: 'inv-more',
      on: { click: () => loadList(list, state, res.next, false) },
    }, t('inv.more')));
  }
}

function row(inv) {
  const state = inv.state || 'issued';
  const late = state === 'issued' && isoDayVN(inv.issued) < isoDayVN(new Date().toISOString());
  const what = [h('strong', {}, `${inv.form}${inv.symbol} · ${inv.number}`), h('br'), h('small', { class: 'mccqt' }, inv.mccqt)];
  if (inv.adjusts) what.push(h('br'), h('small', {}, t('inv.adjusts', { ref: `${inv.adjusts.form}${inv.adjusts.symbol} · ${inv.adjusts.number}` })));
  if (inv.delegate) what.push(h('br'), h('small', {}, `${inv.seller.name} (MST ${inv.seller.tax_code})`));
  const stateCell = [h('span', { class: `badge badge-inv-${state}`, testid: 'inv-state-badge' }, t(`inv.${state}`))];
  if (late) stateCell.push(' ', h('span', { class: 'badge badge-inv-late' }, t('inv.late')));
  if (inv.state_reason) stateCell.push(h('br'), h('small', { class: 'bad' }, inv.state_reason));
  return h('tr', { testid: 'inv-row', dataset: { number: String(inv.number), state } },
    h('td', {}, what),
    h('td', {}, formatDateTime(inv.issued)),
    h('td', {}, (inv.buyer && (inv.buyer.name || inv.buyer.tax_code || inv.buyer.phone)) || '—'),
    h('td', { class: 'num' }, formatVND(inv.total)),
    h('td', {}, stateCell),
    h('td', {}, h('a', {
      class: 'btn-secondary', testid: 'inv-xml', download: '',
      href: `/r/${enc(inv.sale_id)}/invoices/${enc(inv.mccqt.replaceAll('-', ''))}.xml`,
    }, t('inv.xml'))));
}

// isoDayVN is the Vietnam day (YYYY-MM-DD) of a time: invoices are late once
// their day is over there, whatever zone the browser is in.
function isoDayVN(v) {
  return new Date(new Date(v).getTime() + 7 * 3600e3).toISOString().slice(0, 10);
}

// warnInvoicing tells the manager, on whatever tab, when invoicing needs
// them: the block of MCCQT numbers running out or used up, no block yet, the
// numbering waiting for the hub (as /healthz says it), with a way to the tab.
export async function warnInvoicing(openTab) {
  let health;
  try {
    health = await (await fetch('/healthz', { headers: { Accept: 'application/json' } })).json();
  } catch {
    return;
  }
  const inv = health && health.invoicing;
  const text = inv && {
    low: () => t('inv.low', { left: formatNumber(inv.left || 0) }),
    unverified: () => t('inv.unverified'),
    full: () => t('err.invoice_counter_full'),
    no_block: () => t('err.invoice_no_block'),
  }[inv.state];
  if (!text) return;
  toast(text(), { kind: 'error', ms: 15000, action: { label: t('mgr.tab.invoices'), fn: openTab } });
}
