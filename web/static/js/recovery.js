// What a till does when the answer to its checkout never came (the link
// dropped, the kiosk or the page restarted): it asks the kiosk for the sale
// made under the checkout's idempotency key — never for "the latest sale",
// which may be the previous customer's. Pure: no DOM (web/jstest/recovery.test.js).

const CHECKOUT_KEY = 'kiosk.checkout.';

// recoverCheckout decides, after a reconnect, what became of the checkout
// sent with key:
//   {action: 'retry'}        the cart is still there: nothing was sold, and
//                            confirming again reuses the key (no double sale);
//   {action: 'sold', sale}   the kiosk sold it: show this sale;
//   {action: 'unsold'}       the kiosk has no sale under the key: nothing was
//                            sold (and the cart is gone with a kiosk restart);
//   {action: 'unknown'}      the kiosk could not be asked.
// find(key) answers the sale or null (the websocket's sale.find).
export async function recoverCheckout({ cartLines, key, find }) {
  if (cartLines > 0) return { action: 'retry' };
  if (!key) return { action: 'unsold' };
  let sale;
  try {
    sale = await find(key);
  } catch {
    return { action: 'unknown' };
  }
  return sale ? { action: 'sold', sale } : { action: 'unsold' };
}

// SaleFinder asks over the websocket (sale.find) and matches the answers
// (sale.found) by their ref.
export class SaleFinder {
  // send(msg) sends and answers the message's ref, or null when offline.
  constructor(send, timeoutMs = 10000) {
    this.send = send;
    this.timeoutMs = timeoutMs;
    this.waiting = new Map();
  }

  find(key) {
    return new Promise((resolve, reject) => {
      const ref = this.send({ type: 'sale.find', idempotency_key: key });
      if (!ref) {
        reject(new Error('offline'));
        return;
      }
      const timer = setTimeout(() => {
        this.waiting.delete(ref);
        reject(new Error('no answer'));
      }, this.timeoutMs);
      this.waiting.set(ref, { resolve, reject, timer });
    });
  }

  // onMessage takes sale.found answers (and errors about them); it reports
  // whether the message was one.
  onMessage(m) {
    const w = m && m.ref && this.waiting.get(m.ref);
    if (!w || (m.type !== 'sale.found' && m.type !== 'error')) return false;
    this.waiting.delete(m.ref);
    clearTimeout(w.timer);
    if (m.type === 'error') w.reject(new Error(m.code || 'error'));
    else w.resolve(m.sale || null);
    return true;
  }
}

// The checkout in flight is kept in the tab's session storage, so a till page
// reloaded mid-checkout still knows which sale to ask for.
export function saveInFlight(storage, till, entry) {
  try {
    if (entry) storage.setItem(CHECKOUT_KEY + till, JSON.stringify(entry));
    else storage.removeItem(CHECKOUT_KEY + till);
  } catch {
    // private mode or full: the reconnect path still works
  }
}

export function loadInFlight(storage, till) {
  try {
    const e = JSON.parse(storage.getItem(CHECKOUT_KEY + till) || 'null');
    return e && typeof e.key === 'string' ? e : null;
  } catch {
    return null;
  }
}
