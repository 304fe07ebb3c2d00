// Self-service orders as the screens see them (web/PROTOCOL.md, `order`):
// pickup codes typed or scanned, the VietQR reference read back from a scanned
// code, the queue kept in order, the time an order has left. Pure: no DOM,
// so web/jstest/orders.test.js runs it in Node.

// The letters and digits of a pickup code (the kiosk's pos.OrderCodeAlphabet):
// none that reads like another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V, Q).
export const CODE_ALPHABET = 'ACDEFHJKMNPRTWXY34679';
export const CODE_LENGTH = 5;

// normalizeCode reads a code as typed or scanned ("7kp 3m", "7KP-3M") and
// answers it in capitals, or '' when it cannot be a pickup code.
export function normalizeCode(s) {
  const up = String(s || '').toUpperCase().replace(/[\s-]/g, '');
  if (up.length !== CODE_LENGTH) return '';
  for (const c of up) if (!CODE_ALPHABET.includes(c)) return '';
  return up;
}

// tlv splits an EMVCo string into its fields (id → value), or null.
function tlv(s) {
  const out = {};
  let i = 0;
  while (i < s.length) {
    if (i + 4 > s.length) return null;
    const id = s.slice(i, i + 2);
    const n = Number(s.slice(i + 2, i + 4));
    if (!Number.isInteger(n) || i + 4 + n > s.length) return null;
    out[id] = s.slice(i + 4, i + 4 + n);
    i += 4 + n;
  }
  return out;
}

// crc16 is CRC-16/CCITT-FALSE, the checksum that ends an EMVCo payload.
function crc16(s) {
  let crc = 0xffff;
  for (let i = 0; i < s.length; i++) {
    crc ^= (s.charCodeAt(i) & 0xff) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

// vietqrReference is the reference (tag 62/08) of a VietQR payload, or ''
// when the text is not one (or was misread: the checksum must match): the
// till's scanner reading the QR on a tourist's screen or photo finds the
// order it pays.
export function vietqrReference(payload) {
  const s = String(payload || '').trim();
  if (!s.startsWith('000201') || !/6304[0-9A-F]{4}$/.test(s)) return '';
  if (crc16(s.slice(0, -4)) !== s.slice(-4)) return '';
  const fields = tlv(s);
  if (!fields || !fields['62']) return '';
  const add = tlv(fields['62']);
  return (add && add['08']) || '';
}

// findOrder picks the order a scanned or typed text means: its pickup code,
// its reference ("K01 7KP3M") or a VietQR payload carrying that reference.
export function findOrder(orders, text) {
  const list = orders || [];
  const raw = String(text || '').trim();
  if (!raw) return null;
  const ref = vietqrReference(raw) || raw;
  const byRef = list.find((o) => o.reference && o.reference.toUpperCase() === ref.toUpperCase());
  if (byRef) return byRef;
  // A reference ends with the code; a code may be typed alone.
  const code = normalizeCode(ref.split(' ').pop());
  return (code && list.find((o) => o.code === code)) || null;
}

// Queue keeps the open orders a till shows, newest first, each with the
// moment (on this screen's clock) it runs out: the kiosk says how many
// seconds are left when it sends an order, so a screen whose clock is wrong
// still counts down right.
export class Queue {
  constructor(now = () => Date.now()) {
    this.now = now;
    this.orders = [];
  }

  // reset replaces the queue with the open orders of a state message.
  reset(orders) {
    this.orders = [];
    for (const o of orders || []) this.update(o);
  }

  // update applies an `order` message: open orders are added or refreshed,
  // closed ones leave. It answers the order as kept (with its deadline).
  update(order) {
    if (!order || !order.id) return null;
    const kept = { ...order, deadline: this.now() + Math.max(0, Number(order.expires_in) || 0) * 1000 };
    this.orders = this.orders.filter((o) => o.id !== order.id);
    if (order.state === 'open') {
      this.orders.push(kept);
      this.orders.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
    return kept;
  }

  get(id) {
    return this.orders.find((o) => o.id === id) || null;
  }

  // secondsLeft of an order kept here (0 once its time is up).
  secondsLeft(order) {
    const ms = ((order && order.deadline) || 0) - this.now();
    return Math.max(0, Math.ceil(ms / 1000));
  }
}

// formatLeft shows seconds as m:ss ("14:05"), or h:mm:ss past an hour.
export function formatLeft(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const two = (n) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return `${Math.floor(s / 60)}:${two(s % 60)}`;
}

// bankLines are the words beside a VietQR code: the bank and its BIN, the
// account number in groups of four, the holder's name.
export function bankLines(bank) {
  if (!bank) return null;
  const name = bank.name && !bank.name.includes(bank.bin) ? `${bank.name} (BIN ${bank.bin})` : bank.name || `BIN ${bank.bin}`;
  const account = String(bank.account || '').replace(/(.{4})(?=.)/g, '$1 ');
  return { bank: name, account, holder: bank.holder || '' };
}
