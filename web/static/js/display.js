// The customer display (/display?till=T1): a read-only mirror of the till's
// cart — each line's promotion, the till's discount, the units given free,
// weighed lines as 1,235 kg × 350.000 ₫/kg, the sale's own discount and what
// the customer saves, as the receipt prints them (cartrows.js) — the VietQR
// code while a transfer is pending with the bank, account and holder it goes
// to beside it, a thank-you after the sale, and a welcome with the seller's
// name when the cart is empty.

import { cartRows, customerSaves, lineRows } from './cartrows.js';
import { formatVND } from './format.js';
import { getLang, productName, t } from './i18n.js';
import { bankLines } from './orders.js';
import { clearQR, drawQR } from './qrcanvas.js';
import { $, flash, h, initLang, pageParams, setChildren, showConn } from './ui.js';
import { KioskSocket } from './ws.js';

const THANKS_MS = 8000;

const { till } = pageParams('T1');
const state = { cart: null, vietqr: null, seller: '', thanks: null };
let thanksTimer = null;

initLang(() => render());
showConn('reconnecting');
const sock = new KioskSocket({ till, role: 'display', lang: document.documentElement.lang, onMessage, onStatus: showConn });
sock.connect();
render();
window.addEventListener('resize', () => { if (state.vietqr) renderQR(); });

function onMessage(m) {
  switch (m.type) {
    case 'state':
      state.cart = m.cart || null;
      state.vietqr = m.vietqr || null;
      state.seller = (m.seller && m.seller.name) || '';
      render();
      break;
    case 'cart': {
      const before = state.cart;
      if (state.cart && m.cart && m.cart.seq < state.cart.seq) break;
      state.cart = m.cart;
      // A new cart after a thank-you: the next customer is here.
      if (state.thanks && m.cart && m.cart.lines && m.cart.lines.length > 0) endThanks();
      render(before);
      break;
    }
    case 'vietqr':
      state.vietqr = m.pending || null;
      render();
      break;
    case 'sale.done':
      state.thanks = m;
      state.vietqr = null;
      clearTimeout(thanksTimer);
      thanksTimer = setTimeout(endThanks, THANKS_MS);
      render();
      break;
    default:
      break;
  }
}

function endThanks() {
  clearTimeout(thanksTimer);
  state.thanks = null;
  render();
}

function render(before = null) {
  const lines = (state.cart && state.cart.lines) || [];
  $('#seller').textContent = state.seller;
  $('#seller-bar').textContent = state.seller;
  const thanks = state.thanks;
  $('#thanks').hidden = !thanks;
  if (thanks) {
    const change = $('#thanks-change');
    change.hidden = !(thanks.change > 0);
    change.textContent = t('display.change', { amount: formatVND(thanks.change || 0) });
    $('#thanks-receipt').textContent = `${t('sale.receipt', { no: thanks.receipt_no })} · ${formatVND(thanks.total)}`;
    $('#thanks').dataset.receipt = thanks.receipt_no || '';
  }
  const idle = lines.length === 0 && !state.vietqr;
  $('#idle').hidden = !idle || Boolean(thanks);
  $('#main').hidden = idle;
  if (idle) return;

  const lang = getLang();
  const key = (l) => `${l.qty}/${l.weight_g || 0}/${l.total}`;
  const old = new Map(((before && before.lines) || []).map((l) => [l.sku, key(l)]));
  let changed = null;
  setChildren($('#lines'), lines.map((l) => {
    const rows = lineRows(state.cart, l, lang);
    const offs = rows.offs.map((o) => h('li', { testid: `display-${o.kind}`, dataset: { amount: String(o.amount) } },
      h('span', {}, o.label), ' ', h('span', { class: 'num' }, formatVND(-o.amount))));
    if (rows.free) {
      offs.push(h('li', { class: 'd-free', testid: 'display-free', dataset: { qty: String(rows.free.qty) } },
        h('span', {}, `${rows.free.label} · ${rows.free.promotion}`), ' ', h('span', { class: 'num' }, formatVND(0))));
    }
    const li = h('li', { class: 'd-line', testid: 'display-line', dataset: { sku: l.sku, qty: String(l.qty), weight: String(l.weight_g || 0), total: String(l.total || 0) } },
      h('span', { class: 'd-qty' }, rows.weighed ? '⚖' : `${l.qty - (l.free_qty || 0)}×`),
      h('span', { class: 'd-name' }, productName(l), rows.weighed ? h('span', { class: 'd-weight', testid: 'display-weight' }, rows.amounts) : null),
      h('span', { class: 'd-amount' }, formatVND(rows.gross)),
      offs.length ? h('ul', { class: 'd-offs' }, offs) : null);
    if (before && old.get(l.sku) !== key(l)) changed = li;
    return li;
  }));
  if (changed) flash(changed);
  const list = $('#lines');
  list.scrollTop = list.scrollHeight; // the newest lines stay in view
  const sums = cartRows(state.cart, lang);
  const sumRows = sums.rows.filter((r) => r.kind !== 'saved');
  setChildren($('#sums'), sumRows.map((r) => [
    h('dt', { class: `sum-${r.kind}` }, r.label),
    h('dd', { class: `sum-${r.kind}`, testid: `display-sum-${r.kind}`, dataset: { amount: String(r.amount) } }, formatVND(r.amount)),
  ]));
  $('#sums').hidden = sumRows.length === 0;
  const total = (state.cart && state.cart.total) || 0;
  $('#total').textContent = formatVND(total);
  $('#total').dataset.total = String(total);
  // What the customer saves: the discounts and the free units' worth.
  const saved = customerSaves(state.cart);
  $('#saved').hidden = saved <= 0;
  $('#saved').dataset.amount = String(saved);
  $('#saved').textContent = saved > 0 ? t('display.saved', { amount: formatVND(saved) }) : '';
  $('#vat').textContent = ((state.cart && state.cart.vat) || []).filter((v) => v.vat > 0)
    .map((v) => `${t('cart.vat', { rate: v.rate })}: ${formatVND(v.vat)}`).join(' · ');
  renderQR();
}

function renderQR() {
  const p = state.vietqr;
  $('#qr').hidden = !p;
  $('#main').classList.toggle('with-qr', Boolean(p));
  const canvas = $('#qr-canvas');
  if (!p || !p.payload) {
    clearQR(canvas);
    return;
  }
  drawQR(canvas, p.payload);
  $('#qr-amount').textContent = formatVND(p.amount || 0);
  $('#qr-ref').textContent = p.reference ? t('pay.reference', { ref: p.reference }) : '';
  // Who gets the money, for the customer to check before sending it.
  const b = bankLines(p.bank);
  setChildren($('#qr-bank'), b ? [
    h('dt', {}, t('self.bank')), h('dd', { testid: 'display-bank-name' }, b.bank),
    h('dt', {}, t('self.account')), h('dd', { testid: 'display-bank-account' }, b.account),
    b.holder ? [h('dt', {}, t('self.holder')), h('dd', { testid: 'display-bank-holder' }, b.holder)] : null,
  ] : []);
}
