// The manager's promotions tab: the kiosk's promotions with what each
// offers, what it applies to, when it runs (Vietnam time) and whether it runs
// now, who bears it; making, changing and ending one (manager PIN). A change
// names the version it was read at, so an edit made meanwhile on another
// screen is not overwritten: the kiosk answers promotion_changed and the list
// is read again. Words and the request body are promos.js's.

import { api, ApiError } from './api.js';
import { GROUPS, getLang, groupLabel, productName, t } from './i18n.js';
import {
  BEARERS, KINDS, SCOPES, formOf, promoBody, promoState, promoSummary, promoWhen,
} from './promos.js';
import { h, setChildren, toast } from './ui.js';
import {
  enc, errorMessage, field, formDialog, heading, loadProducers, mapi, productPicker, table,
} from './mgrkit.js';

export async function renderPromos(section) {
  const producers = await loadProducers();
  const res = await api('/api/v1/promotions');
  const list = res.promotions || [];
  const lang = getLang();
  const reload = () => renderPromos(section).catch((err) => toast(errorMessage(err), { kind: 'error' }));
  const rows = list.map((p) => {
    const state = promoState(p);
    return h('tr', { testid: 'promo-row', dataset: { id: p.id, version: String(p.version), state } },
      h('td', {}, h('strong', {}, lang === 'en' && p.name_en ? p.name_en : p.name), h('br'), h('small', {}, p.id)),
      h('td', { testid: 'promo-offer' }, promoSummary(p, lang)),
      h('td', {}, `${t(`promo.scope.${p.scope}`)}: ${targetName(p, producers)}`),
      h('td', { testid: 'promo-when' }, promoWhen(p, lang)),
      h('td', {}, t(`promo.bearer.${p.bearer}`)),
      h('td', {}, h('span', { class: `badge badge-${state}`, testid: 'promo-state' }, t(`promo.state.${state}`))),
      h('td', {}, h('div', { class: 'actions nowrap' },
        h('button', { type: 'button', class: 'btn-secondary', testid: 'promo-edit', on: { click: () => promoForm(p, reload) } }, t('promo.edit')),
        h('button', { type: 'button', class: 'btn-danger', testid: 'promo-delete', on: { click: () => endPromo(p, reload) } }, t('promo.delete')))));
  });
  heading(section, 'promos',
    h('div', { class: 'panel' },
      h('p', { class: 'hint' }, t('promo.hint')),
      h('div', { class: 'form-row' },
        h('button', { type: 'button', class: 'btn-primary', testid: 'promo-new', on: { click: () => promoForm(null, reload) } }, t('promo.new')),
        h('button', { type: 'button', class: 'btn-secondary', on: { click: reload } }, t('common.refresh')))),
    list.length === 0 ? h('p', { class: 'hint', testid: 'promo-none' }, t('promo.none')) : h('div', { class: 'panel' }, table(
      [[t('promo.name')], [t('promo.what')], [t('promo.scope')], [t('promo.when')], [t('promo.bearer')], [t('promo.state')], [t('sales.actions')]],
      rows, 'promos')));
}

// targetName names what a promotion applies to: a product's SKU, a
// producer's name, a group's.
function targetName(p, producers) {
  if (p.scope === 'group') return groupLabel(p.target);
  if (p.scope === 'producer') return (producers && producers.get(p.target) && producers.get(p.target).name) || p.target;
  return p.target;
}

function select(testid, values, label, chosen) {
  return h('select', { testid }, values.map((v) => h('option', { value: v, selected: v === chosen ? 'selected' : null }, label(v))));
}

// promoForm makes (p null) or changes a promotion.
function promoForm(p, reload) {
  const create = !p;
  const f = formOf(p || {});
  const inputs = {};
  const text = (name, attrs = {}) => {
    inputs[name] = h('input', { type: 'text', autocomplete: 'off', testid: `promo-${name}`, value: f[name], ...attrs });
    return inputs[name];
  };
  inputs.kind = select('promo-kind', KINDS, (k) => t(`promo.kind.${k}`), f.kind);
  inputs.scope = select('promo-scope', SCOPES, (s) => t(`promo.scope.${s}`), f.scope);
  inputs.bearer = select('promo-bearer', BEARERS, (b) => t(`promo.bearer.${b}`), f.bearer);
  const kindBoxes = {
    percent: [field(t('promo.percent'), text('percent', { inputmode: 'decimal', placeholder: '10' }))],
    amount: [field(t('promo.amount'), text('amount', { inputmode: 'numeric' }))],
    buy_get: [field(t('promo.buy'), text('buy', { inputmode: 'numeric' })), field(t('promo.get'), text('get', { inputmode: 'numeric' }))],
    bundle: [field(t('promo.bundle_qty'), text('bundle_qty', { inputmode: 'numeric' })), field(t('promo.bundle_price'), text('bundle_price', { inputmode: 'numeric' }))],
  };
  const kindBox = h('div', { class: 'promo-form wide' });
  const showKind = () => setChildren(kindBox, kindBoxes[inputs.kind.value]);
  inputs.kind.addEventListener('change', showKind);
  showKind();

  // What it applies to: a product picked by search (or its SKU typed), a
  // producer, a group.
  inputs.target = text('target', { maxlength: '40' });
  const picked = h('small', { class: 'hint' });
  const { search, results } = productPicker('promo-product', (prod) => {
    inputs.target.value = prod.sku;
    picked.textContent = productName(prod);
  });
  const producerSel = h('select', { testid: 'promo-producer' });
  const groupSel = select('promo-group', GROUPS, (g) => groupLabel(g), f.scope === 'group' ? f.target : GROUPS[0]);
  const targetBox = h('div', { class: 'wide' });
  const showScope = async () => {
    const scope = inputs.scope.value;
    if (scope === 'sku') {
      setChildren(targetBox, field(t('promo.target'), inputs.target), picked, field(t('search.label'), search), results);
    } else if (scope === 'producer') {
      const producers = await loadProducers();
      setChildren(producerSel, [...producers.values()].map((pr) => h('option', {
        value: pr.id, selected: f.scope === 'producer' && pr.id === f.target ? 'selected' : null,
      }, pr.name)));
      setChildren(targetBox, field(t('promo.scope.producer'), producerSel));
    } else {
      setChildren(targetBox, field(t('promo.scope.group'), groupSel));
    }
  };
  inputs.scope.addEventListener('change', showScope);
  showScope();

  const body = h('div', { class: 'promo-form', testid: 'promo-form' },
    create ? field(t('promo.id'), text('id', { maxlength: '40' })) : null,
    field(t('promo.name'), text('name', { maxlength: '120' })),
    field(t('promo.name_en'), text('name_en', { maxlength: '120' })),
    field(t('promo.kind'), inputs.kind),
    kindBox,
    field(t('promo.scope'), inputs.scope),
    targetBox,
    field(t('promo.from'), text('from', { placeholder: t('date.placeholder'), maxlength: '12' })),
    field(t('promo.to'), text('to', { placeholder: t('date.placeholder'), maxlength: '12' })),
    field(t('promo.hours_from'), text('hours_from', { placeholder: '08:00', maxlength: '5' })),
    field(t('promo.hours_to'), text('hours_to', { placeholder: '21:00', maxlength: '5' })),
    field(t('promo.bearer'), inputs.bearer));

  formDialog(create ? t('promo.new_title') : t('promo.edit_title', { id: p.id }), body, async () => {
    const values = { ...f };
    for (const [k, el] of Object.entries(inputs)) values[k] = el.value;
    if (values.scope === 'producer') values.target = producerSel.value;
    if (values.scope === 'group') values.target = groupSel.value;
    for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
    const r = promoBody(values, { create });
    if (r.error) {
      const el = inputs[r.field];
      if (el) {
        el.setAttribute('aria-invalid', 'true');
        el.focus();
      }
      throw new Error(t(r.error, { field: fieldLabel(r.field) }));
    }
    let saved;
    try {
      saved = create
        ? await mapi('/api/v1/promotions', { method: 'POST', body: r.body })
        : await mapi(`/api/v1/promotions/${enc(p.id)}`, { method: 'PUT', body: r.body });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'promotion_changed') {
        reload();
        throw new Error(t('promo.changed'));
      }
      throw err;
    }
    toast(t('promo.saved', { name: saved.name }));
    reload();
  }, { okKey: 'common.save', okTestid: 'promo-save' });
  (create ? inputs.id : inputs.name).focus();
}

function fieldLabel(name) {
  const keys = { from: 'promo.from', to: 'promo.to', hours_from: 'promo.hours_from', hours_to: 'promo.hours_to', bundle_qty: 'promo.bundle_qty', bundle_price: 'promo.bundle_price' };
  return t(keys[name] || `promo.${name}`);
}

// endPromo ends a promotion, naming the version the list showed.
function endPromo(p, reload) {
  formDialog(t('promo.delete_title', { name: p.name }), [h('p', { class: 'hint' }, t('promo.delete_hint'))], async () => {
    try {
      await mapi(`/api/v1/promotions/${enc(p.id)}`, { method: 'DELETE', query: { version: p.version } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'promotion_changed') {
        reload();
        throw new Error(t('promo.changed'));
      }
      throw err;
    }
    toast(t('promo.deleted', { name: p.name }));
    reload();
  }, { okKey: 'promo.delete', okTestid: 'promo-delete-ok', cancelKey: 'common.close', danger: true });
}
