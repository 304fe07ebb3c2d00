// The print state of a sale's receipt, shown in the till's sale result: the
// kiosk is asked for the sale's print jobs every second (every five after
// 90 s) until the receipt has printed or failed; while it waits, the receipt
// printer's state says why ("printer out of paper").

import { api } from './api.js';
import { printerStateLabel, t } from './i18n.js';
import { receiptPrinter } from './ui.js';

const PRINT_POLL_MS = 1000;
const PRINT_POLL_LIMIT_MS = 90000;

export class ReceiptPrint {
  // el() finds the element that shows the state (null when none is shown),
  // printers() the till's printers, active(id) whether sale id is still the
  // one shown.
  constructor({ el, printers, active }) {
    this.el = el;
    this.printers = printers;
    this.active = active;
    this.saleId = null;
    this.job = null;
    this.missing = false;
    this.since = 0;
    this.timer = null;
  }

  // follow starts following a sale's receipt (again after a reprint).
  follow(saleId) {
    this.saleId = saleId;
    this.job = null;
    this.missing = false;
    this.since = Date.now();
    this.poll();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  async poll() {
    this.stop();
    const id = this.saleId;
    if (!id || !this.active(id)) return;
    try {
      const res = await api('/api/v1/print-jobs', { query: { sale: id } });
      if (this.saleId !== id) return;
      const jobs = (res && res.jobs) || [];
      // The newest receipt job for the sale (a reprint follows the original).
      this.job = jobs.filter((j) => j.doc === 'receipt').pop() || jobs.pop() || null;
      this.missing = !this.job;
    } catch {
      // keep the last answer; the printer pill still shows the state
    }
    this.render();
    const done = this.job && (this.job.state === 'printed' || this.job.state === 'failed');
    const tooLong = Date.now() - this.since > PRINT_POLL_LIMIT_MS;
    if (!done && this.active(id)) {
      this.timer = setTimeout(() => this.poll(), tooLong ? 5 * PRINT_POLL_MS : PRINT_POLL_MS);
    }
  }

  render() {
    const el = this.el();
    if (!el) return;
    const job = this.job;
    let state = 'pending';
    let text = t('print.pending');
    if (job && job.state === 'printed') {
      state = 'printed';
      text = t('print.printed');
    } else if (job && job.state === 'failed') {
      state = 'failed';
      text = t('print.failed', { error: job.error || '?' });
    } else if (!job && this.missing) {
      state = 'none';
      text = t('print.none');
    } else {
      const p = receiptPrinter(this.printers());
      if (p && p.state && p.state !== 'ready') {
        state = 'problem';
        text = t('print.problem', { state: printerStateLabel(p.state) });
      } else if (Date.now() - this.since > PRINT_POLL_LIMIT_MS) {
        text = t('print.waiting');
      }
    }
    el.dataset.state = state;
    el.textContent = text;
  }
}
