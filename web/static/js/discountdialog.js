// The till's discount dialog: a discount on one line or on the whole cart, as
// a percentage or an amount, with quick picks (5 %, 10 %…, round amounts,
// "bớt lẻ" down to the thousand or ten thousand) and a reason. The figure it
// shows is worked out as the kiosk works it (discount.js); the kiosk prices
// the cart again and answers. Above the kiosk's limit it answers
// discount_needs_pin: the dialog then asks for the manager PIN and sends it
// with the same discount (cart.discount, web/PROTOCOL.md).

import {
  QUICK_AMOUNTS, QUICK_PERCENTS, discountOff, discountRequest, lineBase, parsePercent, percentText, requestPercent,
  roundDowns, saleBase,
} from './discount.js';
import { sameLine } from './cartview.js';
import { formatNumber, formatVND, parseAmount } from './format.js';
import { errorText, getLang, productName, t } from './i18n.js';
import { $, $$, closeDialog, h, keypad, openDialog, setChildren, toast, typeKey } from './ui.js';

const REASONS = ['regular', 'bulk', 'display', 'expiry', 'package'];

export class DiscountDialog {
  // send(msg) sends over the websocket (answers the ref or null); cart()
  // reads the till's cart.
  constructor({ dialog, send, cart }) {
    this.dlg = dialog;
    this.send = send;
    this.cart = cart;
    this.sku = null; // the line, or null for the whole cart
    this.lot = ''; // the line's lot, when it is a scanned label's
    this.mode = 'percent';
    this.ref = null; // the cart.discount waiting for its answer
    this.sentSeq = 0;
    this.focus = null;
    this.setup();
  }

  setup() {
    const d = this.dlg;
    $('#disc-close', d).addEventListener('click', () => this.close());
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      this.close();
    });
    for (const b of $$('[data-mode]', d)) b.addEventListener('click', () => this.setMode(b.dataset.mode, ''));
    const value = $('#disc-value', d);
    const pin = $('#disc-pin', d);
    value.addEventListener('input', () => this.renderPreview());
    for (const el of [value, pin, $('#disc-reason', d)]) {
      el.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.apply(); });
    }
    value.addEventListener('focus', () => { this.focus = value; });
    pin.addEventListener('focus', () => { this.focus = pin; });
    $('#disc-pad', d).append(keypad((k) => {
      const el = this.focus && this.focus.isConnected && !this.focus.closest('[hidden]') ? this.focus : value;
      if (el === pin) {
        pin.value = typeKey(pin.value, k === '000' ? '0' : k, 12);
        return;
      }
      const digits = typeKey(el.value, k, this.mode === 'percent' ? 3 : 13);
      el.value = this.mode === 'amount' && digits ? formatNumber(Number(digits)) : digits;
      this.renderPreview();
    }));
    $('#disc-apply', d).addEventListener('click', () => this.apply());
    $('#disc-remove', d).addEventListener('click', () => this.remove());
  }

  // line is the cart line the dialog is for, null for the whole cart.
  line() {
    if (!this.sku) return null;
    return ((this.cart() && this.cart().lines) || []).find((l) => sameLine(l, this.sku, this.lot)) || null;
  }

  base() {
    return this.sku ? lineBase(this.line()) : saleBase(this.cart());
  }

  // open shows the dialog for a line (or, with none, the whole cart), with
  // the discount it has now.
  open(line = null) {
    const c = this.cart();
    if (!c || !(c.lines || []).length) return;
    this.sku = line ? line.sku : null;
    this.lot = (line && line.lot) || '';
    const req = line ? line.discount_request : c.discount_request;
    const reason = (line ? line.discount_reason : c.discount_reason) || '';
    const pct = requestPercent(req);
    this.ref = null;
    $('#disc-reason', this.dlg).value = reason;
    $('#disc-pin', this.dlg).value = '';
    $('#disc-pin-row', this.dlg).hidden = true;
    $('#disc-remove', this.dlg).hidden = !req;
    this.error('');
    if (req && pct === null) this.setMode('amount', formatNumber(req.amount));
    else this.setMode('percent', pct !== null ? percentText(pct, getLang()) : '');
    this.relabel();
    openDialog(this.dlg);
    $('#disc-value', this.dlg).focus();
  }

  close() {
    this.ref = null;
    closeDialog(this.dlg);
  }

  setMode(mode, value) {
    this.mode = mode;
    for (const b of $$('[data-mode]', this.dlg)) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    const input = $('#disc-value', this.dlg);
    input.value = value;
    input.inputMode = mode === 'percent' ? 'decimal' : 'numeric';
    this.renderQuick();
    this.renderPreview();
  }

  // relabel draws the words again (a language switch).
  relabel() {
    const line = this.line();
    $('#disc-title', this.dlg).textContent = this.sku ? t('disc.title_line', { name: productName(line || { sku: this.sku }) }) : t('disc.title_sale');
    $('#disc-base', this.dlg).textContent = t('disc.base', { amount: formatVND(this.base()) });
    setChildren($('#disc-reasons', this.dlg), REASONS.map((r) => h('button', {
      type: 'button', class: 'chip', testid: `disc-reason-${r}`,
      on: { click: () => { $('#disc-reason', this.dlg).value = t(`disc.reason.${r}`); } },
    }, t(`disc.reason.${r}`))));
    this.renderQuick();
    this.renderPreview();
  }

  // renderQuick offers the usual percentages, or amounts up to the base and
  // the amounts that round what is left down.
  renderQuick() {
    const base = this.base();
    const lang = getLang();
    let picks;
    if (this.mode === 'percent') {
      picks = QUICK_PERCENTS.map((p) => ({ id: `${p}`, label: `${p} %`, value: String(p) }));
    } else {
      picks = [
        ...roundDowns(base).map((r) => ({ id: `round-${r.off}`, label: t('disc.round', { amount: formatVND(r.left) }), value: formatNumber(r.off) })),
        ...QUICK_AMOUNTS.filter((a) => a < base).map((a) => ({ id: `${a}`, label: formatNumber(a), value: formatNumber(a) })),
      ];
    }
    setChildren($('#disc-quick', this.dlg), picks.map((p) => h('button', {
      type: 'button', class: 'tender', testid: `disc-quick-${p.id}`, lang,
      on: { click: () => { $('#disc-value', this.dlg).value = p.value; this.renderPreview(); } },
    }, p.label)));
  }

  // value reads the field: hundredths of a percent, or đồng; NaN when it is
  // not one.
  value() {
    const raw = $('#disc-value', this.dlg).value.trim();
    if (raw === '') return NaN;
    return this.mode === 'percent' ? parsePercent(raw) : parseAmount(raw);
  }

  renderPreview() {
    const el = $('#disc-preview', this.dlg);
    const base = this.base();
    const v = this.value();
    const off = discountOff(base, this.mode, v);
    const ok = Number.isFinite(off) && v > 0;
    el.dataset.state = ok ? 'ok' : 'bad';
    el.dataset.off = ok ? String(off) : '';
    if (ok) el.textContent = t('disc.preview', { off: formatVND(off), left: formatVND(base - off) });
    else if ($('#disc-value', this.dlg).value.trim() === '') el.textContent = '';
    else el.textContent = this.mode === 'amount' && Number.isFinite(v) ? t('disc.too_much') : t('disc.bad_value');
    $('#disc-apply', this.dlg).disabled = !ok;
  }

  error(text) {
    const el = $('#disc-error', this.dlg);
    el.textContent = text;
    el.hidden = !text;
  }

  msg(discount) {
    const m = { type: 'cart.discount', discount };
    if (this.sku) m.sku = this.sku;
    if (this.sku && this.lot) m.lot = this.lot;
    const reason = $('#disc-reason', this.dlg).value.trim();
    if (discount && reason) m.reason = reason;
    const pin = $('#disc-pin', this.dlg).value.trim();
    if (discount && pin && !$('#disc-pin-row', this.dlg).hidden) m.pin = pin;
    return m;
  }

  apply() {
    const v = this.value();
    if (!Number.isFinite(discountOff(this.base(), this.mode, v)) || v <= 0) return;
    this.sendMsg(this.msg(discountRequest(this.mode, v)));
  }

  remove() {
    this.sendMsg(this.msg(null));
  }

  sendMsg(m) {
    const c = this.cart();
    this.sentSeq = (c && c.seq) || 0;
    this.ref = this.send(m);
    if (this.ref) {
      this.removing = m.discount === null;
      this.error('');
    }
  }

  // onCart closes the dialog once the kiosk's cart answers what was sent.
  onCart(cart) {
    if (!this.dlg.open) return;
    if (this.ref && cart && cart.seq > this.sentSeq) {
      toast(t(this.removing ? 'disc.removed' : 'disc.applied'));
      this.close();
      return;
    }
    if (!cart || !(cart.lines || []).length || (this.sku && !this.line())) {
      this.close(); // the cart (or the line) is gone
      return;
    }
    this.relabel();
  }

  // onError takes the answer to what the dialog sent: above the limit it
  // asks for the manager PIN; other refusals show in the dialog.
  onError(m) {
    if (!m.ref || m.ref !== this.ref) return false;
    this.ref = null;
    if (m.code === 'discount_needs_pin') {
      $('#disc-pin-row', this.dlg).hidden = false;
      this.error(t('disc.pin_needed'));
      const pin = $('#disc-pin', this.dlg);
      pin.focus();
      this.focus = pin;
      return true;
    }
    if (m.code === 'bad_pin' || m.code === 'pin_locked') $('#disc-pin', this.dlg).value = '';
    this.error(errorText(m.code, m.message));
    return true;
  }
}
