// The manager's portal tab: how complete each product is against the ten
// data items the national traceability portal takes (Circular 02/2024/
// TT-BKHCN), what each still lacks and in which lot, and the export as CSV or
// JSON (GET /api/v1/portal/export). The arithmetic is pure and tested in
// web/jstest/portal.test.js; the kiosk decides what is lacking.

import { ApiError, device, managerPin } from './api.js';
import { t } from './i18n.js';
import { h, toastError } from './ui.js';
import { heading, mapi, table } from './mgrkit.js';

export const PORTAL_ITEMS = ['name', 'images', 'producer', 'address', 'stages', 'production_time',
  'trace_code', 'brand_or_serial', 'shelf_life', 'standards'];

// portalRows orders the report for the screen: the least complete products
// first (the manager's work), then by SKU; each with its share of the ten
// items as a whole percentage and a class for its badge.
export function portalRows(report) {
  const total = (report.items || PORTAL_ITEMS).length;
  return (report.products || []).map((p) => {
    const complete = Math.max(0, Math.min(total, p.complete));
    return {
      sku: p.sku, name: p.name, lots: p.lots || 0, complete, total,
      percent: Math.round((complete * 100) / total),
      level: complete === total ? 'full' : complete >= total - 2 ? 'near' : 'low',
      missing: p.missing || [],
      byLot: Object.entries(p.by_lot || {}).sort(([a], [b]) => a.localeCompare(b)),
    };
  }).sort((a, b) => a.complete - b.complete || a.sku.localeCompare(b.sku));
}

// itemsText names the items in the language asked for, in the circular's order.
export function itemsText(keys, lang) {
  const order = (k) => { const i = PORTAL_ITEMS.indexOf(k); return i < 0 ? PORTAL_ITEMS.length : i; };
  return [...keys].sort((a, b) => order(a) - order(b))
    .map((k) => t(`portal.item.${k}`, {}, lang)).join(', ');
}

// portalSummary is "{full}/{total} products complete".
export function portalSummary(rows, lang) {
  return t('portal.summary', { full: rows.filter((r) => r.level === 'full').length, total: rows.length }, lang);
}

export async function renderPortal(section) {
  const report = await mapi('/api/v1/portal/export');
  const rows = portalRows(report);
  const body = rows.map((r) => h('tr', { testid: 'portal-row', dataset: { sku: r.sku, complete: String(r.complete) } },
    h('td', {}, h('strong', {}, r.name), h('br'), h('small', {}, r.sku)),
    h('td', { class: 'num' }, String(r.lots)),
    h('td', { class: 'num' }, h('span', { class: `badge badge-portal-${r.level}` }, `${r.complete}/${r.total}`)),
    h('td', { testid: 'portal-missing' }, r.missing.length === 0 ? t('portal.none_missing') : [
      itemsText(r.missing),
      ...r.byLot.map(([lot, keys]) => [h('br'), h('small', {}, t('portal.lot_missing', { lot, items: itemsText(keys) }))]),
    ])));
  heading(section, 'portal',
    h('p', { class: 'hint' }, t('portal.hint')),
    h('div', { class: 'form-row' },
      h('p', { class: 'grow', testid: 'portal-summary' }, portalSummary(rows)),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'portal-csv', on: { click: () => download('csv') } }, t('portal.csv')),
      h('button', { type: 'button', class: 'btn-secondary', testid: 'portal-json', on: { click: () => download('json') } }, t('portal.json'))),
    table([[t('portal.product')], [t('portal.lots'), true], [t('portal.complete'), true], [t('portal.missing')]], body, 'portal-table'));
}

// download fetches the export with the manager's credentials (a link cannot
// carry the PIN header) and saves it as a file.
async function download(format) {
  const headers = { 'X-Manager-Pin': managerPin(), 'X-Kiosk-Client': '1' };
  const d = device();
  if (d) headers.Authorization = `Bearer ${d.token}`;
  try {
    const res = await fetch(`/api/v1/portal/export?format=${format}`, { headers });
    if (!res.ok) {
      let e = {};
      try { e = (await res.json()).error || {}; } catch { /* not JSON */ }
      throw new ApiError(res.status, e.code || 'internal', e.message || res.statusText);
    }
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `portal.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    toastError(err);
  }
}
