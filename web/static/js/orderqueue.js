// The till's queue of self-service orders: a button with how many wait, a
// dialog listing them (pickup code, transfer reference, amount, time left)
// with Transfer received / Cash or card / Cancel, a box to find one by its
// code, and the orders that closed while this till watched (an expired one
// can be rung up at the till). Orders arrive live over the websocket.

import { api } from './api.js';
import { formatVND } from './format.js';
import { errorText, t } from './i18n.js';
import { Queue, findOrder, formatLeft, normalizeCode, vietqrReference } from './orders.js';
import { $, closeDialog, h, openDialog, setChildren, toast } from './ui.js';

const RECENT = 8;
const CANCEL_ARM_MS = 4000;

export class OrderQueue {
  // checkout: the till's Checkout (takes an order's money); send(msg): the
  // websocket; ringUp(order): put an order's goods in the till's cart.
  constructor({ dialog, button, checkout, send, ringUp }) {
    this.dlg = dialog;
    this.button = button;
    this.checkout = checkout;
    this.send = send;
    this.ringUp = ringUp;
    this.queue = new Queue();
    this.recent = [];
    this.armed = null; // the order whose Cancel was tapped once
    this.setup();
    setInterval(() => this.tick(), 1000);
  }

  setup() {
    this.button.addEventListener('click', () => this.open());
    $('#orders-close', this.dlg).addEventListener('click', () => closeDialog(this.dlg));
    const input = $('#orders-code', this.dlg);
    const go = () => { this.find(input.value, 'typed'); };
    $('#orders-find', this.dlg).addEventListener('click', go);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        go();
      }
    });
    this.render();
  }

  open() {
    openDialog(this.dlg);
    this.render();
  }

  // ---- from the websocket ----

  // reset takes the open orders of a state message.
  reset(orders) {
    this.queue.reset(orders);
    this.render();
  }

  // update takes an `order` message.
  update(order) {
    if (!order) return;
    const known = Boolean(this.queue.get(order.id));
    this.queue.update(order);
    if (order.state === 'open' && !known) {
      toast(t('orders.new', { code: order.code, amount: formatVND(order.total) }), { ms: 8000 });
    } else if (order.state !== 'open') {
      this.recent = [order, ...this.recent.filter((o) => o.id !== order.id)].slice(0, RECENT);
      if (known && order.state === 'expired') toast(t('orders.now_expired', { code: order.code }), { kind: 'error', ms: 8000 });
    }
    this.checkout.onOrder(order);
    this.render();
  }

  // scanned answers whether a scanned text was an order (then it is opened):
  // its pickup code, or the VietQR on the tourist's screen or photo.
  scanned(text) {
    const isQR = Boolean(vietqrReference(text));
    const o = findOrder(this.queue.orders, text);
    if (o) {
      this.pay(o, isQR && o.vietqr ? 'vietqr' : 'cash');
      return true;
    }
    if (isQR) {
      this.find(vietqrReference(text).split(' ').pop(), 'scanned');
      return true;
    }
    return false;
  }

  // find looks a code up: in the queue, else at the kiosk (the queue may be
  // behind, or the order closed).
  async find(text, how) {
    const o = findOrder(this.queue.orders, text);
    if (o) {
      closeDialog(this.dlg);
      this.pay(o, 'cash');
      return;
    }
    const code = normalizeCode(text);
    if (!code) {
      toast(t('orders.not_found', { code: String(text || '').trim() || '?' }), { kind: 'error' });
      return;
    }
    try {
      const found = await api(`/api/v1/orders/${encodeURIComponent(code)}`);
      if (found.state === 'open') {
        this.queue.update(found);
        this.render();
        closeDialog(this.dlg);
        this.pay(found, how === 'scanned' && found.vietqr ? 'vietqr' : 'cash');
        return;
      }
      this.recent = [found, ...this.recent.filter((r) => r.id !== found.id)].slice(0, RECENT);
      this.open();
      toast(t(`orders.now_${found.state}`, { code: found.code }), { kind: 'error', ms: 8000 });
    } catch (err) {
      toast(err.code === 'not_found' ? t('orders.not_found', { code }) : errorText(err.code, err.message), { kind: 'error' });
    }
  }

  pay(order, method) {
    closeDialog(this.dlg);
    this.checkout.openOrder(this.queue.get(order.id) || order, method);
  }

  cancel(order, btn) {
    if (this.armed !== order.id) {
      this.armed = order.id;
      btn.textContent = t('orders.cancel_sure');
      btn.dataset.armed = 'true';
      setTimeout(() => {
        if (this.armed === order.id) {
          this.armed = null;
          this.render();
        }
      }, CANCEL_ARM_MS);
      return;
    }
    this.armed = null;
    this.send({ type: 'order.cancel', id: order.id, reason: 'cancelled at the till' });
  }

  // ---- drawing ----

  tick() {
    for (const el of this.dlg.querySelectorAll('[data-testid="order-left"]')) {
      const o = this.queue.get(el.dataset.id);
      if (o) this.showLeft(el, o);
    }
  }

  showLeft(el, o) {
    const left = this.queue.secondsLeft(o);
    el.textContent = left > 0 ? t('orders.left', { time: formatLeft(left) }) : t('orders.time_up');
    el.dataset.left = String(left);
    el.classList.toggle('late', left < 120);
  }

  render() {
    const n = this.queue.orders.length;
    const count = $('#orders-count', this.button);
    count.textContent = String(n);
    this.button.dataset.count = String(n);
    $('#orders-empty', this.dlg).hidden = n > 0;
    setChildren($('#orders-list', this.dlg), this.queue.orders.map((o) => this.row(o)));
    const recent = $('#orders-recent', this.dlg);
    $('#orders-recent-title', this.dlg).hidden = this.recent.length === 0;
    setChildren(recent, this.recent.map((o) => this.closedRow(o)));
  }

  row(o) {
    const items = (o.lines || []).reduce((s, l) => s + l.qty, 0);
    const left = h('span', { class: 'order-left', testid: 'order-left', dataset: { id: o.id } });
    this.showLeft(left, o);
    const cancel = h('button', { type: 'button', class: 'btn-ghost', testid: 'order-cancel' }, t('orders.cancel'));
    cancel.addEventListener('click', () => this.cancel(o, cancel));
    return h('li', { class: 'order-row', testid: 'order', dataset: { id: o.id, code: o.code } },
      h('div', { class: 'order-id' },
        h('strong', { class: 'order-code' }, o.code),
        h('span', { class: 'order-ref' }, t('pay.reference', { ref: o.reference })),
        h('span', { class: 'order-meta' }, t('orders.from', { till: o.till || '—' }), ' · ', t('cart.items', { n: items }), ' · ', left)),
      h('strong', { class: 'order-total' }, formatVND(o.total)),
      h('div', { class: 'order-actions' },
        h('button', { type: 'button', class: 'btn-primary', testid: 'order-transfer', disabled: !o.vietqr, on: { click: () => this.pay(o, 'vietqr') } }, t('orders.transfer')),
        h('button', { type: 'button', class: 'btn-secondary', testid: 'order-take', on: { click: () => this.pay(o, 'cash') } }, t('orders.take')),
        cancel));
  }

  closedRow(o) {
    const again = o.state === 'expired' || o.state === 'cancelled'
      ? h('button', { type: 'button', class: 'btn-secondary', testid: 'order-ring-up', on: { click: () => {
        closeDialog(this.dlg);
        this.ringUp(o);
      } } }, t('orders.ring_up'))
      : null;
    return h('li', { class: 'order-row closed', testid: 'order-closed', dataset: { id: o.id, code: o.code, state: o.state } },
      h('div', { class: 'order-id' },
        h('strong', { class: 'order-code' }, o.code),
        h('span', { class: 'order-meta' }, t(`orders.state.${o.state}`), o.receipt_no ? ` · ${t('sale.receipt', { no: o.receipt_no })}` : '')),
      h('strong', { class: 'order-total' }, formatVND(o.total)),
      h('div', { class: 'order-actions' }, again));
  }
}
