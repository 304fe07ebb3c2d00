// The tourist self-service screen (/self?till=SELF1): an attract screen, the
// catalog by group, province and stars, a product's story (producer, OCOP
// certificate, lots, trace QR), a cart, and checkout as an order: the kiosk
// holds the goods, the screen shows the VietQR transfer (bank, account holder,
// amount, reference) and a pickup code for paying cash or card at the till,
// and follows the order until the staff confirm it. The kiosk's barcode
// scanner adds products by code, and a label's trace QR opens the label's
// trace page over the screen, with a button that puts the item in the cart.
// Ninety seconds without a touch empties the cart and returns to the attract
// screen (an order keeps waiting at the till).

import { api } from './api.js';
import { BuyerDialog } from './buyerdialog.js';
import { productsURL } from './catalog.js';
import { renderCart, wireCart } from './cartview.js';
import { formatDate, formatVND } from './format.js';
import {
  GROUPS, certName, errorText, getLang, messageText, originName, productDescription, productName, t, unitName,
} from './i18n.js';
import { bankLines, formatLeft } from './orders.js';
import { clearQR, drawQR } from './qrcanvas.js';
import { traceLinkPath, withLang } from './trace.js';
import {
  $, closeDialog, h, initLang, openDialog, pageParams, productCard, productThumb, setChildren,
  listenForScans, noteError, showConn, showGridState, starsBadge, switchLang, toast, updateProductCard, watchDisk,
  wireSearch,
} from './ui.js';
import { VirtualGrid } from './vgrid.js';
import { KioskSocket } from './ws.js';

const WARN_MS = 10000;
const THANKS_MS = 12000;
// While an order's QR is up the tourist is busy in a banking app: the visit
// lasts at least this long without a touch.
const ORDER_IDLE_MS = 180000;
const PROVINCES = ['Cà Mau', 'Bến Tre', 'Trà Vinh'];

const { till, q: params } = pageParams('SELF1');
// Ninety seconds without a touch end a visit; ?idle=SECONDS changes it (tests).
const IDLE_MS = Math.max(15, Number(params.get('idle')) || 90) * 1000;
const startLang = params.get('lang') === 'en' ? 'en' : 'vi';
const state = { cart: null, seller: '', provinces: PROVINCES, producers: null };
const query = { q: '', group: '', stars: 0, province: '' };
const cartEls = {
  lines: $('#cart-lines'), empty: $('#cart-empty'), count: $('#cart-count'), vat: $('#cart-vat'), total: $('#cart-total'), sums: $('#cart-sums'),
};
let payState = 'closed'; // closed | creating | order | submitted | done
let payRef = null; // the checkout message waiting for its answer
let payKey = null; // the idempotency key of the checkout making the order
let current = null; // the order on screen, with its deadline on this screen's clock
let restoring = loadOrderRef(); // an order this tab showed before a reload
let detailProduct = null;
let detailQty = 1;
let traceCode = ''; // the scanned label the trace overlay shows

const sock = new KioskSocket({ till, role: 'self', lang: startLang, onMessage, onStatus: showConn });
// The buyer of the invoice, when the tourist asks for one in their name.
const buyer = new BuyerDialog({ dialog: $('#buyer-dialog'), button: $('#self-buyer'), onChange: () => touch() });
const grid = new VirtualGrid($('#grid'), {
  fetchPage: (q, offset, limit, signal) => api(productsURL({ ...q, offset, limit }), { signal }),
  renderItem: (p) => productCard(p, openDetail),
  updateItem: updateProductCard,
  onState: showGridState,
});

initLang(() => {
  renderFilters();
  renderCartPanel();
  buyer.relabel();
  grid.rerender();
  if ($('#detail').open && detailProduct) renderDetail(detailProduct.product, detailProduct.lots);
  if (payState !== 'closed') renderPay();
  showConn(sock.status);
}, startLang);
renderAttract();
renderFilters();
renderCartPanel();
showConn('reconnecting');
watchDisk('disk.full_self');
sock.connect();
loadProvinces();
setupSearch();
setupIdle();
const scanKey = listenForScans(onScan);
wireCart($('#cart-lines'), { send, cart: () => state.cart });
$('#pay').addEventListener('click', startPay);
$('#pay-close').addEventListener('click', closeButton);
$('#pay-cancel').addEventListener('click', backToCart);
$('#pay-paid').addEventListener('click', confirmPaid);
$('#pay-done-btn').addEventListener('click', () => reset());
$('#pay-dialog').addEventListener('cancel', (e) => { e.preventDefault(); closeButton(); });
setInterval(tickOrder, 1000);
$('#detail-close').addEventListener('click', () => closeDialog($('#detail')));
$('#trace-back').addEventListener('click', closeTrace);
$('#trace-add').addEventListener('click', () => {
  // The scanned label itself goes in the cart: a stamp's serial with it.
  const code = traceCode;
  closeTrace();
  if (code) send({ type: 'cart.add', code, qty: 1 });
});
$('#trace').addEventListener('cancel', (e) => { e.preventDefault(); closeTrace(); });
$('#start-over').addEventListener('click', () => reset());
$('#attract').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-lang]');
  start(b ? b.dataset.lang : getLang());
});

// ---- attract screen ----

function renderAttract() {
  $('#a-title').textContent = t('self.title', {}, 'vi');
  $('#a-title-2').textContent = t('self.title', {}, 'en');
  setChildren($('#a-tagline'), t('self.tagline', {}, 'vi'), h('br'), t('self.tagline', {}, 'en'));
  $('#a-touch').textContent = `${t('self.touch', {}, 'vi')} · ${t('self.touch', {}, 'en')}`;
  setChildren($('#a-groups'), GROUPS.map((g) => productThumb({ group: g, name: '' })));
}

function start(lang) {
  if (lang !== getLang()) switchLang(lang);
  $('#attract').hidden = true;
  $('#app').hidden = false;
  grid.setQuery({ ...query });
  touch();
}

// reset empties the cart and goes back to the attract screen.
function reset() {
  if (state.cart && state.cart.lines && state.cart.lines.length > 0) send({ type: 'cart.clear' });
  buyer.clear(); // the next visitor's invoice is their own
  closeDialog($('#buyer-dialog'));
  closeDialog($('#detail'));
  closeTrace();
  closePay();
  query.q = '';
  query.group = '';
  query.stars = 0;
  query.province = '';
  $('#search').value = '';
  $('#search-clear').hidden = true;
  renderFilters();
  if (getLang() !== startLang) switchLang(startLang);
  hideIdleWarning();
  $('#app').hidden = true;
  $('#attract').hidden = false;
}

// ---- idle timeout ----

let lastTouch = Date.now();

function touch() {
  lastTouch = Date.now();
  hideIdleWarning();
}

// The warning goes in the top layer (a popover), so it shows over an open
// dialog too: the trace page, a product's story.
function showIdleWarning(text) {
  const warn = $('#idle-warning');
  warn.textContent = text;
  warn.hidden = false;
  if (typeof warn.showPopover !== 'function') return;
  if (!warn.popover) warn.popover = 'manual';
  if (!warn.matches(':popover-open')) warn.showPopover();
}

function hideIdleWarning() {
  const warn = $('#idle-warning');
  warn.hidden = true;
  if (warn.popover && warn.matches(':popover-open')) warn.hidePopover();
}

function setupIdle() {
  for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    document.addEventListener(ev, touch, { capture: true, passive: true });
  }
  $('#grid').addEventListener('scroll', touch, { passive: true });
  setInterval(() => {
    if ($('#app').hidden) return;
    const idle = Date.now() - lastTouch;
    const limit = payState === 'order' ? Math.max(IDLE_MS, ORDER_IDLE_MS) : IDLE_MS;
    if (idle >= limit) {
      reset();
    } else if (idle >= limit - WARN_MS && payState !== 'done') {
      showIdleWarning(t('self.idle', { n: Math.ceil((limit - idle) / 1000) }));
    }
  }, 500);
}

// ---- barcode scanner and trace pages ----

// onScan opens a label's trace page (its QR is a GS1 Digital Link) or adds
// the product whose barcode, GTIN or SKU was scanned.
function onScan(code) {
  touch();
  if (payState !== 'closed') {
    toast(t('pay.scan_busy'), { kind: 'error' });
    return;
  }
  if ($('#app').hidden) start(getLang());
  const path = traceLinkPath(code);
  if (path) {
    openTrace(path, code);
    return;
  }
  closeTrace();
  send({ type: 'cart.add', code, qty: 1 });
}

// openTrace shows a trace page of this kiosk over the whole screen, in a
// frame: the page itself has no way back, and the idle timeout keeps running
// (touches inside the frame count as touches). When it was opened by a
// scanned label (code) the kiosk can sell, "Add to cart" puts that item in
// the cart.
function openTrace(path, code = '') {
  traceCode = code;
  $('#trace-add').hidden = true; // until the page says the kiosk can sell it
  const dlg = $('#trace');
  const old = $('#trace-frame');
  if (old) old.remove();
  // A new frame each time: its history goes with it.
  const frame = h('iframe', {
    id: 'trace-frame',
    class: 'trace-frame',
    title: t('trace.title'),
    // Same origin (so touches and scans inside it are seen), but no scripts,
    // forms, pop-ups or navigating the screen away.
    sandbox: 'allow-same-origin',
    referrerpolicy: 'no-referrer',
    src: withLang(path, getLang()),
  });
  frame.addEventListener('load', () => watchFrame(frame));
  dlg.append(frame);
  openDialog(dlg);
  // Not the Back button: a scanned space would press it.
  $('#trace-title').focus();
}

function watchFrame(frame) {
  let doc = null;
  try {
    doc = frame.contentDocument;
  } catch {
    doc = null;
  }
  if (!doc) return;
  // "Add to cart" only for an item the kiosk can sell now: in stock, and a
  // label it printed and has not sold (a copied or sold stamp is not offered).
  $('#trace-add').hidden = !(traceCode && doc.body && doc.body.dataset.sellable === '1');
  for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll']) {
    doc.addEventListener(ev, touch, { capture: true, passive: true });
  }
  doc.addEventListener('keydown', scanKey, true);
}

function closeTrace() {
  traceCode = '';
  const frame = $('#trace-frame');
  if (frame) frame.remove();
  closeDialog($('#trace'));
}

// ---- websocket ----

function send(msg) {
  const ref = sock.send(msg);
  if (!ref) toast(t('net.offline'), { kind: 'error' });
  return ref;
}

function onMessage(m) {
  switch (m.type) {
    case 'state':
      state.cart = m.cart || null;
      state.seller = (m.seller && m.seller.name) || '';
      $('#seller').textContent = state.seller;
      buyer.enable(Boolean(m.invoicing));
      renderCartPanel();
      // A reload in the middle of a visit goes straight back to it.
      if (state.cart && state.cart.lines && state.cart.lines.length > 0 && $('#app').hidden) start(getLang());
      resumeOrder(m.orders || []);
      break;
    case 'cart': {
      if (state.cart && m.cart && m.cart.seq < state.cart.seq) break;
      const before = state.cart;
      state.cart = m.cart;
      renderCartPanel(before);
      break;
    }
    case 'order':
      onOrder(m);
      grid.refresh(); // held or released stock
      break;
    case 'catalog':
      grid.refresh();
      break;
    case 'error':
      noteError(m.code);
      if (payState === 'creating' && m.ref && m.ref === payRef) {
        // Nothing was held (out of stock, an empty cart…): back to the cart.
        closePay();
        if (m.code === 'bad_buyer') buyer.onBadBuyer(m);
        else toast(messageText(m), { kind: 'error', ms: 8000 });
      } else {
        toast(messageText(m), { kind: 'error' });
      }
      break;
    default:
      break;
  }
}

// ---- catalog ----

async function loadProvinces() {
  try {
    const res = await api('/api/v1/producers');
    state.producers = new Map((res.producers || []).map((p) => [p.id, p]));
    const seen = [...new Set((res.producers || []).map((p) => p.province).filter(Boolean))];
    if (seen.length > 0) state.provinces = seen.sort((a, b) => a.localeCompare(b, 'vi'));
    renderFilters();
  } catch {
    // keep the three demo provinces
  }
}

function chip(label, pressed, data, onClick, testid) {
  return h('button', { type: 'button', class: 'chip', testid, dataset: data, 'aria-pressed': String(pressed), on: { click: onClick } }, label);
}

function renderFilters() {
  const apply = () => { renderFilters(); grid.setQuery({ ...query }); };
  setChildren($('#groups'), ['', ...GROUPS].map((g) => chip(t(g ? `group.${g}` : 'group.all'), query.group === g, { group: g || 'all' },
    () => { query.group = g; apply(); }, 'group-chip')));
  setChildren($('#provinces'), ['', ...state.provinces].map((p) => chip(p || t('province.all'), query.province === p, { province: p || 'all' },
    () => { query.province = p; apply(); }, 'province-chip')));
  setChildren($('#stars'), [0, 3, 4, 5].map((n) => chip(n ? `${n}★` : t('stars.any'), query.stars === n, { stars: String(n) },
    () => { query.stars = n; apply(); }, 'stars-chip')));
}

function setupSearch() {
  wireSearch(query, () => grid.setQuery({ ...query }));
}

// ---- product detail ----

async function openDetail(p) {
  detailQty = 1;
  detailProduct = { product: p, lots: null };
  renderDetail(p, null);
  openDialog($('#detail'));
  try {
    const res = await api(`/api/v1/products/${encodeURIComponent(p.sku)}`);
    if (!detailProduct || detailProduct.product.sku !== p.sku) return;
    detailProduct = { product: { ...p, ...res.product }, lots: res.lots || [] };
    renderDetail(detailProduct.product, detailProduct.lots);
  } catch (err) {
    if (detailProduct && detailProduct.product.sku === p.sku) {
      detailProduct.lots = [];
      renderDetail(p, []);
    }
    toast(errorText(err.code, err.message), { kind: 'error' });
  }
}

function renderDetail(p, lots) {
  $('#detail-title').textContent = productName(p);
  const producer = state.producers && state.producers.get(p.producer_id);
  const where = [producer && producer.commune, p.province || (producer && producer.province)].filter(Boolean).join(', ');
  const facts = h('dl', {},
    h('dt', {}, t('self.producer')), h('dd', { testid: 'detail-producer' }, p.producer || (producer && producer.name) || p.producer_id || '—', where ? ` — ${where}` : ''),
    h('dt', {}, t('filter.stars')), h('dd', {}, starsBadge(p.stars), ' ',
      p.cert_no ? t('self.cert', { no: p.cert_no }) : '', ' ',
      p.cert_valid === false
        ? h('span', { class: 'cert-expired', testid: 'cert-expired' }, t('self.cert_expired'))
        : p.cert_expiry ? h('span', { class: 'cert-ok' }, t('self.cert_until', { date: formatDate(p.cert_expiry) })) : ''));
  let lotsBox;
  if (lots === null) lotsBox = h('p', { class: 'hint' }, t('common.loading'));
  else if (lots.length === 0) lotsBox = h('p', { class: 'hint' }, t('self.no_lots'));
  else {
    lotsBox = h('table', { class: 'lots', testid: 'lots' },
      h('thead', {}, h('tr', {}, ['lot.code', 'lot.produced', 'lot.expires', 'lot.origin', 'lot.certs'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, lots.map((l) => h('tr', { testid: 'lot', dataset: { lot: l.lot } },
        h('td', {}, l.lot), h('td', {}, formatDate(l.produced_on)), h('td', {}, formatDate(l.expires_on)),
        h('td', {}, originName(l.origin)), h('td', {}, (l.certifications || []).map((c) => certName(c)).join(', '))))));
  }
  let trace = null;
  if (p.gtin) {
    const url = `${location.origin}/01/${p.gtin}`;
    const canvas = h('canvas', { width: 1, height: 1, testid: 'trace-qr', role: 'img', 'aria-label': url });
    trace = h('div', { class: 'trace' }, canvas, h('div', {}, h('strong', {}, t('self.trace')), h('p', { class: 'trace-url' }, url)));
    setTimeout(() => drawQR(canvas, url), 0);
  }
  const qtyShow = h('span', { class: 'qty-show', testid: 'detail-qty' }, String(detailQty));
  const setQty = (n) => { detailQty = Math.max(1, Math.min(99, n)); qtyShow.textContent = String(detailQty); };
  const add = h('div', { class: 'detail-add' },
    h('button', { type: 'button', class: 'qbtn', 'aria-label': t('cart.minus'), on: { click: () => setQty(detailQty - 1) } }, '−'),
    qtyShow,
    h('button', { type: 'button', class: 'qbtn', 'aria-label': t('cart.plus'), on: { click: () => setQty(detailQty + 1) } }, '+'),
    h('button', { type: 'button', class: 'btn-primary', testid: 'detail-add', disabled: typeof p.stock === 'number' && p.stock <= 0, on: { click: () => {
      if (send({ type: 'cart.add', sku: p.sku, qty: detailQty })) {
        toast(t('self.added'));
        closeDialog($('#detail'));
      }
    } } }, typeof p.stock === 'number' && p.stock <= 0 ? t('stock.out') : t('self.add')));
  setChildren($('#detail-body'),
    h('div', {}, productThumb(p, { large: true }), trace),
    h('div', {},
      h('p', { class: 'd-price' }, formatVND(p.price), p.unit ? h('small', {}, ` / ${unitName(p.unit)}`) : ''),
      facts,
      h('p', { class: 'd-desc' }, productDescription(p)),
      h('h3', {}, t('self.lots')),
      lotsBox,
      add));
}

// ---- cart and payment ----

function renderCartPanel(before = null) {
  renderCart(cartEls, state.cart, before);
  const empty = !state.cart || !state.cart.lines || state.cart.lines.length === 0;
  $('#pay').disabled = empty;
}

// ---- checkout as an order ----

// withBuyer adds the invoice's buyer to a checkout when one was entered.
function withBuyer(msg) {
  const b = buyer.value();
  return b ? { ...msg, buyer: b } : msg;
}

function newKey() {
  const rnd = crypto.getRandomValues(new Uint32Array(2));
  return `${till}-${Date.now().toString(36)}-${rnd[0].toString(36)}${rnd[1].toString(36)}`;
}

function saveOrderRef() {
  try {
    if (current || payKey) sessionStorage.setItem(`kiosk.self.order.${till}`, JSON.stringify({ id: current && current.id, key: payKey }));
    else sessionStorage.removeItem(`kiosk.self.order.${till}`);
  } catch {
    // the order is still followed while the page lives
  }
}

function loadOrderRef() {
  try {
    return JSON.parse(sessionStorage.getItem(`kiosk.self.order.${till}`) || 'null');
  } catch {
    return null;
  }
}

// startPay asks the kiosk to make an order of the cart: the goods are held
// and the order comes back with its VietQR and pickup code.
function startPay() {
  if (!state.cart || !state.cart.lines || state.cart.lines.length === 0) return;
  $('#pay-error').hidden = true;
  payKey = newKey();
  payRef = send(withBuyer({ type: 'checkout', idempotency_key: payKey, lang: getLang() }));
  if (!payRef) {
    payKey = null;
    return;
  }
  payState = 'creating';
  current = null;
  saveOrderRef();
  openDialog($('#pay-dialog'));
  renderPay();
}

function onOrder(m) {
  const o = m.order;
  if (!o) return;
  const mine = (payState === 'creating' && ((payRef && m.ref === payRef) || (payKey && o.idempotency_key === payKey)))
    || (current && o.id === current.id);
  if (mine) setOrder(o);
}

function setOrder(o) {
  current = { ...o, deadline: Date.now() + Math.max(0, Number(o.expires_in) || 0) * 1000 };
  payRef = null;
  saveOrderRef();
  if (o.state === 'open') {
    if (payState !== 'submitted') payState = 'order';
  } else {
    payState = 'done';
    setTimeout(() => { if (payState === 'done' && current && current.id === o.id) reset(); }, THANKS_MS);
  }
  if (!$('#pay-dialog').open) openDialog($('#pay-dialog'));
  renderPay();
}

// resumeOrder picks the order up again after a reconnect or a reload.
async function resumeOrder(open) {
  if (payState === 'creating' && payKey) {
    const made = open.find((o) => o.idempotency_key === payKey);
    if (made) setOrder(made);
    else payRef = send(withBuyer({ type: 'checkout', idempotency_key: payKey, lang: getLang() })); // same key: never two orders
    return;
  }
  // After a reload: the order this tab showed, or the one its checkout made.
  const made = restoring && restoring.key && open.find((x) => x.idempotency_key === restoring.key);
  const id = (current && current.id) || (restoring && restoring.id) || (made && made.id);
  restoring = null;
  if (!id) return;
  const o = open.find((x) => x.id === id);
  if (o) {
    if ($('#app').hidden) start(getLang());
    setOrder(o);
    return;
  }
  try {
    setOrder(await api(`/api/v1/orders/${encodeURIComponent(id)}`)); // closed meanwhile
  } catch {
    // gone: nothing to show
  }
}

function renderPay() {
  const o = current;
  $('#pay-wait').hidden = payState !== 'creating';
  $('#pay-order').hidden = payState !== 'order';
  $('#pay-done').hidden = payState !== 'submitted' && payState !== 'done';
  $('#pay-foot').hidden = payState !== 'order';
  $('#done-foot').hidden = payState !== 'submitted' && payState !== 'done';
  $('#pay-close').disabled = payState === 'creating';
  $('#pay-title').textContent = o ? t('self.order_title', { code: o.code }) : t('self.pay');
  $('#pay-status').textContent = payState === 'creating' ? t('self.creating') : '';
  const canvas = $('#pay-qr');
  if (payState === 'order' && o) {
    const q = o.vietqr;
    $('#order-qr').hidden = !q;
    if (q) {
      drawQR(canvas, q.payload);
      $('#pay-amount').textContent = formatVND(q.amount);
      const b = bankLines(q.bank) || {};
      $('#bank-name').textContent = b.bank || '';
      $('#bank-account').textContent = b.account || '';
      $('#bank-holder').textContent = b.holder || '';
      $('#pay-ref').textContent = q.reference;
    } else {
      clearQR(canvas);
    }
    $('#pay-code').textContent = o.code;
    $('#pay-paid').disabled = false;
    $('#pay-paid').textContent = t(q ? 'self.paid' : 'self.pay_at_till');
    tickOrder();
  } else {
    clearQR(canvas);
  }
  if ((payState === 'submitted' || payState === 'done') && o) renderDone(o);
}

function renderDone(o) {
  const box = $('#pay-done');
  const state = payState === 'submitted' ? 'submitted' : o.state;
  box.dataset.state = state;
  $('#done-mark').textContent = state === 'expired' || state === 'cancelled' ? '!' : '✓';
  $('#done-mark').dataset.state = state;
  $('#done-code').textContent = state === 'submitted' ? o.code : '';
  $('#pay-receipt').textContent = o.receipt_no ? t('sale.receipt', { no: o.receipt_no }) : '';
  box.dataset.receipt = o.receipt_no || '';
  const words = {
    submitted: ['display.thanks', o.vietqr ? 'self.submitted' : 'self.submitted_till'],
    paid: ['self.order_paid', 'self.collect'],
    expired: ['self.order_expired', 'self.order_again'],
    cancelled: ['self.order_cancelled', 'self.order_again'],
  }[state] || ['display.thanks', 'self.collect'];
  $('#done-title').textContent = t(words[0], { code: o.code });
  $('#done-text').textContent = t(words[1], { code: o.code });
}

function tickOrder() {
  if (payState !== 'order' || !current) return;
  const left = Math.max(0, Math.ceil((current.deadline - Date.now()) / 1000));
  $('#pay-left').textContent = t('self.held', { time: formatLeft(left) });
  $('#pay-left').dataset.left = String(left);
}

// confirmPaid: the tourist says the transfer is made (or goes to the till to
// pay). Nothing is recorded as paid: the staff confirm at the till, and this
// screen hears when they do.
function confirmPaid() {
  if (payState !== 'order') return;
  payState = 'submitted';
  renderPay();
}

// backToCart lets the order go: its goods come back into this screen's cart.
function backToCart() {
  if (payState === 'order' && current && current.state === 'open') send({ type: 'order.cancel', id: current.id, reason: 'back to the cart' });
  closePay();
}

function closeButton() {
  if (payState === 'creating') return;
  if (payState === 'order') backToCart();
  else reset();
}

function closePay() {
  payState = 'closed';
  payRef = null;
  payKey = null;
  current = null;
  saveOrderRef();
  closeDialog($('#pay-dialog'));
}
