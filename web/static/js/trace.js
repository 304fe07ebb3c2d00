// GS1 Digital Link paths (/01/{gtin}/10/{lot}/21/{serial}), the kiosk's own
// trace pages. Pure: no DOM, so web/jstest/trace.test.js pins it.
//
// A label's QR carries a full URL whose origin is whatever -base-url was when
// it was printed (another kiosk, the hub, a domain the fair has no internet
// to reach). The kiosk can answer any such link itself, so screens keep only
// the path and open it on their own origin.

// The first "/01/" followed by a 14-digit GTIN, ending there or at / ? #.
const DL_START = /\/01\/\d{14}(?=[/?#]|$)/;
// The whole path: the GTIN, then /AI/value pairs (lot 10, serial 21, …), then
// a query. Backslashes (which browsers read as slashes), blanks and control
// characters are refused.
const DL_PATH = /^\/01\/\d{14}((?:\/\d{2,4}\/[^/?#\\\s\u0000-\u001f\u007f]+)*)(\?[^#\s\u0000-\u001f\u007f]*)?$/;
// What may come before the path: nothing, a path, or scheme://host and a path.
const BEFORE = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#\\\s]+)?(?:\/[^?#\\\s]*)?$/i;

// traceLinkPath answers the same-origin path (with its query, without the
// fragment) of a scanned Digital Link — "https://x.vn/01/08936072100152/10/L1?17=280515"
// gives "/01/08936072100152/10/L1?17=280515" — or null when the scan is not
// one (a barcode, a SKU, another URL). A value that is a dot segment is
// refused: "/01/…/10/../../till" must not open another page of the kiosk.
export function traceLinkPath(scan) {
  if (typeof scan !== 'string') return null;
  const s = scan.trim();
  const m = DL_START.exec(s);
  if (!m) return null;
  if (!BEFORE.test(s.slice(0, m.index))) return null;
  let path = s.slice(m.index);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  const parts = DL_PATH.exec(path);
  if (!parts) return null;
  const values = (parts[1] || '').split('/').filter((_, i) => i > 0 && i % 2 === 0);
  for (const v of values) {
    let plain;
    try {
      plain = decodeURIComponent(v);
    } catch {
      return null;
    }
    if (plain === '.' || plain === '..') return null;
  }
  return path;
}

// labelOf reads the item a scanned Digital Link names: { gtin, lot, serial }
// ('' for what it lacks), or null when the scan is not a trace link.
export function labelOf(scan) {
  const path = traceLinkPath(scan);
  if (!path) return null;
  const segs = path.split('?')[0].split('/').slice(1); // 01, gtin, AI, value, …
  const out = { gtin: segs[1], lot: '', serial: '' };
  for (let i = 2; i + 1 < segs.length; i += 2) {
    const v = decodeURIComponent(segs[i + 1]);
    if (segs[i] === '10') out.lot = v;
    if (segs[i] === '21') out.serial = v;
  }
  return out;
}

// withLang sets lang= in a path's query, keeping the rest of it as it is.
export function withLang(path, lang) {
  const q = path.indexOf('?');
  const base = q >= 0 ? path.slice(0, q) : path;
  const keep = q >= 0 ? path.slice(q + 1).split('&').filter((p) => p !== '' && !/^lang(=|$)/.test(p)) : [];
  return `${base}?${[...keep, `lang=${encodeURIComponent(lang)}`].join('&')}`;
}

// tracePath is the kiosk's page of a product, a lot, or one labelled item.
export function tracePath({ gtin, lot = '', serial = '' }) {
  if (!/^\d{14}$/.test(String(gtin || ''))) return null;
  let p = `/01/${gtin}`;
  if (lot) {
    p += `/10/${encodeURIComponent(lot)}`;
    if (serial) p += `/21/${encodeURIComponent(serial)}`;
  }
  return p;
}

// serialsText shows the serials of a label run: every one when there are a
// few, else the first and the last ("0001 … 0500").
export function serialsText(serials, max = 20) {
  const list = Array.isArray(serials) ? serials.map(String) : [];
  if (list.length <= max) return list.join(', ');
  return `${list[0]} … ${list[list.length - 1]}`;
}
