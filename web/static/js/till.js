// The vendor's till (/till?till=T1): product grid with search and filters, the
// barcode scanner, the cart (kept on the server, mirrored here) with its
// promotions, free units, weighed lines and the till's discounts (on a line
// or the whole sale, discountdialog.js), checkout (exact cash in one tap),
// keyboard shortcuts, and the queue of self-service orders waiting for their
// money.

import { api } from './api.js';
import { productsURL } from './catalog.js';
import { lineRef, renderCart as renderCart0, wireCart } from './cartview.js';
import { BuyerDialog } from './buyerdialog.js';
import { Checkout } from './checkout.js';
import { DiscountDialog } from './discountdialog.js';
import { formatVND, parseAmount } from './format.js';
import { GROUPS, getLang, messageText, productName, stockText, t } from './i18n.js';
import { OrderQueue } from './orderqueue.js';
import { ScaleView, addScanned } from './scale.js';
import { DIALOG_KEYS, SHORTCUTS, shortcutFor } from './shortcuts.js';
import {
  $, closeDialog, flash, h, initLang, keypad, openDialog, pageParams, productCard, setChildren,
  listenForScans, noteError, showConn, showGridState, showPrinters, startSyncBadge, toast, typeKey, updateProductCard, watchDisk,
  wireSearch,
} from './ui.js';
import { VirtualGrid } from './vgrid.js';
import { CashierPanel } from './cashier.js';
import { KioskSocket } from './ws.js';

const { till } = pageParams('T1');
const state = { cart: null, printers: [], seller: '', vietqr: null, bank: null };
const query = { q: '', group: '', stars: 0 };
let resetSearch = () => {}; // empties the search box (setupSearch)
const cartEls = {
  lines: $('#cart-lines'),
  empty: $('#cart-empty'),
  count: $('#cart-count'),
  vat: $('#cart-vat'),
  total: $('#cart-total'),
  sums: $('#cart-sums'),
  error: $('#cart-error'),
};

const sock = new KioskSocket({ till, role: 'till', onMessage, onStatus });
const scale = new ScaleView($('#scale'));
const buyer = new BuyerDialog({ dialog: $('#buyer-dialog'), button: $('#co-buyer') });
const checkout = new Checkout({
  buyer,
  dialog: $('#checkout-dialog'),
  till,
  send: (msg) => sendOrWarn(msg),
  cart: () => state.cart,
  printers: () => state.printers,
  vietqr: () => state.vietqr,
  bank: () => state.bank,
});

const cashier = new CashierPanel({ button: $('#cashier-open'), dialog: $('#cashier-dialog'), send: (msg) => sendOrWarn(msg) });

const discount = new DiscountDialog({
  dialog: $('#discount-dialog'),
  send: (msg) => sendOrWarn(msg),
  cart: () => state.cart,
});

const orders = new OrderQueue({
  dialog: $('#orders-dialog'),
  button: $('#orders-open'),
  checkout,
  send: (msg) => sendOrWarn(msg),
  ringUp,
});

const grid = new VirtualGrid($('#grid'), {
  fetchPage: (q, offset, limit, signal) => api(productsURL({ ...q, offset, limit }), { signal }),
  renderItem: (p) => productCard(p, addProduct),
  updateItem: updateProductCard,
  onState: showGridState,
});

initLang(() => {
  sock.lang = getLang(); // a reconnect says hello in it
  renderHeader();
  renderFilters();
  renderCart();
  grid.rerender();
  checkout.relabel();
  cashier.relabel();
  buyer.relabel();
  if ($('#discount-dialog').open) discount.relabel();
  orders.render();
  showPrinters(state.printers);
  showConn(sock.status);
  renderKeys();
});
renderHeader();
renderFilters();
renderCart();
showConn('reconnecting');
showPrinters(null);
startSyncBadge();
watchDisk();
grid.setQuery({ ...query });
sock.lang = document.documentElement.lang;
sock.connect();
setupSearch();
listenForScans(onScan);
setupCartButtons();
setupQtyDialog();
setupKeys();

// ---- websocket ----

function onStatus(s) {
  showConn(s);
  checkout.onConnection(s);
  scale.connection(s);
}

function onMessage(m) {
  switch (m.type) {
    case 'state':
      state.cart = m.cart || null;
      state.printers = m.printers || [];
      state.seller = (m.seller && m.seller.name) || '';
      state.vietqr = m.vietqr || null;
      state.bank = m.bank || null;
      buyer.enable(Boolean(m.invoicing)); // the buyer block exists only on an invoice
      renderHeader();
      renderCart();
      showPrinters(state.printers);
      orders.reset(m.orders);
      cashier.onState(m);
      checkout.onState();
      break;
    case 'cashier':
      cashier.onCashier(m);
      if (m.cashier && checkout.mode === 'paying') checkout.error(''); // a refusal for want of one is past
      break;
    case 'cashiers':
      cashier.onCashiers(m);
      break;
    case 'cart':
      if (!state.cart || !m.cart || !(m.cart.seq < state.cart.seq)) {
        const before = state.cart;
        state.cart = m.cart;
        renderCart(before);
        checkout.onCart();
        discount.onCart(m.cart);
      }
      break;
    case 'vietqr':
      state.vietqr = m.pending || null;
      checkout.onVietQR();
      break;
    case 'sale':
      checkout.onSale(m.sale);
      break;
    case 'sale.found':
      checkout.finder.onMessage(m);
      break;
    case 'order':
      orders.update(m.order);
      grid.refresh(); // held or released stock
      break;
    case 'sale.done':
      checkout.onSaleDone(m);
      grid.refresh(); // stock changed
      break;
    case 'scale':
      scale.update(m.scale);
      break;
    case 'printers':
      state.printers = m.printers || [];
      showPrinters(state.printers);
      checkout.onPrinters();
      break;
    case 'catalog':
      grid.refresh();
      // A central price change reprices the open cart (the server sends it
      // again): tell the vendor what changed before the customer sees it.
      for (const p of m.prices || []) {
        toast(t('catalog.price_changed', { name: p.name, old: formatVND(p.old), new: formatVND(p.new) }), { kind: 'info', ms: 12000 });
      }
      break;
    case 'error':
      noteError(m.code);
      if (discount.onError(m)) break;
      if (cashier.onError(m)) {
        checkout.onError(m); // a checkout refused for want of a cashier is over
        break;
      }
      if (!checkout.onError(m)) toast(messageText(m), { kind: 'error' });
      break;
    default:
      break;
  }
}

// sendOrWarn sends a message, or tells the vendor the till is offline.
function sendOrWarn(msg) {
  const ref = sock.send(msg);
  if (!ref) toast(t('net.offline'), { kind: 'error' });
  return ref;
}

// ---- header ----

function renderHeader() {
  $('#till-name').textContent = t('till.title', { till });
  $('#seller').textContent = state.seller;
  document.title = `${t('till.title', { till })} — OCOP`;
}

// ---- catalog ----

function renderFilters() {
  const groups = $('#groups');
  setChildren(groups, ['', ...GROUPS].map((g) => h('button', {
    type: 'button',
    class: `chip${g ? ` chip-${g}` : ''}`,
    testid: 'group-chip',
    dataset: { group: g || 'all' },
    'aria-pressed': String(query.group === g),
    on: { click: () => { query.group = g; renderFilters(); grid.setQuery({ ...query }); } },
  }, t(g ? `group.${g}` : 'group.all'))));
  const stars = $('#stars');
  setChildren(stars, [0, 3, 4, 5].map((n) => h('button', {
    type: 'button',
    class: 'chip chip-star',
    testid: 'stars-chip',
    dataset: { stars: String(n) },
    'aria-pressed': String(query.stars === n),
    on: { click: () => { query.stars = n; renderFilters(); grid.setQuery({ ...query }); } },
  }, n ? `${n}★` : t('stars.any'))));
}

function setupSearch() {
  const { box, clear, run, reset } = wireSearch(query, () => grid.setQuery({ ...query }));
  resetSearch = reset;
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.defaultPrevented) return;
    // Enter on a search with one match adds it (a code typed by hand).
    run.flush();
    api(productsURL({ ...query, limit: 2, offset: 0 })).then((res) => {
      if (res.products && res.products.length === 1) {
        addProduct(res.products[0]);
        reset();
      }
    }).catch(() => {});
  });
  clear.addEventListener('click', () => box.focus());
}

// addProduct puts a tapped product in the cart. A sold-out one is not sent
// (the kiosk would refuse it too): the vendor is told which. A product found
// by a search clears the search, ready for the next one.
function addProduct(p, card) {
  if (checkout.busyPaying()) {
    toast(t('pay.scan_busy'));
    return;
  }
  if (typeof p.stock === 'number' && p.stock <= 0) {
    toast(stockText(p), { kind: 'error' });
    return;
  }
  checkout.closeResult(); // the next customer's first product
  if (scale.weighs(p)) {
    scale.addWeighed(p, sendOrWarn).then((sent) => {
      if (!sent) return;
      if (card) flash(card);
      if (query.q.trim() !== '') resetSearch();
    });
    return;
  }
  if (!sendOrWarn({ type: 'cart.add', sku: p.sku, qty: 1 })) return;
  if (card) flash(card);
  if (query.q.trim() !== '') resetSearch();
}

// ---- barcode scanner ----

function onScan(code) {
  if (checkout.busyPaying()) {
    toast(t('pay.scan_busy'), { kind: 'error' });
    return;
  }
  checkout.closeResult();
  if (orders.scanned(code)) return; // a pickup code, or the VietQR on a tourist's screen
  addScanned(code, sendOrWarn); // a label scale's code carries a weight
}

// ringUp puts the goods of an order that ran out of time (or was cancelled)
// into the till's cart, to sell them as a new sale.
function ringUp(order) {
  if (checkout.busyPaying()) {
    toast(t('pay.scan_busy'), { kind: 'error' });
    return;
  }
  for (const l of order.lines || []) {
    sendOrWarn(l.weight_g ? { type: 'cart.add', sku: l.sku, weight_g: l.weight_g } : { type: 'cart.add', sku: l.sku, qty: l.qty });
  }
  toast(t('orders.rung_up', { code: order.code }));
}

// ---- cart ----

function renderCart(before = null) {
  renderCart0(cartEls, state.cart, before, { discounts: true, weigh: true });
  const empty = !state.cart || !state.cart.lines || state.cart.lines.length === 0;
  $('#checkout').disabled = empty;
  $('#pay-exact').disabled = empty;
  $('#cart-clear').disabled = empty;
  $('#sale-discount').disabled = empty;
}

// undoLine is the messages that put a cleared line back: its units, or a
// weighed line's grams; a lot's scanned serials each as its own scan.
function undoLine(l) {
  if (l.weight_g) return [{ type: 'cart.weight', sku: l.sku, weight_g: l.weight_g }];
  const serials = l.serials || [];
  const rest = l.qty - serials.length;
  return [
    ...serials.map((serial) => ({ type: 'cart.add', ...lineRef(l), serial, qty: 1 })),
    ...(rest > 0 ? [{ type: 'cart.add', ...lineRef(l), qty: rest }] : []),
  ];
}

function setupCartButtons() {
  wireCart($('#cart-lines'), {
    send: sendOrWarn,
    cart: () => state.cart,
    onQty: openQty,
    onDiscount: (line) => discount.open(line),
    onWeigh: (line) => scale.weighAgain(line, sendOrWarn),
  });
  $('#sale-discount').addEventListener('click', () => discount.open(null));
  $('#cart-clear').addEventListener('click', () => {
    // The undo puts the lines back as they were: units, or a weighed line's grams.
    const lines = ((state.cart && state.cart.lines) || []).flatMap(undoLine);
    if (lines.length === 0 || !sendOrWarn({ type: 'cart.clear' })) return;
    toast(t('cart.cleared'), {
      ms: 6000,
      action: { label: t('cart.undo'), fn: () => lines.forEach((m) => sendOrWarn(m)) },
    });
  });
  $('#checkout').addEventListener('click', () => checkout.open());
  $('#pay-exact').addEventListener('click', () => checkout.payExact());
}

// ---- keyboard shortcuts ----

function setupKeys() {
  renderKeys();
  $('#keys-open').addEventListener('click', () => openDialog($('#keys-dialog')));
  $('#keys-close').addEventListener('click', () => closeDialog($('#keys-dialog')));
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.repeat) return;
    const dialog = modalOpen();
    const action = shortcutFor(e, { dialog });
    if (!action) return;
    e.preventDefault();
    runShortcut(action);
  });
}

// modalOpen tells whether a dialog holds the page (a finished sale shown
// beside the grid does not).
function modalOpen() {
  try {
    return document.querySelector('dialog:modal') !== null;
  } catch {
    return document.querySelector('dialog[open]') !== null;
  }
}

function runShortcut(action) {
  const lines = (state.cart && state.cart.lines) || [];
  switch (action) {
    case 'search': {
      const box = $('#search');
      box.focus();
      box.select();
      break;
    }
    case 'cash':
      if (lines.length > 0) {
        checkout.open('cash');
        $('#tendered').focus();
      }
      break;
    case 'exact':
      if (lines.length > 0) checkout.payExact();
      break;
    case 'qty':
      if (lines.length > 0 && !lines[lines.length - 1].weight_g) openQty(lines[lines.length - 1]);
      break;
    case 'clear':
      $('#cart-clear').click();
      break;
    case 'help': {
      const dlg = $('#keys-dialog');
      if (dlg.open) closeDialog(dlg);
      else openDialog(dlg);
      break;
    }
    default:
      break;
  }
}

// renderKeys lists the shortcuts in the help dialog, from the same table the
// keys are read with.
function renderKeys() {
  setChildren($('#keys-list'), [...SHORTCUTS, ...DIALOG_KEYS].map((s) => [
    h('dt', {}, s.keys.map((k) => h('kbd', {}, k))),
    h('dd', { dataset: { action: s.action || '' } }, t(s.label)),
  ]));
}

// ---- quantity dialog ----

let qtyLine = null;

function setupQtyDialog() {
  const dlg = $('#qty-dialog');
  const input = $('#qty-input');
  $('#qty-pad').append(keypad((k) => { input.value = typeKey(input.value, k, 5); }, { withThousands: false }));
  const ok = () => {
    const n = parseAmount(input.value);
    if (qtyLine && Number.isInteger(n) && n >= 0) sendOrWarn({ type: 'cart.set', ...lineRef(qtyLine), qty: n });
    closeDialog(dlg);
  };
  $('#qty-ok').addEventListener('click', ok);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') ok(); });
  $('#qty-close').addEventListener('click', () => closeDialog(dlg));
}

function openQty(line) {
  qtyLine = line;
  $('#qty-name').textContent = productName(line);
  const input = $('#qty-input');
  input.value = String(line.qty);
  openDialog($('#qty-dialog'));
  input.select();
}
