// The till's checkout dialog: cash with the exact amount and round amounts
// above the total as quick tenders, and live change,
// VietQR (the code on every screen of the till until the vendor sees the
// transfer), card, e-wallet and split payments; then the sale's receipt
// number, change and whether its receipt printed. The same dialog takes the
// money for a self-service order (openOrder): its own total and VietQR, and
// order.confirm instead of checkout.

import { api } from './api.js';
import { cashChange, cashSuggestions, formatNumber, formatVND, parseAmount, splitRemaining } from './format.js';
import { errorText, getLang, t } from './i18n.js';
import { ReceiptPrint } from './printfollow.js';
import { clearQR, drawQR } from './qrcanvas.js';
import { SaleFinder, loadInFlight, recoverCheckout, saveInFlight } from './recovery.js';
import { $, $$, closeDialog, h, keypad, openDialog, setChildren, toast, typeKey } from './ui.js';

const METHODS = ['cash', 'vietqr', 'card', 'ewallet'];

// isModal tells whether a dialog was opened with showModal (the :modal
// pseudo-class; a browser without it counts every open dialog as modal).
function isModal(dlg) {
  try {
    return dlg.matches(':modal');
  } catch {
    return dlg.open;
  }
}

function newKey(till) {
  const rnd = crypto.getRandomValues(new Uint32Array(2));
  return `${till}-${Date.now().toString(36)}-${rnd[0].toString(36)}${rnd[1].toString(36)}`;
}

export class Checkout {
  // send(msg) sends over the websocket (answers the ref or null); cart(),
  // printers(), vietqr() and bank() read the till's current state (bank():
  // the account VietQR transfers go to, null when the kiosk has none).
  // buyer is the invoice's buyer dialog (BuyerDialog), when the till has one.
  constructor({ dialog, till, send, cart, printers, vietqr, bank = () => null, buyer = null }) {
    this.buyer = buyer;
    this.dlg = dialog;
    this.till = till;
    this.send = send;
    this.cart = cart;
    this.printers = printers;
    this.vietqr = vietqr;
    this.bank = bank;
    this.tenderTotal = null;
    this.mode = 'closed'; // closed | paying | busy | result
    this.method = 'cash';
    this.key = null;
    this.keySeq = null;
    this.pendingRef = null;
    this.qrRef = null;
    this.sale = null;
    this.print = new ReceiptPrint({
      el: () => $('#print-state', this.dlg),
      printers: () => this.printers(),
      active: (id) => this.mode === 'result' && Boolean(this.sale) && this.sale.id === id,
    });
    this.lostDuringBusy = false;
    this.splitRows = [];
    this.splitFocus = null;
    this.order = null; // the self-service order being paid, or null for the cart
    this.finder = new SaleFinder(send);
    this.inFlight = loadInFlight(sessionStorage, till); // a checkout the page was reloaded in the middle of
    this.setup();
  }

  // ---- wiring ----

  setup() {
    const d = this.dlg;
    $('#co-cancel', d).addEventListener('click', () => this.close());
    d.addEventListener('cancel', (e) => {
      e.preventDefault(); // Esc: the same as the close button, never mid-sale
      this.close();
    });
    for (const b of $$('.method', d)) b.addEventListener('click', () => this.choose(b.dataset.method));
    $('#co-confirm', d).addEventListener('click', () => this.confirm());
    const pin = $('#co-pin', d);
    pin.addEventListener('input', () => this.renderConfirm());
    pin.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.confirm(); });

    const tendered = $('#tendered', d);
    tendered.addEventListener('input', () => this.renderCash());
    tendered.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.confirm(); });
    $('#cash-pad', d).append(keypad((k) => {
      const digits = typeKey(tendered.value, k);
      tendered.value = digits ? formatNumber(Number(digits)) : '';
      this.renderCash();
    }));

    $('#qr-retry', d).addEventListener('click', () => this.requestQR());

    $('#split-add', d).addEventListener('click', () => {
      this.splitRows.push({ method: 'cash', amount: '', tendered: '' });
      this.renderSplit();
    });
    $('#split-pad', d).append(keypad((k) => {
      const input = this.splitFocus && this.splitFocus.isConnected ? this.splitFocus : $('#split-rows input.amount-input', d);
      if (!input) return;
      const digits = typeKey(input.value, k);
      input.value = digits ? formatNumber(Number(digits)) : '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }));
  }

  total() {
    if (this.order) return this.order.total || 0;
    const c = this.cart();
    return (c && c.total) || 0;
  }

  lines() {
    if (this.order) return this.order.lines || [];
    const c = this.cart();
    return (c && c.lines) || [];
  }

  // qr is the transfer being paid: the order's own, or the till's.
  qr() {
    return this.order ? this.order.vietqr || null : this.vietqr();
  }

  // busyPaying reports whether a payment is under way (scans then wait).
  busyPaying() {
    return this.mode === 'paying' || this.mode === 'busy';
  }

  // transfers tells whether VietQR can be offered: the kiosk has an account
  // for it (or a transfer is already pending).
  transfers() {
    return Boolean(this.bank()) || Boolean(this.vietqr());
  }

  // ---- opening, closing, modes ----

  open(method = 'cash') {
    if (this.mode === 'busy') return;
    this.order = null;
    if (this.lines().length === 0) return;
    this.start(this.vietqr() ? 'vietqr' : method);
  }

  // openOrder takes the money for a self-service order: 'vietqr' when the
  // transfer arrived, cash or card when the tourist pays here.
  openOrder(order, method = 'cash') {
    if (!order || this.mode === 'busy') return;
    if (this.mode === 'paying' && !this.order && this.vietqr()) this.send({ type: 'pay.cancel' });
    this.order = order;
    this.start(method);
  }

  // payExact sells the cart for exactly its total in cash: one tap (or F9)
  // when the customer hands over the right money.
  // A discount waiting for the manager's PIN stops it at the PIN.
  payExact() {
    if (this.mode === 'busy' || this.mode === 'paying') return;
    this.order = null;
    if (this.lines().length === 0 || this.total() <= 0) return;
    this.start('cash');
    this.setTendered(this.total());
    if (this.pinShown()) return;
    this.confirm();
  }

  // needsPin tells whether a discount of the cart waits for the manager's
  // PIN (above the kiosk's limit): the checkout then carries it.
  needsPin() {
    const c = this.order ? null : this.cart();
    return Boolean(c && (c.needs_pin || (c.lines || []).some((l) => l.needs_pin)));
  }

  showPin(on) {
    const row = $('#co-pin-row', this.dlg);
    if (on && row.hidden) $('#co-pin', this.dlg).value = '';
    row.hidden = !on;
    if (on) $('#co-pin', this.dlg).focus();
    this.renderConfirm();
  }

  pinShown() {
    return !$('#co-pin-row', this.dlg).hidden;
  }

  start(method) {
    this.print.stop();
    this.sale = null;
    this.qrAsked = false;
    this.splitRows = [];
    this.error('');
    this.showModal();
    this.setMode('paying');
    this.choose(method);
    // Not the close button: the Enter that ended a scan must not press it.
    $('#co-title', this.dlg).focus();
    this.showPin(this.needsPin());
  }

  close() {
    if (this.mode === 'busy') return; // the sale is being written; wait for it
    this.dismiss();
  }

  // dismiss closes the dialog whatever it shows.
  dismiss() {
    if (this.mode === 'paying' && !this.order && this.vietqr()) this.send({ type: 'pay.cancel' });
    this.print.stop();
    this.order = null;
    this.setMode('closed');
    closeDialog(this.dlg);
    saveInFlight(sessionStorage, this.till, null);
  }

  // closeResult closes the dialog when it only shows a finished sale.
  closeResult() {
    if (this.mode === 'result') this.close();
  }

  setMode(mode) {
    this.mode = mode;
    const d = this.dlg;
    d.dataset.mode = mode;
    const paying = mode === 'paying';
    $('#co-methods', d).hidden = !paying;
    $('[data-method="vietqr"]', d).hidden = !this.transfers() && !(this.order && this.order.vietqr);
    for (const p of $$('.co-panel', d)) {
      p.hidden = paying ? p.dataset.panel !== this.method : p.dataset.panel !== mode;
    }
    $('#co-foot', d).hidden = !paying;
    $('#co-result', d).hidden = mode !== 'result';
    if (mode !== 'result') setChildren($('#co-result', d));
    $('#co-cancel', d).disabled = mode === 'busy';
    const title = $('#co-title', d);
    title.textContent = this.order && mode !== 'result' ? t('orders.pay_title', { code: this.order.code }) : t('pay.title');
    d.dataset.order = this.order ? this.order.id : '';
    this.renderTotal();
  }

  choose(method) {
    if (this.mode !== 'paying') return;
    const prev = this.method;
    this.method = method;
    if (prev === 'vietqr' && method !== 'vietqr' && !this.order && this.vietqr()) this.send({ type: 'pay.cancel' });
    for (const b of $$('.method', this.dlg)) b.setAttribute('aria-pressed', String(b.dataset.method === method));
    this.error('');
    this.setMode('paying');
    if (method === 'cash') {
      $('#tendered', this.dlg).value = '';
      this.renderCash();
    } else if (method === 'vietqr') {
      if (this.qr() || this.order) this.renderQR();
      else this.requestQR();
    } else if (method === 'split') {
      if (this.splitRows.length === 0) {
        this.splitRows = [{ method: 'card', amount: '', tendered: '' }, { method: 'cash', amount: '', tendered: '' }];
      }
      this.renderSplit();
    }
    this.renderConfirm();
  }

  relabel() {
    this.tenderTotal = null; // the exact button's words
    this.renderTenders();
    if (this.order && this.mode !== 'result') $('#co-title', this.dlg).textContent = t('orders.pay_title', { code: this.order.code });
    if (this.mode === 'paying') {
      if (this.method === 'cash') this.renderCash();
      if (this.method === 'vietqr') this.renderQR();
      if (this.method === 'split') this.renderSplit();
      this.renderConfirm();
    }
    if (this.mode === 'result' && this.sale) this.renderResult();
  }

  renderTotal() {
    const total = this.mode === 'result' && this.sale ? this.sale.total : this.total();
    $('#co-total', this.dlg).textContent = formatVND(total);
    $('#co-total', this.dlg).dataset.total = String(total);
  }

  error(text) {
    const el = $('#co-error', this.dlg);
    el.textContent = text;
    el.hidden = !text;
  }

  // ---- cash ----

  setTendered(v) {
    $('#tendered', this.dlg).value = formatNumber(v);
    this.renderCash();
  }

  tendered() {
    const raw = $('#tendered', this.dlg).value.trim();
    return raw === '' ? this.total() : parseAmount(raw);
  }

  // renderTenders offers the exact amount and the round amounts above it
  // (cashSuggestions), again whenever the total changes.
  renderTenders() {
    const total = this.total();
    if (this.tenderTotal === total) return;
    this.tenderTotal = total;
    setChildren($('#tenders', this.dlg),
      h('button', { type: 'button', class: 'tender tender-exact', testid: 'tender-exact', dataset: { amount: String(total) }, on: { click: () => this.setTendered(this.total()) } }, t('pay.exact')),
      cashSuggestions(total).map((v) => h('button', {
        type: 'button', class: 'tender', testid: `tender-${v}`, dataset: { amount: String(v) }, on: { click: () => this.setTendered(v) },
      }, formatNumber(v))));
  }

  renderCash() {
    const total = this.total();
    this.renderTenders();
    const v = this.tendered();
    const line = $('#change', this.dlg);
    if (!Number.isFinite(v)) {
      line.textContent = t('err.bad_amount');
      line.dataset.state = 'bad';
    } else {
      const { change, short } = cashChange(total, v);
      line.dataset.state = short ? 'short' : 'ok';
      line.dataset.change = String(change);
      setChildren(line, short
        ? [h('span', {}, t('pay.short')), ' ', h('strong', {}, formatVND(short))]
        : [h('span', {}, t('pay.change')), ' ', h('strong', {}, formatVND(change))]);
    }
    this.renderConfirm();
  }

  // ---- VietQR ----

  requestQR() {
    this.qrRef = this.send({ type: 'pay.vietqr' });
    this.qrAsked = Boolean(this.qrRef);
    this.renderQR();
  }

  renderQR() {
    const d = this.dlg;
    const p = this.qr();
    const canvas = $('#till-qr', d);
    const status = $('#qr-status', d);
    $('#qr-retry', d).hidden = Boolean(p) || this.qrAsked || Boolean(this.order);
    $('#vietqr-hint', d).textContent = t(this.order ? 'orders.vietqr_hint' : 'pay.vietqr_hint');
    if (p && p.payload) {
      drawQR(canvas, p.payload);
      canvas.hidden = false;
      status.textContent = t('pay.waiting');
      status.dataset.state = 'waiting';
      $('#qr-amount', d).textContent = formatVND(p.amount ?? this.total());
      $('#qr-ref', d).textContent = p.reference ? t('pay.reference', { ref: p.reference }) : '';
    } else {
      clearQR(canvas);
      canvas.hidden = true;
      status.textContent = this.order ? t('err.vietqr_not_configured') : this.qrAsked ? t('pay.qr_preparing') : '';
      status.dataset.state = this.qrAsked ? 'preparing' : 'none';
      $('#qr-amount', d).textContent = '';
      $('#qr-ref', d).textContent = '';
    }
    this.renderConfirm();
  }

  // ---- split ----

  renderSplit() {
    const list = $('#split-rows', this.dlg);
    setChildren(list, this.splitRows.map((row, i) => {
      const amount = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'amount-input', testid: 'split-amount', value: row.amount, 'aria-label': t('pay.amount') });
      amount.addEventListener('input', () => { row.amount = amount.value; this.renderSplitTotals(); });
      amount.addEventListener('focus', () => { this.splitFocus = amount; });
      const methods = METHODS.filter((m) => m !== 'vietqr' || this.transfers() || row.method === 'vietqr');
      const select = h('select', { class: 'split-method', testid: 'split-method', 'aria-label': t('pay.method') },
        methods.map((m) => h('option', { value: m, selected: m === row.method ? 'selected' : null }, t(`pay.${m}`))));
      select.addEventListener('change', () => { row.method = select.value; this.renderSplit(); });
      const rest = h('button', { type: 'button', class: 'btn-ghost', testid: 'split-rest', on: { click: () => {
        const others = this.splitRows.filter((r) => r !== row).map((r) => ({ amount: parseAmount(r.amount) }));
        const left = splitRemaining(this.total(), others);
        row.amount = left > 0 ? formatNumber(left) : '';
        this.renderSplit();
      } } }, t('pay.rest'));
      const remove = h('button', { type: 'button', class: 'l-remove', 'aria-label': t('common.delete'), on: { click: () => { this.splitRows.splice(i, 1); this.renderSplit(); } } }, '×');
      const li = h('li', { class: 'split-row', testid: 'split-row', dataset: { method: row.method } }, select, amount, rest, remove);
      if (row.method === 'cash') {
        const tendered = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'amount-input small', testid: 'split-tendered', value: row.tendered, placeholder: t('pay.tendered'), 'aria-label': t('pay.tendered') });
        tendered.addEventListener('input', () => { row.tendered = tendered.value; this.renderSplitTotals(); });
        tendered.addEventListener('focus', () => { this.splitFocus = tendered; });
        li.append(tendered);
      }
      return li;
    }));
    this.renderSplitTotals();
  }

  splitPayments() {
    const total = this.total();
    const payments = [];
    let nonCash = 0;
    for (const row of this.splitRows) {
      const amount = parseAmount(row.amount);
      if (row.amount.trim() === '') continue;
      if (!Number.isFinite(amount) || amount <= 0) return { error: t('err.bad_amount') };
      const p = { method: row.method, amount };
      if (row.method === 'cash' && row.tendered.trim() !== '') {
        const tendered = parseAmount(row.tendered);
        if (!Number.isFinite(tendered) || tendered < amount) return { error: t('err.tendered_short') };
        p.tendered = tendered;
      }
      if (row.method !== 'cash') nonCash += amount;
      payments.push(p);
    }
    if (nonCash > total) return { error: t('pay.over') };
    const remaining = splitRemaining(total, payments);
    return { payments, remaining };
  }

  renderSplitTotals() {
    const line = $('#split-remaining', this.dlg);
    const r = this.splitPayments();
    if (r.error) {
      line.textContent = r.error;
      line.dataset.state = 'bad';
    } else {
      line.dataset.state = r.remaining === 0 ? 'ok' : 'short';
      line.dataset.remaining = String(r.remaining);
      const change = r.payments.filter((p) => p.method === 'cash' && p.tendered).reduce((s, p) => s + p.tendered - p.amount, 0);
      setChildren(line, h('span', {}, t('pay.remaining')), ' ', h('strong', {}, formatVND(r.remaining)),
        change > 0 ? [' · ', h('span', {}, t('pay.change')), ' ', h('strong', {}, formatVND(change))] : null);
    }
    this.renderConfirm();
  }

  // ---- confirming ----

  payments() {
    const total = this.total();
    switch (this.method) {
      case 'cash': {
        const tendered = this.tendered();
        if (!Number.isFinite(tendered) || tendered < total) return null;
        return [{ method: 'cash', amount: total, tendered }];
      }
      case 'vietqr':
        return this.qr() ? [{ method: 'vietqr', amount: total }] : null;
      case 'card':
      case 'ewallet': {
        const ref = $(`#${this.method}-ref`, this.dlg).value.trim();
        const p = { method: this.method, amount: total };
        if (ref) p.reference = ref;
        return [p];
      }
      case 'split': {
        const r = this.splitPayments();
        return !r.error && r.remaining === 0 && r.payments.length > 0 ? r.payments : null;
      }
      default:
        return null;
    }
  }

  renderConfirm() {
    const btn = $('#co-confirm', this.dlg);
    btn.textContent = t(this.method === 'vietqr' ? 'pay.received' : 'pay.confirm');
    btn.disabled = this.mode !== 'paying' || this.total() <= 0 || this.payments() === null
      || (this.pinShown() && $('#co-pin', this.dlg).value.trim() === '');
  }

  confirm() {
    if (this.mode !== 'paying') return;
    const payments = this.payments();
    if (!payments) return;
    let ref;
    if (this.order) {
      // An order is paid once whatever is retried: the kiosk refuses a second
      // confirm, and the order itself says which sale it became.
      ref = this.send({ type: 'order.confirm', id: this.order.id, payments });
      if (ref) saveInFlight(sessionStorage, this.till, { order: this.order.id, at: Date.now() });
    } else {
      const cart = this.cart();
      // One key per cart contents: a retry after a lost answer cannot sell twice.
      if (!this.key || this.keySeq !== (cart && cart.seq)) {
        this.key = newKey(this.till);
        this.keySeq = cart && cart.seq;
      }
      // The sale records the till's language (its receipt may print in it)
      // and, when a discount waits for it, the manager's PIN.
      const msg = { type: 'checkout', payments, idempotency_key: this.key, lang: getLang() };
      const buyer = this.buyer && this.buyer.value();
      if (buyer) msg.buyer = buyer; // the invoice names the buyer who asked
      const pin = $('#co-pin', this.dlg).value.trim();
      if (this.pinShown()) {
        if (!pin) return;
        msg.pin = pin;
      }
      ref = this.send(msg);
      if (ref) saveInFlight(sessionStorage, this.till, { key: this.key, at: Date.now() });
    }
    if (!ref) return;
    this.pendingRef = ref;
    this.lostDuringBusy = false;
    this.error('');
    $('#busy-text', this.dlg).textContent = t('pay.busy');
    this.setMode('busy');
  }

  // ---- messages from the server ----

  onState() {
    if (this.inFlight && this.mode === 'closed') {
      // The page was reloaded in the middle of a checkout: find out what
      // became of it before anything else.
      const f = this.inFlight;
      this.inFlight = null;
      this.key = f.key || null;
      this.order = f.order ? { id: f.order, total: 0, lines: [] } : null;
      this.showModal();
      $('#busy-text', this.dlg).textContent = t('pay.lost');
      this.setMode('busy');
      this.recover();
      return;
    }
    if (this.mode === 'busy' && this.lostDuringBusy) {
      this.recover();
      return;
    }
    if (!this.order && this.vietqr() && this.mode === 'closed' && this.lines().length > 0) {
      this.open('vietqr'); // another screen of this till (self-service) asked for a transfer
      return;
    }
    this.onCart();
    if (this.mode === 'paying' && this.method === 'vietqr') this.renderQR();
  }

  onCart() {
    if (this.mode === 'paying' && !this.order) {
      if (this.lines().length === 0) {
        this.close();
        return;
      }
      this.renderTotal();
      if (this.needsPin() && !this.pinShown()) this.showPin(true);
      if (this.method === 'cash') this.renderCash();
      else if (this.method === 'split') this.renderSplitTotals();
      else this.renderConfirm();
    }
  }

  onVietQR() {
    if (this.order) return; // paying an order: the till's own QR is another matter
    const p = this.vietqr();
    if (p && this.mode === 'closed' && this.lines().length > 0) {
      this.open('vietqr');
      return;
    }
    if (!p) this.qrAsked = false;
    if (this.mode === 'paying' && this.method === 'vietqr') this.renderQR();
  }

  onSale(sale) {
    if (!sale) return;
    if (this.buyer) this.buyer.clear(); // the next customer's invoice is their own
    this.showResult({
      id: sale.id, receipt_no: sale.receipt_no, total: sale.total, change: sale.change, payments: sale.payments,
    });
  }

  onSaleDone(m) {
    if (this.mode === 'busy') {
      if (this.pendingRef) this.showResult(m); // not a sale of another screen while recovering
    } else if (this.mode === 'paying') {
      // Another screen of this till took the payment.
      this.setMode('closed');
      closeDialog(this.dlg);
      toast(t('sale.receipt', { no: m.receipt_no }));
    }
  }

  // onOrder follows the order being paid: paid, cancelled or expired
  // elsewhere, the dialog has nothing left to take.
  onOrder(order) {
    if (!this.order || !order || order.id !== this.order.id) return;
    if (order.state === 'open') {
      this.order = { ...this.order, ...order };
      if (this.mode === 'paying') this.onCartLike();
      return;
    }
    if (this.mode === 'paying') {
      this.setMode('closed');
      this.order = null;
      closeDialog(this.dlg);
      toast(t(`orders.now_${order.state}`, { code: order.code }), { kind: order.state === 'paid' ? 'info' : 'error' });
    }
  }

  onCartLike() {
    this.renderTotal();
    if (this.method === 'cash') this.renderCash();
    else if (this.method === 'split') this.renderSplitTotals();
    else if (this.method === 'vietqr') this.renderQR();
    else this.renderConfirm();
  }

  onError(m) {
    if (this.finder.onMessage(m)) return true;
    if (m.ref && m.ref === this.pendingRef && this.mode === 'busy') {
      this.pendingRef = null;
      this.key = null; // nothing was sold; the next try is a new request
      saveInFlight(sessionStorage, this.till, null);
      if (this.order && /^order_(paid|cancelled|expired)$/.test(m.code)) {
        this.setMode('closed');
        this.order = null;
        closeDialog(this.dlg);
        toast(errorText(m.code, m.message), { kind: 'error' });
        return true;
      }
      this.setMode('paying');
      if (m.code === 'discount_needs_pin') {
        this.showPin(true);
        this.error(t('pay.pin_needed'));
        return true;
      }
      if (m.code === 'bad_pin' || m.code === 'pin_locked') $('#co-pin', this.dlg).value = '';
      this.error(m.code === 'bad_buyer' && this.buyer ? this.buyer.onBadBuyer(m) : errorText(m.code, m.message));
      this.renderConfirm();
      return true;
    }
    if (m.ref && m.ref === this.qrRef) {
      this.qrAsked = false;
      if (this.mode === 'paying' && this.method === 'vietqr') {
        this.renderQR();
        this.error(errorText(m.code, m.message));
        return true;
      }
    }
    return false;
  }

  onPrinters() {
    if (this.mode === 'result') this.print.render();
  }

  onConnection(status) {
    if (status !== 'connected' && this.mode === 'busy') {
      this.lostDuringBusy = true;
      $('#busy-text', this.dlg).textContent = t('pay.lost');
    }
  }

  // recover finds out, after a reconnect or a reload, whether the checkout
  // sent before the link dropped made a sale: by its idempotency key (or, for
  // an order, by the order), never by the time — the latest sale may be the
  // previous customer's.
  async recover() {
    this.lostDuringBusy = false;
    if (this.order) {
      await this.recoverOrder();
      return;
    }
    const cartLines = ((this.cart() && this.cart().lines) || []).length;
    const r = await recoverCheckout({ cartLines, key: this.key, find: (k) => this.finder.find(k) });
    if (this.mode !== 'busy') return; // an answer came meanwhile
    switch (r.action) {
      case 'retry':
        // The cart is still there: nothing was sold. Confirming again reuses
        // the idempotency key, so even a late first attempt cannot sell twice.
        this.setMode('paying');
        this.renderConfirm();
        break;
      case 'sold':
        this.onSale(r.sale);
        break;
      case 'unsold':
        this.dismiss();
        toast(t('pay.not_sold'), { kind: 'error', ms: 12000 });
        break;
      default:
        this.dismiss();
        toast(t('pay.unknown'), { kind: 'error', ms: 12000 });
    }
  }

  async recoverOrder() {
    const id = this.order.id;
    try {
      const o = await api(`/api/v1/orders/${encodeURIComponent(id)}`);
      if (this.mode !== 'busy') return;
      if (o.state === 'paid' && o.sale_id) {
        this.onSale(await api(`/api/v1/sales/${encodeURIComponent(o.sale_id)}`));
        return;
      }
      if (o.state === 'open') {
        this.order = o;
        this.setMode('paying');
        this.choose(this.method);
        return;
      }
      this.dismiss();
      toast(t(`orders.now_${o.state}`, { code: o.code }), { kind: 'error' });
    } catch {
      if (this.mode !== 'busy') return;
      this.dismiss();
      toast(t('pay.unknown'), { kind: 'error', ms: 12000 });
    }
  }

  // ---- result ----

  showResult(s) {
    if (this.sale && this.sale.id === s.id) {
      this.sale = { ...this.sale, ...s };
      this.renderResult();
      return;
    }
    this.pendingRef = null;
    this.key = null;
    this.order = null;
    this.splitRows = [];
    this.sale = { ...s };
    saveInFlight(sessionStorage, this.till, null);
    this.showAside();
    this.setMode('result');
    this.renderResult();
    this.print.follow(this.sale.id);
  }

  // showModal shows the dialog over the page: paying holds the till.
  showModal() {
    this.dlg.classList.remove('co-done');
    if (this.dlg.open && !isModal(this.dlg)) this.dlg.close();
    openDialog(this.dlg);
  }

  // showAside shows a finished sale beside the grid, not over it: the next
  // customer's first product (tapped, scanned or a shortcut) closes it, so the
  // vendor need not tap New sale first.
  showAside() {
    if (this.dlg.open && isModal(this.dlg)) this.dlg.close();
    this.dlg.classList.add('co-done');
    if (!this.dlg.open) this.dlg.show();
  }

  renderResult() {
    const s = this.sale;
    const box = $('#co-result', this.dlg);
    const methods = (s.payments || []).map((p) => t(`pay.${p.method}`)).join(' + ');
    const result = h('section', { class: 'result', testid: 'sale-result', dataset: { receipt: s.receipt_no || '', saleId: s.id || '' } },
      h('div', { class: 'result-ok', 'aria-hidden': 'true' }, '✓'),
      h('h3', {}, t('sale.paid')),
      h('p', { class: 'result-receipt', testid: 'receipt-no' }, t('sale.receipt', { no: s.receipt_no })),
      h('p', { class: 'result-total' }, formatVND(s.total), methods ? ` · ${methods}` : ''),
      s.change > 0
        ? h('p', { class: 'result-change', testid: 'sale-change', dataset: { change: String(s.change) } }, t('pay.change'), ' ', h('strong', {}, formatVND(s.change)))
        : null,
      h('p', { class: 'print-state', testid: 'print-state', id: 'print-state', dataset: { state: 'pending' } }, t('print.pending')),
      h('div', { class: 'result-actions' },
        h('button', { type: 'button', class: 'btn-secondary', testid: 'reprint', on: { click: () => this.reprint() } }, t('sale.reprint')),
        h('button', { type: 'button', class: 'btn-primary btn-big', testid: 'new-sale', on: { click: () => this.close() } }, t('sale.new'))));
    setChildren(box, result);
    this.print.render();
    $('[data-testid="new-sale"]', box).focus();
  }

  async reprint() {
    if (!this.sale) return;
    try {
      await api(`/api/v1/sales/${encodeURIComponent(this.sale.id)}/reprint`, { method: 'POST' });
      toast(t('sale.reprinted'));
      this.print.follow(this.sale.id);
    } catch (err) {
      toast(errorText(err.code, err.message), { kind: 'error' });
    }
  }
}
