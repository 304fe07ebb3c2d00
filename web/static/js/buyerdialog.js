// The till's buyer dialog: the buyer block of the invoice, entered only when
// the buyer asks for one (name, MST or CCCD or phone, address, e-mail). What
// is typed goes with the next checkout as `buyer` (web/PROTOCOL.md); the
// kiosk answers bad_buyer naming the field, which the dialog shows in words
// and marks. A sale made, or "No invoice details", clears it.

import { BUYER_FIELDS, buyerErrorText, buyerRequest, buyerSummary } from './buyer.js';
import { t } from './i18n.js';
import { $, closeDialog, openDialog } from './ui.js';

export class BuyerDialog {
  // button opens the dialog and names the buyer set; onChange is told when
  // the buyer changes.
  constructor({ dialog, button, onChange = () => {} }) {
    this.dlg = dialog;
    this.button = button;
    this.onChange = onChange;
    this.buyer = null;
    this.enabled = false;
    this.setup();
  }

  setup() {
    const d = this.dlg;
    this.button.addEventListener('click', () => this.open());
    $('#buyer-close', d).addEventListener('click', () => closeDialog(d));
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      closeDialog(d);
    });
    $('#buyer-save', d).addEventListener('click', () => this.save());
    $('#buyer-clear', d).addEventListener('click', () => {
      this.clear();
      closeDialog(d);
    });
    for (const f of BUYER_FIELDS) {
      const input = $(`#buyer-${f}`, d);
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.save(); });
      input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    }
  }

  // enable shows the button while the kiosk issues invoices.
  enable(on) {
    this.enabled = Boolean(on);
    this.button.hidden = !this.enabled;
    this.relabel();
  }

  // value is the buyer the next checkout sends, or null.
  value() {
    return this.enabled ? this.buyer : null;
  }

  open() {
    this.error('');
    for (const f of BUYER_FIELDS) $(`#buyer-${f}`, this.dlg).value = (this.buyer && this.buyer[f]) || '';
    openDialog(this.dlg);
    $('#buyer-name', this.dlg).focus();
  }

  save() {
    const fields = {};
    for (const f of BUYER_FIELDS) fields[f] = $(`#buyer-${f}`, this.dlg).value;
    this.buyer = buyerRequest(fields);
    this.relabel();
    this.onChange(this.buyer);
    closeDialog(this.dlg);
  }

  clear() {
    this.buyer = null;
    this.relabel();
    this.onChange(null);
  }

  // onBadBuyer shows the kiosk's bad_buyer in words, the field marked, and
  // opens the dialog on it; it answers the words for the checkout's own line.
  onBadBuyer(m) {
    const text = buyerErrorText(m);
    this.open();
    this.error(text);
    const field = String((m && m.details && m.details.field) || '').replace(/^buyer\./, '');
    const input = BUYER_FIELDS.includes(field) && $(`#buyer-${field}`, this.dlg);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
    return text;
  }

  error(text) {
    const el = $('#buyer-error', this.dlg);
    el.textContent = text;
    el.hidden = !text;
  }

  relabel() {
    const who = buyerSummary(this.buyer);
    this.button.textContent = who ? t('buyer.open_set', { name: who }) : t('buyer.open');
    this.button.setAttribute('aria-pressed', String(Boolean(who)));
  }
}
