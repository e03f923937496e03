// The signed-in screen: the conversations on the left, the open chat on
// the right, and the connection's state. On a narrow screen (a phone) it
// shows one of the two at a time: the list, or the open chat with a back
// button (style.css decides by the width; the phone's own back gesture
// goes back to the list too).

import {h, replace} from '../dom.js';
import {title} from '../format.js';
import {directId} from '../ids.js';
import {ChatPane} from './chat.js';
import {avatar} from '../avatar.js';

export class Home {
  el; #chat; #list; #pane; #open = null; #status;

  constructor({chat, phone, conn, signOut}) {
    this.#chat = chat;
    this.#pane = new ChatPane(chat, phone, () => this.back());
    this.#list = h('ul', {id: 'conversations', class: 'conversations'});
    this.#status = h('span', {id: 'conn-status', class: 'conn offline'}, 'Connecting…');
    const peer = h('input', {id: 'new-chat-user', placeholder: 'Chat with (user name)', autocomplete: 'off',
      autocapitalize: 'none', spellcheck: 'false'});
    const newChat = h('form', {id: 'new-chat', class: 'new-chat', onsubmit: (e) => {
      e.preventDefault();
      const name = peer.value.trim();
      if (!name || name === chat.me) return;
      peer.value = '';
      this.open(directId(chat.me, name), [chat.me, name].sort());
    }}, peer, h('button', {type: 'submit', class: 'primary'}, 'Open'));
    this.el = h('div', {class: 'home'},
      h('aside', {class: 'sidebar'},
        h('header', {}, h('strong', {id: 'me'}, chat.me), this.#status,
          h('button', {id: 'sign-out', class: 'link', onclick: signOut}, 'Sign out')),
        newChat, this.#list),
      this.#pane.el);
    chat.addEventListener('change', () => this.render());
    window.addEventListener('popstate', () => {
      if (this.el.classList.contains('chat-open') && !history.state?.chat) this.#close();
    });
    conn.addEventListener('status', (e) => {
      this.#status.textContent = e.detail ? 'Online' : 'Reconnecting…';
      this.#status.className = `conn ${e.detail ? 'online' : 'offline'}`;
    });
  }

  open(conv, members) {
    // An entry in the tab's history, so that a phone's back gesture
    // returns to the list rather than leaving the page.
    if (!this.el.classList.contains('chat-open')) history.pushState({chat: true}, '');
    this.el.classList.add('chat-open');
    this.#open = conv;
    this.#chat.open(conv, members).catch(() => {}); // shown once the reconnect catches up
    this.#pane.show(conv);
    this.render();
  }

  // back returns from the open chat to the list (on a narrow screen).
  back() {
    if (history.state?.chat) history.back(); // popstate closes it
    else this.#close();
  }

  #close() {
    this.el.classList.remove('chat-open');
  }

  render() {
    replace(this.#list, [...this.#chat.conversations.values()].map((c) => {
      const name = title(c, this.#chat.me);
      return h('li', {},
        h('button', {class: c.id === this.#open ? 'conversation open' : 'conversation', 'data-id': c.id,
          onclick: () => this.open(c.id, c.members)}, avatar(name), h('span', {class: 'name'}, name)));
    }));
  }
}
