// Connection is the one websocket of this tab to parley-server, as
// docs/protocol.md describes it: a hello carrying the token (never the
// URL), requests matched to replies by id, events passed on, reconnects
// with backoff, and the clock offset to the server.
//
// Events it dispatches:
//   'welcome'  after each successful hello (detail: the welcome); the owner
//              catches up then (chat.sync, conversation.list)
//   'message'  a server event (detail: {type, payload})
//   'status'   online or not changed (detail: boolean)
//   'fatal'    it stopped for good (detail: 'unauthorized' | 'replaced')

import {ApiError} from './session.js';
import {measureClock} from './clock.js';

const BACKOFF_MIN = 250;
const BACKOFF_MAX = 10000;
const REQUEST_TIMEOUT = 10000;
// A browser cannot see the server's pings, so it asks something cheap now
// and then and drops a connection that does not answer.
const HEARTBEAT = 20000;

export class Connection extends EventTarget {
  #token; #device; #ws = null; #ready = false; #stopped = false;
  #pending = new Map(); #next = 1; #backoff = BACKOFF_MIN; #timer = null; #beat = null;

  constructor({token, device, clock = {offset: 0, error: 0}}) {
    super();
    this.#token = token;
    this.#device = device;
    this.clock = clock; // offset: server clock minus ours; error: how wrong it may be (ms)
  }

  get device() { return this.#device; }
  get online() { return this.#ready; }

  // serverNow is the server's clock as well as this tab can tell.
  serverNow() { return Date.now() + this.clock.offset; }

  // timeLeft is the ms until deadline on the server's clock, taking that
  // clock to be as far ahead as the estimate allows: a countdown to it
  // reaches zero no later than the server does.
  timeLeft(deadline) { return deadline - (Date.now() + this.clock.offset + this.clock.error); }

  start() { this.#dial(); }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000);
  }

  // request sends one request and resolves with its reply's payload, or
  // rejects with an ApiError (code 'offline' when there is no connection).
  request(type, payload = {}) {
    if (!this.#ready) return Promise.reject(new ApiError('offline', 'Not connected to the server.'));
    return this.#send(type, payload);
  }

  #send(type, payload) {
    const id = String(this.#next++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ApiError('timeout', 'The server did not answer.'));
      }, REQUEST_TIMEOUT);
      this.#pending.set(id, {resolve, reject, timer});
      this.#ws.send(JSON.stringify({type, id, payload}));
    });
  }

  #dial() {
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => this.#hello(ws);
    ws.onmessage = (e) => this.#receive(e.data);
    ws.onclose = (e) => this.#closed(ws, e.code);
  }

  async #hello(ws) {
    const sent = Date.now();
    try {
      const w = await this.#send('hello', {version: 1, token: this.#token, device: this.#device});
      const got = Date.now();
      this.clock = measureClock(sent, got, w.server_time_ms);
      this.#ready = true;
      this.#backoff = BACKOFF_MIN;
      this.#beat = setInterval(() => this.#heartbeat(ws), HEARTBEAT);
      this.dispatchEvent(new CustomEvent('status', {detail: true}));
      this.dispatchEvent(new CustomEvent('welcome', {detail: w}));
    } catch (e) {
      if (e.code === 'unauthorized') this.#fatal('unauthorized');
      // Anything else: the server closes the socket, and we dial again.
    }
  }

  #heartbeat(ws) {
    this.#send('presence.query', {users: []}).catch(() => ws.close());
  }

  #receive(data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (m.type === 'reply' || m.type === 'error') {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.type === 'reply') p.resolve(m.payload || {});
      else p.reject(new ApiError(m.error?.code || 'internal', m.error?.message || 'The server refused.'));
      return;
    }
    this.dispatchEvent(new CustomEvent('message', {detail: {type: m.type, payload: m.payload || {}}}));
  }

  #closed(ws, code) {
    if (ws !== this.#ws) return;
    clearInterval(this.#beat);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ApiError('offline', 'The connection to the server dropped.'));
    }
    this.#pending.clear();
    const was = this.#ready;
    this.#ready = false;
    if (was) this.dispatchEvent(new CustomEvent('status', {detail: false}));
    if (code === 4000) this.#fatal('replaced'); // another tab took this device id
    if (this.#stopped) return;
    const delay = this.#backoff * (0.5 + Math.random() / 2);
    this.#backoff = Math.min(this.#backoff * 2, BACKOFF_MAX);
    this.#timer = setTimeout(() => this.#dial(), delay);
  }

  #fatal(reason) {
    this.#stopped = true;
    this.#ws?.close(1000);
    this.dispatchEvent(new CustomEvent('fatal', {detail: reason}));
  }
}
