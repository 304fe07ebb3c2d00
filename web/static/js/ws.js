// The screen's websocket to the kiosk (web/PROTOCOL.md, version 1): hello
// first, the server's state after it, reconnection with backoff, and a ping
// now and then so that a dead Wi-Fi link is noticed.

import { device } from './api.js';

export const PROTOCOL_VERSION = 1;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;
const PING_EVERY_MS = 15000;
const SILENCE_LIMIT_MS = 40000;

// nextBackoff doubles the wait up to the limit (0.5 s, 1 s, 2 s, 4 s, 5 s…).
export function nextBackoff(prev) {
  if (!prev) return MIN_BACKOFF_MS;
  return Math.min(MAX_BACKOFF_MS, prev * 2);
}

// KioskSocket keeps one connection to /ws open for a till and role.
//
// onMessage(msg) gets every server message; onStatus('connected' |
// 'reconnecting') follows the link. Connected means the server answered
// hello with state, not merely that the socket opened.
export class KioskSocket {
  constructor({ till, role, lang = 'vi', onMessage, onStatus }) {
    this.till = till;
    this.role = role;
    this.lang = lang;
    this.onMessage = onMessage || (() => {});
    this.onStatus = onStatus || (() => {});
    this.ws = null;
    this.backoff = 0;
    this.status = 'reconnecting';
    this.refs = 0;
    this.timer = null;
    this.pinger = null;
    this.lastHeard = 0;
    this.closed = false;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ till: this.till, role: this.role });
    const d = device();
    if (d) q.set('token', d.token);
    return `${proto}//${location.host}/ws?${q}`;
  }

  connect() {
    this.closed = false;
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, lang: this.lang }));
    });
    ws.addEventListener('message', (ev) => {
      this.lastHeard = Date.now();
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!msg || typeof msg.type !== 'string') return;
      if (msg.type === 'state') {
        this.backoff = 0;
        this.setStatus('connected');
        this.startPinging();
      }
      if (msg.type === 'pong') return;
      this.onMessage(msg);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPinging();
      this.setStatus('reconnecting');
      if (!this.closed) this.scheduleReconnect();
    });
    ws.addEventListener('error', () => {
      // A close event follows; reconnecting happens there.
    });
  }

  scheduleReconnect() {
    this.backoff = nextBackoff(this.backoff);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.backoff);
  }

  startPinging() {
    this.stopPinging();
    this.pinger = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
        this.ws.close(4000, 'no answer');
        return;
      }
      this.send({ type: 'ping' });
    }, PING_EVERY_MS);
  }

  stopPinging() {
    clearInterval(this.pinger);
    this.pinger = null;
  }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  get connected() {
    return this.status === 'connected' && this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  // send sends a message and answers its ref, or null when not connected (the
  // message is dropped: a tap made while offline must not act minutes later).
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return null;
    const ref = msg.ref || `r${++this.refs}`;
    this.ws.send(JSON.stringify({ ...msg, ref }));
    return ref;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopPinging();
    if (this.ws) this.ws.close(1000, 'bye');
  }
}
