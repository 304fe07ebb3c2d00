// The cart panel shared by the till and the self-service screen: the lines
// with − / quantity / + / remove, the VAT contained and the total. The cart
// itself lives on the server; these functions only draw it and turn taps into
// cart.* messages.

import { formatVND } from './format.js';
import { productName, t, unitName } from './i18n.js';
import { flash, h, setChildren } from './ui.js';

// renderCart draws cart into the panel's elements ({lines, empty, count, vat,
// total}); before is the previous cart, to flash the line that changed.
export function renderCart(els, cart, before = null) {
  const c = cart || { lines: [], total: 0, count: 0, vat: [] };
  const lines = c.lines || [];
  const old = new Map(((before && before.lines) || []).map((l) => [l.sku, l.qty]));
  let changed = null;
  setChildren(els.lines, lines.map((l) => {
    const name = productName(l);
    const li = h('li', { class: 'line', testid: 'cart-line', dataset: { sku: l.sku, qty: String(l.qty) } },
      h('div', { class: 'l-name' },
        h('span', { class: 'l-title' }, name),
        h('small', {}, `${formatVND(l.price)}${l.unit ? ` / ${unitName(l.unit)}` : ''}`)),
      h('div', { class: 'l-qty' },
        h('button', { type: 'button', class: 'qbtn', testid: 'qty-minus', 'aria-label': `${t('cart.minus')}: ${name}`, dataset: { act: 'minus', sku: l.sku } }, '−'),
        h('button', { type: 'button', class: 'qval', testid: 'qty', 'aria-label': `${t('cart.qty')}: ${l.qty}`, dataset: { act: 'qty', sku: l.sku } }, String(l.qty)),
        h('button', { type: 'button', class: 'qbtn', testid: 'qty-plus', 'aria-label': `${t('cart.plus')}: ${name}`, dataset: { act: 'plus', sku: l.sku } }, '+')),
      h('strong', { class: 'l-total' }, formatVND(l.total)),
      h('button', { type: 'button', class: 'l-remove', testid: 'line-remove', 'aria-label': `${t('cart.remove')}: ${name}`, dataset: { act: 'remove', sku: l.sku } }, '×'));
    if (before && old.get(l.sku) !== l.qty) changed = li;
    return li;
  }));
  if (changed) {
    changed.scrollIntoView({ block: 'nearest' });
    flash(changed);
  }
  els.empty.hidden = lines.length > 0;
  els.count.textContent = lines.length ? t('cart.items', { n: c.count ?? lines.length }) : '';
  setChildren(els.vat, (c.vat || []).filter((v) => v.vat > 0).map((v) => [
    h('dt', {}, t('cart.vat', { rate: v.rate })), h('dd', {}, formatVND(v.vat)),
  ]));
  els.total.textContent = formatVND(c.total || 0);
  els.total.dataset.total = String(c.total || 0);
}

// wireCart turns taps on the lines into messages: send(msg) sends one,
// cart() reads the current cart, onQty(line) opens a quantity editor.
export function wireCart(listEl, { send, cart, onQty }) {
  listEl.addEventListener('click', (e) => {
    const btn = e.target.closest('button[data-act]');
    if (!btn) return;
    const line = ((cart() && cart().lines) || []).find((l) => l.sku === btn.dataset.sku);
    if (!line) return;
    switch (btn.dataset.act) {
      case 'plus':
        send({ type: 'cart.set', sku: line.sku, qty: line.qty + 1 });
        break;
      case 'minus':
        send({ type: 'cart.set', sku: line.sku, qty: line.qty - 1 });
        break;
      case 'remove':
        send({ type: 'cart.remove', sku: line.sku });
        break;
      case 'qty':
        if (onQty) onQty(line);
        break;
      default:
        break;
    }
  });
}
