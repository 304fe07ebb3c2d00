// The till's cashier: who sells at this till. On a kiosk with cashiers the
// header shows who is signed in (or asks for someone), and a dialog signs a
// cashier in by name and PIN, or out. The kiosk checks the PIN and tells every
// screen of the till; a sale made without a cashier is refused there.

import { api } from './api.js';
import { errorText, t } from './i18n.js';
import { $, closeDialog, h, keypad, openDialog, setChildren, toast, typeKey } from './ui.js';

export class CashierPanel {
  // button: the header's button; dialog: #cashier-dialog; send(msg) sends
  // over the till's websocket and answers its ref (null when offline).
  constructor({ button, dialog, send }) {
    this.button = button;
    this.dlg = dialog;
    this.send = send;
    this.cashier = null;
    this.required = false;
    this.picked = null;
    this.names = [];
    this.pin = $('#cashier-pin', dialog);
    $('#cashier-pad', dialog).append(keypad((k) => { this.pin.value = typeKey(this.pin.value, k, 8); }, { withThousands: false }));
    button.addEventListener('click', () => this.open());
    $('#cashier-close', dialog).addEventListener('click', () => closeDialog(dialog));
    $('#cashier-ok', dialog).addEventListener('click', () => this.signIn());
    this.pin.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.signIn(); });
    $('#cashier-signout', dialog).addEventListener('click', () => {
      this.send({ type: 'cashier.signout' });
      closeDialog(dialog);
    });
  }

  // onState takes the till's state: its cashier and whether one is needed.
  onState(m) {
    this.cashier = m.cashier || null;
    this.required = Boolean(m.cashiers_required);
    this.render();
  }

  onCashier(m) {
    const was = this.cashier;
    this.cashier = m.cashier || null;
    this.render();
    if (this.cashier && this.dlg.open) closeDialog(this.dlg);
    if (this.cashier && (!was || was.id !== this.cashier.id)) toast(t('cashier.signed_in', { name: this.cashier.name }));
  }

  onCashiers(m) {
    this.required = Boolean(m.required);
    this.render();
    if (this.dlg.open) this.loadNames();
  }

  // onError shows a sign-in's refusal in the dialog; a sale refused for want
  // of a cashier opens it. It reports whether it handled the error.
  onError(m) {
    if (m.code === 'cashier_required') {
      toast(errorText(m.code, m.message), { kind: 'error' });
      this.open();
      return true;
    }
    if (!this.dlg.open || !['bad_cashier_pin', 'pin_locked', 'not_found'].includes(m.code)) return false;
    this.error(errorText(m.code, m.message));
    this.pin.value = '';
    return true;
  }

  render() {
    const b = this.button;
    b.hidden = !this.required && !this.cashier;
    b.dataset.state = this.cashier ? 'in' : 'out';
    b.textContent = this.cashier ? t('cashier.now', { name: this.cashier.name }) : t('cashier.none');
    if (this.dlg.open) this.renderDialog();
  }

  relabel() {
    this.render();
  }

  async open() {
    this.picked = this.cashier ? this.cashier.id : null;
    this.pin.value = '';
    this.error('');
    this.renderDialog();
    openDialog(this.dlg);
    await this.loadNames();
  }

  async loadNames() {
    try {
      const res = await api('/api/v1/cashiers');
      this.names = res.cashiers || [];
    } catch (err) {
      this.error(errorText(err.code, err.message));
    }
    this.renderDialog();
  }

  renderDialog() {
    const d = this.dlg;
    $('#cashier-now', d).textContent = this.cashier ? t('cashier.now', { name: this.cashier.name }) : t('cashier.nobody');
    $('#cashier-signout', d).hidden = !this.cashier;
    setChildren($('#cashier-names', d), this.names.map((c) => h('button', {
      type: 'button',
      class: 'chip cashier-pick',
      testid: 'cashier-pick',
      dataset: { id: c.id },
      'aria-pressed': String(this.picked === c.id),
      on: { click: () => { this.picked = c.id; this.error(''); this.renderDialog(); this.pin.focus(); } },
    }, c.name)));
  }

  signIn() {
    if (!this.picked) {
      this.error(t('cashier.pick'));
      return;
    }
    const pin = this.pin.value.trim();
    if (!/^\d{4,8}$/.test(pin)) {
      this.error(t('cashier.pin_shape'));
      return;
    }
    this.error('');
    if (!this.send({ type: 'cashier.signin', id: this.picked, pin })) this.error(t('net.offline'));
  }

  error(text) {
    const e = $('#cashier-error', this.dlg);
    e.textContent = text;
    e.hidden = !text;
  }
}
