// The kiosk's REST API from the browser: JSON in and out, the device token of
// a paired screen, the manager PIN, and errors as ApiError with the server's
// stable code. Every call carries X-Kiosk-Client: a page of another origin
// cannot send that header without a CORS preflight the kiosk never grants, so
// the kiosk takes a change that carries it for one of its own pages.

const DEVICE_KEY = 'kiosk.device';
const PIN_KEY = 'kiosk.pin';

// ApiError is a failed call: status 0 and code 'network' when the kiosk could
// not be reached at all.
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// device returns the paired device ({token, till, role, device_id}) kept by
// the pair page, or null on the kiosk's own screen.
export function device() {
  try {
    const d = JSON.parse(localStorage.getItem(DEVICE_KEY) || 'null');
    return d && typeof d.token === 'string' ? d : null;
  } catch {
    return null;
  }
}

export function saveDevice(d) {
  localStorage.setItem(DEVICE_KEY, JSON.stringify(d));
}

export function forgetDevice() {
  localStorage.removeItem(DEVICE_KEY);
}

export function managerPin() {
  return sessionStorage.getItem(PIN_KEY) || '';
}

export function setManagerPin(pin) {
  if (pin) sessionStorage.setItem(PIN_KEY, pin);
  else sessionStorage.removeItem(PIN_KEY);
}

// api calls path (under the kiosk's origin) and answers the decoded JSON
// (null for an empty answer). options: method, body (JSON-encoded unless it is
// FormData), headers, manager (send the PIN), signal, query (object).
export async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  headers.set('Accept', 'application/json');
  headers.set('X-Kiosk-Client', '1');
  const d = device();
  if (d) headers.set('Authorization', `Bearer ${d.token}`);
  if (options.manager) {
    const pin = managerPin();
    if (pin) headers.set('X-Manager-Pin', pin);
  }
  let body = options.body;
  if (body !== undefined && !(body instanceof FormData) && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers.set('Content-Type', 'application/json');
  }
  let url = path;
  if (options.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  let res;
  try {
    res = await fetch(url, { method: options.method || (body === undefined ? 'GET' : 'POST'), headers, body, signal: options.signal });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', String(err && err.message ? err.message : err));
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : {};
    // The page's disk banner (ui.js) listens: a full disk stops every sale.
    if (e.code === 'disk_full' && typeof window !== 'undefined') window.dispatchEvent(new Event('kiosk:disk-full'));
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.details);
  }
  return data;
}
