// Chat keeps this tab's conversations and messages and keeps them in step
// with the server: the latest page of a conversation when it is opened,
// events as they come, and chat.sync after every reconnect. A message is
// identified by (conversation, seq) and stored once, however it arrived.
//
// It dispatches 'change' (detail: the conversation id, or null for the
// list).

import {ApiError} from './session.js';
import {randomId} from './ids.js';

const PAGE = 50;

export class Chat extends EventTarget {
  conversations = new Map(); // id -> {id, name, members, last_seq}
  #messages = new Map(); // conversation -> Map(seq -> message)
  #after = {}; // conversation -> the highest seq held (for chat.sync)
  #opened = new Set(); // conversations shown at least once
  #loaded = new Set(); // those whose latest page was fetched
  #outbox = []; // {conversation, client_id, text}, sent until the server stores it
  #conn; #synced = false;

  constructor(conn, me) {
    super();
    this.#conn = conn;
    this.me = me;
    conn.addEventListener('welcome', () => this.#catchUp().catch(() => {}));
    conn.addEventListener('message', (e) => this.#event(e.detail));
  }

  // messages returns a conversation's messages, oldest first, then the
  // ones still on their way (with pending: true).
  messages(conv) {
    const stored = [...(this.#messages.get(conv)?.values() || [])].sort((a, b) => a.seq - b.seq);
    const pending = this.#outbox.filter((o) => o.conversation === conv)
      .map((o) => ({...o, from: this.me, type: 'text', pending: true}));
    return stored.concat(pending);
  }

  // open makes sure a conversation's latest page is here; a direct
  // conversation that does not exist yet appears locally until its first
  // message creates it on the server.
  async open(conv, members) {
    if (!this.conversations.has(conv)) {
      this.conversations.set(conv, {id: conv, members, last_seq: 0});
      this.#changed(null);
    }
    this.#opened.add(conv);
    if (this.#conn.online) await this.#latest(conv);
  }

  async #latest(conv) {
    if (this.#loaded.has(conv)) return;
    const r = await this.#conn.request('chat.history', {conversation: conv, limit: PAGE});
    this.#loaded.add(conv);
    r.messages.forEach((m) => this.#store(m));
    this.#changed(conv);
  }

  // send queues a message; it is resent with the same client_id after a
  // reconnect until the server has stored it.
  send(conv, text) {
    const o = {conversation: conv, client_id: randomId('w-'), text};
    this.#outbox.push(o);
    this.#changed(conv);
    this.#deliver(o);
  }

  async #deliver(o) {
    try {
      const r = await this.#conn.request('chat.send', o);
      this.#outbox = this.#outbox.filter((x) => x !== o);
      this.#store(r.message);
      this.#changed(o.conversation);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code === 'offline' || e.code === 'timeout') return; // resent on reconnect
      this.#outbox = this.#outbox.filter((x) => x !== o);
      this.dispatchEvent(new CustomEvent('error', {detail: e.message}));
      this.#changed(o.conversation);
    }
  }

  async refresh() {
    const r = await this.#conn.request('conversation.list');
    for (const c of r.conversations) {
      this.conversations.set(c.id, c);
      // A conversation never synced starts from its newest message: its
      // history is fetched when opened, not pulled in whole.
      if (!(c.id in this.#after)) this.#after[c.id] = this.#synced ? 0 : c.last_seq;
    }
    this.#changed(null);
  }

  // #catchUp runs after every welcome: the list, the messages missed while
  // away (or the latest page of a conversation opened before the first
  // welcome), then whatever was not sent.
  async #catchUp() {
    await this.refresh();
    if (this.#synced) {
      for (let more = true; more;) {
        const r = await this.#conn.request('chat.sync', {after: this.#after, limit: 200});
        r.messages.forEach((m) => this.#store(m));
        more = r.more;
      }
      this.#changed(null);
    }
    this.#synced = true;
    for (const conv of this.#opened) await this.#latest(conv);
    this.#outbox.forEach((o) => this.#deliver(o));
  }

  #event({type, payload}) {
    if (type === 'chat.message') {
      const known = this.conversations.has(payload.conversation);
      this.#store(payload);
      if (!known) this.refresh().catch(() => {});
      this.#changed(payload.conversation);
    } else if (type === 'group.update') {
      this.conversations.set(payload.conversation.id, payload.conversation);
      this.#changed(null);
    }
  }

  #store(m) {
    if (m.type !== 'text' && m.type !== 'call_record') return; // a kind this client does not know
    let msgs = this.#messages.get(m.conversation);
    if (!msgs) this.#messages.set(m.conversation, msgs = new Map());
    msgs.set(m.seq, m);
    this.#after[m.conversation] = Math.max(this.#after[m.conversation] || 0, m.seq);
    const c = this.conversations.get(m.conversation);
    if (c && c.last_seq < m.seq) c.last_seq = m.seq;
  }

  #changed(conv) {
    this.dispatchEvent(new CustomEvent('change', {detail: conv}));
  }
}
