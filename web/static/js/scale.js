// The scale at the till: the live weight and whether it has settled, from
// the kiosk's `scale` messages (web/PROTOCOL.md), the weight a tap on a
// product sold by weight takes, and the labels a label scale prints (EAN-13
// codes 20–29 with the weight or the price in them), which the kiosk reads
// (GET /api/v1/products/{code} answers the product and `scanned.weight_g`).
//
// A weighed line goes to the cart as {type: 'cart.add', sku, weight_g}: the
// field of a weighed sale line in POST /api/v1/sales.

import { api } from './api.js';
import { errorText, getLang } from './i18n.js';
import { h, setChildren, toast } from './ui.js';

// The scale's own words, in both languages.
const words = {
  vi: {
    settled: 'Ổn định',
    moving: 'Đang cân…',
    overload: 'Quá tải',
    negative: 'Dưới 0',
    error: 'Cân báo lỗi',
    offline: 'Mất kết nối cân',
    unknown: 'Cân: chưa rõ',
    take_none: 'Quầy này chưa nối cân: quét tem cân của hàng',
    take_unstable: 'Cân chưa ổn định: chờ số dừng rồi chạm lại',
    take_empty: 'Chưa có hàng trên cân',
    take_offline: 'Không đọc được cân: kiểm tra dây và nguồn',
    take_overload: 'Cân quá tải',
    take_negative: 'Cân dưới 0: bấm về 0 (Zero) rồi cân lại',
    take_error: 'Cân báo lỗi: bấm về 0 (Zero) rồi cân lại',
    not_weighed: '{name} không bán theo cân: tem cân không dùng được cho hàng này',
    bad_barcode: 'Tem cân đọc sai: quét lại',
  },
  en: {
    settled: 'Stable',
    moving: 'Weighing…',
    overload: 'Overload',
    negative: 'Below zero',
    error: 'Scale error',
    offline: 'Scale offline',
    unknown: 'Scale: unknown',
    take_none: 'This kiosk has no scale: scan the product\'s scale label',
    take_unstable: 'The weight is still moving: wait for it to settle, then tap again',
    take_empty: 'Nothing on the scale',
    take_offline: 'The scale cannot be read: check its cable and power',
    take_overload: 'The scale is overloaded',
    take_negative: 'The scale is below zero: press Zero and weigh again',
    take_error: 'The scale reports an error: press Zero and weigh again',
    not_weighed: '{name} is not sold by weight: a scale label cannot sell it',
    bad_barcode: 'The scale label was misread: scan it again',
  },
};

export function scaleWord(key, vars = {}, lang = getLang()) {
  const s = (words[lang] || words.vi)[key] || words.vi[key] || key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
}

// formatKg shows grams as kg with three decimals: 1,235 kg (Vietnamese, as
// the receipt prints it) or 1.235 kg.
export function formatKg(grams, lang = getLang()) {
  const g = Math.abs(Math.trunc(Number(grams) || 0));
  const sign = Number(grams) < 0 ? '−' : '';
  const kg = Math.floor(g / 1000);
  const rest = String(g % 1000).padStart(3, '0');
  return `${sign}${kg}${lang === 'en' ? '.' : ','}${rest} kg`;
}

// scaleShows is what the till shows for a reading: the weight (or a dash
// when there is none to show) and the word for its state.
export function scaleShows(r, lang = getLang()) {
  if (!r) return { state: 'unknown', weight: '—', word: scaleWord('unknown', {}, lang) };
  const state = r.state || 'offline';
  const word = {
    ok: 'settled', unstable: 'moving', overload: 'overload', negative: 'negative', error: 'error',
  }[state] || 'offline';
  const hasWeight = state === 'ok' || state === 'negative' || (state === 'unstable' && r.grams !== 0);
  return { state, weight: hasWeight ? formatKg(r.grams, lang) : '—', word: scaleWord(word, {}, lang) };
}

// takeWeight answers the grams a tap on a weighed product takes: a settled
// weight above zero; otherwise why not ({why} is a word of scaleWord).
export function takeWeight(r) {
  if (r && r.configured === false) return { why: 'take_none' };
  if (!r || r.state === 'offline' || !r.state) return { why: 'take_offline' };
  if (r.state === 'ok' && r.stable) return r.grams > 0 ? { grams: r.grams } : { why: 'take_empty' };
  return { why: `take_${r.state}` in words.vi ? `take_${r.state}` : 'take_unstable' };
}

// soldByWeight: the catalog's products sold by the kg.
export function soldByWeight(p) {
  return Boolean(p && p.sold_by === 'weight');
}

// isScaleLabel: a code a label scale may have printed (EAN-13, prefix 20–29).
// The kiosk knows the layouts; the till only asks it about such codes.
export function isScaleLabel(code) {
  return /^2\d{12}$/.test(String(code || '').trim());
}

// labelLine turns the kiosk's answer to a scale label's code into the cart
// message, or {why} when it cannot be sold by its label; null when the code
// named a product by its own barcode (add it as any scanned code).
export function labelLine(answer) {
  if (!answer || !answer.product || !answer.scanned) return null;
  const p = answer.product;
  if (!soldByWeight(p)) return { why: 'not_weighed', name: p.name || p.sku };
  return { msg: { type: 'cart.add', sku: p.sku, weight_g: answer.scanned.weight_g } };
}

// ScaleView is the scale panel of the till (#scale): hidden on a kiosk with
// no scale, the weight in large digits and its state otherwise.
export class ScaleView {
  constructor(el) {
    this.el = el;
    this.reading = null;
    this.connected = false;
    if (el) this.refresh();
  }

  // refresh asks the kiosk for the reading (when the page opens or the
  // websocket comes back: `scale` messages only say what changed).
  async refresh() {
    try {
      this.update(await api('/api/v1/scale'));
    } catch {
      // The connection badge already says the kiosk cannot be reached.
    }
  }

  update(reading) {
    this.reading = reading || null;
    this.render();
  }

  // connection follows the websocket: while it is down the weight is unknown.
  connection(status) {
    const was = this.connected;
    this.connected = status === 'connected';
    if (this.connected && !was) this.refresh();
    this.render();
  }

  render() {
    const el = this.el;
    if (!el) return;
    const r = this.reading;
    el.hidden = !r || !r.configured;
    if (el.hidden) return;
    const shown = scaleShows(this.connected ? r : null);
    el.dataset.state = shown.state;
    el.dataset.grams = this.connected && r ? String(r.grams) : '';
    el.title = (this.connected && r && r.detail) || '';
    setChildren(el,
      h('span', { class: 'scale-weight', testid: 'scale-weight' }, shown.weight),
      h('span', { class: 'scale-state', testid: 'scale-state' }, shown.word));
  }

  // weighs: a tap on p takes the weight on the scale (with no scale on the
  // kiosk it says so rather than sell a kilo by a tap).
  weighs(p) {
    return soldByWeight(p);
  }

  // settled reads the scale again from the kiosk (never a weight the screen
  // remembers) and answers the settled grams, or 0 after telling the vendor
  // why there are none.
  async settled() {
    let r = null;
    try {
      r = await api('/api/v1/scale');
      this.update(r);
    } catch {
      r = null;
    }
    const w = takeWeight(r);
    if (!w.grams) {
      toast(scaleWord(w.why), { kind: 'error' });
      return 0;
    }
    return w.grams;
  }

  // addWeighed sends p with the settled weight on the scale at the tap; it
  // answers whether a line was sent.
  async addWeighed(p, send) {
    const grams = await this.settled();
    return grams > 0 && Boolean(send({ type: 'cart.add', sku: p.sku, weight_g: grams }));
  }

  // weighAgain sets a weighed line to the settled weight now on the scale
  // (the goods put back on it, a piece added or taken off).
  async weighAgain(line, send) {
    const grams = await this.settled();
    return grams > 0 && Boolean(send({ type: 'cart.weight', sku: line.sku, weight_g: grams }));
  }
}

// addScanned adds a scanned code to the cart. A code a label scale may have
// printed is first looked up on the kiosk, which reads the weight or price in
// it; any other code, and a product's own barcode, goes as it is.
export async function addScanned(code, send) {
  const plain = { type: 'cart.add', code, qty: 1 };
  if (!isScaleLabel(code)) return send(plain);
  let answer;
  try {
    answer = await api(`/api/v1/products/${encodeURIComponent(code.trim())}`);
  } catch (err) {
    if (err && err.code === 'bad_barcode') toast(scaleWord('bad_barcode'), { kind: 'error' });
    else toast(errorText(err && err.code, err && err.message), { kind: 'error' });
    return null;
  }
  const line = labelLine(answer);
  if (line === null) return send(plain);
  if (line.why) {
    toast(scaleWord(line.why, { name: line.name }), { kind: 'error' });
    return null;
  }
  return send(line.msg);
}
