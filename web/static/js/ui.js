// DOM helpers shared by the pages: building elements, the language switch,
// the header's status pills, toasts, product pictures and cards, the number
// pad. Pages import what they need; nothing here runs at import time.

import { api, device } from './api.js';
import { formatNumber, formatVND, initials } from './format.js';
import { errorText, getLang, pickLang, printerStateLabel, productName, setLang, t } from './i18n.js';
import { groupIcon } from './icons.js';
import { ScanDetector } from './scanner.js';
import { debounce, ownImage, starsText } from './catalog.js';

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// h builds an element: h('button', {class: 'x', dataset: {sku}, on: {click}}, 'text', child…).
// Attributes named aria-*, data-*, role, type… are set as attributes; text
// children become text nodes (never parsed as HTML).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'text') el.textContent = v;
    else if (k === 'hidden') el.hidden = Boolean(v);
    else if (k === 'disabled') el.disabled = Boolean(v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (k === 'testid') el.dataset.testid = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// setChildren replaces the children of el.
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- parameters and language ----

// pageParams reads ?till= and the other query parameters. The till defaults
// to the paired device's till, then to def.
export function pageParams(defTill = 'T1') {
  const q = new URLSearchParams(location.search);
  const d = device();
  const till = (q.get('till') || (d && d.till) || defTill).toUpperCase();
  return { till: /^[A-Z0-9-]{1,16}$/.test(till) ? till : defTill, q };
}

// applyI18n fills elements marked data-i18n (text), data-i18n-placeholder,
// data-i18n-aria-label and data-i18n-title from the dictionary.
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

const langListeners = [];

// initLang picks the language (?lang=, then what this screen last used, then
// def), wires every [data-testid=lang-switch] button, and calls onChange after
// each switch. It answers the language.
export function initLang(onChange, def = 'vi') {
  const q = new URLSearchParams(location.search);
  let stored = null;
  try {
    stored = localStorage.getItem('kiosk.lang');
  } catch {
    stored = null;
  }
  const lang = setLang(pickLang(q.get('lang'), stored, def));
  if (onChange) langListeners.push(onChange);
  for (const btn of $$('[data-testid="lang-switch"]')) {
    btn.addEventListener('click', () => switchLang(getLang() === 'vi' ? 'en' : 'vi'));
  }
  renderLang();
  return lang;
}

// switchLang changes the language of the page (and keeps it in the URL and
// for the next visit).
export function switchLang(lang) {
  setLang(lang);
  try {
    localStorage.setItem('kiosk.lang', getLang());
  } catch {
    // private mode: the URL still carries it
  }
  const url = new URL(location.href);
  url.searchParams.set('lang', getLang());
  history.replaceState(null, '', url);
  renderLang();
  for (const fn of langListeners) fn(getLang());
}

function renderLang() {
  const lang = getLang();
  document.documentElement.lang = lang;
  for (const btn of $$('[data-testid="lang-switch"]')) {
    btn.dataset.lang = lang;
    setChildren(btn,
      h('span', { class: lang === 'vi' ? 'on' : '' }, 'VI'),
      h('span', { class: 'sep', 'aria-hidden': 'true' }, '|'),
      h('span', { class: lang === 'en' ? 'on' : '' }, 'EN'));
    btn.setAttribute('aria-label', t('lang.switch'));
  }
  applyI18n();
}

// ---- header status ----

// showConn renders the connection pill. While reconnecting it also asks the
// API whether this screen is allowed at all: a screen on the LAN that was
// never paired gets a banner pointing to /pair instead of spinning forever.
export function showConn(state) {
  for (const el of $$('[data-testid="conn-status"]')) {
    el.dataset.state = state;
    el.textContent = t(state === 'connected' ? 'conn.connected' : 'conn.reconnecting');
  }
  if (state === 'connected') showPairBanner(false);
  else checkAccess();
}

let lastAccessCheck = 0;

async function checkAccess() {
  if (Date.now() - lastAccessCheck < 10000) return;
  lastAccessCheck = Date.now();
  try {
    await api('/api/v1/me');
    showPairBanner(false);
  } catch (err) {
    showPairBanner(err && (err.status === 401 || err.status === 403));
  }
}

function showPairBanner(on) {
  let el = $('#pair-banner');
  if (!on) {
    if (el) el.hidden = true;
    return;
  }
  if (!el) {
    el = h('div', { id: 'pair-banner', class: 'pair-banner', role: 'alert', testid: 'pair-banner' });
    document.body.append(el);
  }
  setChildren(el, h('span', {}, t('err.unauthorized')), h('a', { class: 'btn-primary', href: '/pair' }, t('index.pair')));
  el.hidden = false;
}

// ---- disk full ----

// A full disk stops sales: the kiosk answers disk_full until space returns.
// watchDisk asks /healthz when the page opens, every 30 s, and every 3 s
// while the disk is full, and keeps a banner up meanwhile (key: its words,
// which differ for tourists). noteError puts it up at once when a request or
// a checkout comes back with disk_full.
let diskFull = false;
let diskKey = 'disk.full';
let diskTimer = null;

export function watchDisk(key = 'disk.full') {
  diskKey = key;
  window.addEventListener('kiosk:disk-full', () => noteError('disk_full'));
  checkDisk();
}

export function noteError(code) {
  if (code !== 'disk_full') return;
  showDiskBanner(true);
  scheduleDiskCheck();
}

async function checkDisk() {
  try {
    const res = await fetch('/healthz', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const body = await res.json();
    showDiskBanner(Boolean(body && body.disk === 'full'));
  } catch {
    // The kiosk is out of reach: the connection pill says so.
  }
  scheduleDiskCheck();
}

function scheduleDiskCheck() {
  clearTimeout(diskTimer);
  diskTimer = setTimeout(checkDisk, diskFull ? 3000 : 30000);
}

function showDiskBanner(on) {
  diskFull = on;
  let el = $('#disk-banner');
  if (!on) {
    if (!el) return;
    el.hidden = true;
    if (el.popover && el.matches(':popover-open')) el.hidePopover();
    return;
  }
  if (!el) {
    el = h('div', { id: 'disk-banner', class: 'disk-banner', role: 'alert', testid: 'disk-banner' },
      h('span', { 'data-i18n': diskKey }, t(diskKey)));
    document.body.append(el);
  }
  el.hidden = false;
  raise(el); // above the checkout dialog the failed sale came from
}

// receiptPrinter picks the printer a sale's receipt goes to (role "receipt",
// else the first).
export function receiptPrinter(printers) {
  if (!Array.isArray(printers) || printers.length === 0) return null;
  return printers.find((p) => p.name === 'receipt') || printers[0];
}

// showPrinters renders the printer pill from a printers list.
export function showPrinters(printers) {
  const p = receiptPrinter(printers);
  for (const el of $$('[data-testid="printer-status"]')) {
    if (!p) {
      el.dataset.state = 'none';
      el.textContent = `${t('printer.label')}: ${t('printer.none')}`;
      el.title = '';
      continue;
    }
    el.dataset.state = p.state || 'unknown';
    let text = `${t('printer.label')}: ${printerStateLabel(p.state || 'unknown')}`;
    if (p.queue > 0) text += ` · ${t('printer.queue', { n: p.queue })}`;
    el.textContent = text;
    el.title = p.last_error || '';
  }
}

// syncBadge is what the sync badge says of a GET /api/v1/sync answer: whether
// the hub is reachable, how many records wait, and — after a restore, or on a new
// store, until the hub has been asked — that receipts are numbered in a
// provisional series. A kiosk with no hub (linked: false) has nothing to
// sync: the badge says nothing (null) unless the numbering is provisional.
export function syncBadge(last, tr) {
  const num = last.numbering;
  const provisional = !!(num && num.verified === false);
  const title = provisional ? tr('sync.provisional_why') : '';
  if (last.linked === false) {
    if (!provisional) return null;
    return { text: tr('sync.provisional_alone', { series: num.series || '' }), state: 'alone', provisional, title };
  }
  const reachable = last.hub_reachable ?? last.reachable ?? last.online;
  const depth = last.outbox_depth ?? last.outbox ?? last.pending ?? last.depth;
  const online = reachable === true;
  let text = `${tr('sync.label')}: ${tr(online ? 'sync.online' : 'sync.offline')}`;
  if (typeof depth === 'number' && depth > 0) text += ` · ${tr('sync.pending', { n: depth })}`;
  if (provisional) text += ` · ${tr('sync.provisional', { series: num.series || '' })}`;
  return { text, state: online ? 'online' : 'offline', provisional, title };
}

// startSyncBadge shows GET /api/v1/sync when the kiosk answers it, and hides
// the badge otherwise.
export function startSyncBadge() {
  const els = $$('[data-testid="sync-status"]');
  if (els.length === 0) return;
  let last = null;
  const render = () => {
    for (const el of els) {
      const b = last && typeof last === 'object' ? syncBadge(last, t) : null;
      el.hidden = !b;
      if (!b) continue;
      el.dataset.state = b.state;
      el.dataset.numbering = b.provisional ? 'provisional' : 'verified';
      el.textContent = b.text;
      el.title = b.title;
    }
  };
  const poll = async () => {
    let wait = 30000;
    try {
      last = await api('/api/v1/sync');
      // While the numbering is provisional, look again soon: it changes as
      // soon as the hub answers.
      if (last && last.numbering && last.numbering.verified === false) wait = 5000;
    } catch (err) {
      last = null;
      // No sync on this kiosk yet: ask again much later, not every 30 s.
      if (err && err.status === 404) wait = 300000;
    }
    render();
    setTimeout(poll, wait);
  };
  langListeners.push(render);
  poll();
}

// ---- toasts ----

// toast shows a short message at the bottom; kind 'error' stays longer.
// action {label, fn} adds a button (Undo).
export function toast(text, { kind = 'info', action = null, ms } = {}) {
  let box = $('#toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'assertive' });
    document.body.append(box);
  }
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: 'toast', dataset: { kind } },
    h('span', {}, text));
  if (action) {
    el.append(h('button', { type: 'button', class: 'toast-action', on: { click: () => { action.fn(); el.remove(); } } }, action.label));
  }
  box.append(el);
  raise(box);
  setTimeout(() => {
    el.remove();
    if (box.children.length === 0 && box.popover && box.matches(':popover-open')) box.hidePopover();
  }, ms || (kind === 'error' ? 6000 : 3000));
  while (box.children.length > 4) box.firstElementChild.remove();
  return el;
}

// raise puts the toasts (or a banner) in the top layer, above an open modal
// dialog (a popover shown after the dialog is drawn over it).
function raise(box) {
  if (typeof box.showPopover !== 'function') return;
  if (!box.popover) box.popover = 'manual';
  if (box.matches(':popover-open')) box.hidePopover();
  box.showPopover();
}

// toastError shows a server error ({code, message}) in the current language.
export function toastError(err) {
  toast(errorText(err && err.code, err && err.message), { kind: 'error' });
}

// ---- products ----

// productThumb is a product's picture: its image when the catalog has one,
// otherwise a tile in the group's colour with its icon and initials.
export function productThumb(p, { large = false } = {}) {
  const box = h('span', { class: `thumb g-${p.group || 'none'}${large ? ' thumb-large' : ''}`, 'aria-hidden': 'true' });
  const placeholder = () => setChildren(box, groupIcon(p.group), p.name ? h('span', { class: 'initials' }, initials(p.name)) : null);
  const src = ownImage(p.image, location.href);
  if (src) {
    const img = h('img', { src, alt: '', loading: 'lazy', decoding: 'async' });
    img.addEventListener('error', placeholder, { once: true });
    box.append(img);
  } else {
    placeholder();
  }
  return box;
}

// starsBadge shows OCOP stars with a spoken label.
export function starsBadge(n) {
  return h('span', { class: `stars stars-${n}`, role: 'img', 'aria-label': t('stars.ocop', { n }) }, starsText(n));
}

// productCard is a tappable product in a grid (data-testid="product"). A
// sold-out one still answers a tap (the page says it is sold out) but reads
// as unavailable. A tap hands onTap the product as last drawn.
export function productCard(p, onTap) {
  const card = h('button', { type: 'button', class: 'product', testid: 'product' });
  drawProductCard(card, p);
  if (onTap) card.addEventListener('click', () => onTap(card.product, card));
  return card;
}

// updateProductCard redraws a card productCard made with a newer copy of its
// product (new stock, a new price) and answers true; a card of another product
// is left alone (false). A grid reading its pages again updates its cards so,
// rather than replacing them under a finger.
export function updateProductCard(card, p) {
  if (!card.product || card.product.sku !== p.sku) return false;
  drawProductCard(card, p);
  return true;
}

function drawProductCard(card, p) {
  // The picture stays when it is the same (no reload, no flicker).
  const was = card.product;
  const sameThumb = was && was.image === p.image && was.group === p.group && was.name === p.name;
  const thumb = (sameThumb && card.querySelector(':scope > .thumb')) || productThumb(p);
  card.product = p;
  const name = productName(p);
  const out = typeof p.stock === 'number' && p.stock <= 0;
  card.classList.toggle('sold-out', out);
  card.dataset.sku = p.sku;
  card.dataset.stock = typeof p.stock === 'number' ? String(p.stock) : '';
  card.setAttribute('aria-label', `${name}, ${formatVND(p.price)}${out ? `, ${t('stock.out')}` : ''}`);
  if (out) card.setAttribute('aria-disabled', 'true');
  else card.removeAttribute('aria-disabled');
  setChildren(card,
    thumb,
    h('span', { class: 'p-name' }, name),
    h('span', { class: 'p-meta' },
      h('span', { class: 'p-price' }, formatVND(p.price)),
      starsBadge(p.stars)),
    typeof p.stock === 'number'
      ? h('span', { class: `p-stock${out ? ' out' : p.stock < 10 ? ' low' : ''}` }, out ? t('stock.out') : t('stock.left', { n: p.stock }))
      : null);
}

// flash marks an element briefly (a card just added to the cart).
export function flash(el, cls = 'flash') {
  el.classList.remove(cls);
  void el.offsetWidth; // restart the animation
  el.classList.add(cls);
  setTimeout(() => el.classList.remove(cls), 600);
}

// ---- number pad ----

// keypad builds an on-screen number pad (kiosks often have no keyboard).
// onKey gets '0'…'9', '000', 'back' or 'clear'.
export function keypad(onKey, { withThousands = true } = {}) {
  const keys = ['7', '8', '9', '4', '5', '6', '1', '2', '3', withThousands ? '000' : 'clear', '0', 'back'];
  const pad = h('div', { class: 'keypad', role: 'group', 'aria-label': t('keypad.label') });
  for (const k of keys) {
    const label = k === 'back' ? '⌫' : k === 'clear' ? 'C' : k;
    const aria = k === 'back' ? t('common.backspace') : k === 'clear' ? t('common.clear') : null;
    pad.append(h('button', { type: 'button', class: `key key-${k}`, 'aria-label': aria, dataset: { key: k }, on: { click: () => onKey(k) } }, label));
  }
  return pad;
}

// typeKey applies a keypad key to the digits of a field.
export function typeKey(value, key, maxLen = 12) {
  const digits = String(value || '').replace(/\D/g, '');
  if (key === 'back') return digits.slice(0, -1);
  if (key === 'clear') return '';
  const next = (digits === '0' ? '' : digits) + key;
  return next.replace(/^0+(?=\d)/, '').slice(0, maxLen);
}

// ---- dialogs ----

// openDialog shows a <dialog> as a modal.
export function openDialog(dlg) {
  if (!dlg.open) dlg.showModal();
}

export function closeDialog(dlg) {
  if (dlg.open) dlg.close();
}

// money renders an amount (for text content).
export const money = formatVND;

// errorMessage is the text of a caught error, translated when it is an API error.
export function errorMessage(err) {
  return errorText(err && err.code, err && err.message);
}

// ---- catalog grid ----

// showGridState writes a product grid's state (loading, empty, how many,
// failed) into its #grid-info line.
export function showGridState({ total, loading, error }) {
  const info = $('#grid-info');
  info.classList.toggle('error', Boolean(error));
  if (error) info.textContent = `${t('grid.failed')}: ${errorText(error.code, error.message)}`;
  else if (loading && total === null) info.textContent = t('common.loading');
  else if (total === 0) info.textContent = t('grid.empty');
  else info.textContent = t('grid.count', { n: formatNumber(total) });
}

// wireSearch connects the #search box and its #search-clear button to a
// query: typing sets query.q and calls apply once the typing pauses; clearing
// empties it at once. It returns the box, the debounced run and reset, for
// pages that add keys of their own.
export function wireSearch(query, apply) {
  const box = $('#search');
  const clear = $('#search-clear');
  const run = debounce(apply, 120);
  const reset = () => {
    box.value = '';
    query.q = '';
    clear.hidden = true;
    apply();
  };
  box.addEventListener('input', () => {
    query.q = box.value;
    clear.hidden = box.value === '';
    run();
  });
  clear.addEventListener('click', reset);
  return { box, clear, run, reset };
}

// ---- barcode scanner ----

function isTextField(el) {
  return el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['button', 'checkbox', 'radio', 'submit'].includes(el.type)));
}

// listenForScans hears the barcode scanner (a keyboard that types a burst
// ending in Enter) anywhere on the page and hands each code to onScan. If the
// burst went into a text box, its characters are taken back out. It answers
// the key handler, for frames whose keys never reach this document.
export function listenForScans(onScan) {
  const scanner = new ScanDetector();
  let snapshot = null;
  const onKey = (e) => {
    if (e.isComposing || e.ctrlKey || e.altKey || e.metaKey) return;
    // An event of a frame is timed on the frame's clock.
    const view = e.view && e.view !== window && e.view.performance ? e.view : window;
    const time = e.timeStamp + (view.performance.timeOrigin - performance.timeOrigin);
    const r = scanner.feed(e.key, time);
    if (r.kind === 'start') {
      const el = document.activeElement;
      snapshot = isTextField(el) ? { el, value: el.value } : null;
    } else if (r.kind === 'scan') {
      e.preventDefault();
      e.stopPropagation();
      if (snapshot && snapshot.el.value !== snapshot.value) {
        snapshot.el.value = snapshot.value;
        snapshot.el.dispatchEvent(new Event('input', { bubbles: true }));
      }
      snapshot = null;
      onScan(r.code);
    }
  };
  document.addEventListener('keydown', onKey, true);
  return onKey;
}
