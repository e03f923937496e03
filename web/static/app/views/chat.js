// The chat pane of one conversation: its messages (call records shown as
// the seed app shows them), the composer, the "more" menu that places
// voice and video calls, and "Join" while a group call goes on without us.
// Messages look as the desktop app draws them: a bubble sized to its text
// on the sender's side, the sender's avatar beside it, the 24-hour time
// under it; a group's call records are a centred grey line.

import {h, replace} from '../dom.js';
import {clockTime, recordText, title} from '../format.js';
import {avatar} from '../avatar.js';
import {icon} from '../icons.js';

export class ChatPane {
  el; #chat; #phone; #conv = null; #list; #header; #menu; #join;

  // onBack returns to the conversations (the back button of a narrow
  // screen).
  constructor(chat, phone, onBack) {
    this.#chat = chat;
    this.#phone = phone;
    this.#list = h('ol', {id: 'messages', class: 'messages'});
    this.#header = h('h2', {id: 'chat-title'});
    this.#menu = h('div', {id: 'more-menu', class: 'menu', role: 'menu', hidden: true},
      h('button', {id: 'voice-call', role: 'menuitem', onclick: () => this.#call('audio')}, 'Voice call'),
      h('button', {id: 'video-call', role: 'menuitem', onclick: () => this.#call('video')}, 'Video call'));
    const input = h('input', {id: 'composer', autocomplete: 'off', placeholder: 'Message', maxlength: 8192});
    const form = h('form', {class: 'composer', onsubmit: (e) => {
      e.preventDefault();
      if (!input.value.trim() || !this.#conv) return;
      chat.send(this.#conv, input.value);
      input.value = '';
    }}, input, h('button', {id: 'send', type: 'submit', class: 'primary'}, 'Send'));
    this.#join = h('button', {id: 'join-call', class: 'primary', hidden: true, onclick: () => {
      const call = phone.joinable(this.#conv);
      if (call) phone.join(call.call_id);
    }}, 'Join call');
    phone.addEventListener('change', () => this.#showJoin());
    const more = h('button', {id: 'more', class: 'icon-button', 'aria-haspopup': 'menu', title: 'More', 'aria-label': 'More',
      onclick: () => { this.#menu.hidden = !this.#menu.hidden; }}, icon('more'));
    const back = h('button', {id: 'back', class: 'icon-button back', title: 'Back', 'aria-label': 'Back',
      onclick: () => { this.#menu.hidden = true; onBack(); }}, icon('back'));
    // A message the server refused (no such user, say) is dropped and
    // the reason shown.
    const refused = h('p', {id: 'chat-error', class: 'status', role: 'alert'});
    chat.addEventListener('error', (e) => { refused.textContent = e.detail; });
    input.addEventListener('input', () => { refused.textContent = ''; });
    this.el = h('section', {id: 'chat', class: 'chat', hidden: true},
      h('header', {}, back, this.#header, h('div', {class: 'more'}, this.#join, more, this.#menu)),
      this.#list, h('div', {}, refused, form));
    chat.addEventListener('change', (e) => {
      if (e.detail === this.#conv || e.detail === null) this.render();
    });
  }

  show(conv) {
    this.#conv = conv;
    this.#menu.hidden = true;
    this.el.hidden = false;
    this.render();
  }

  render() {
    if (!this.#conv) return;
    const conv = this.#chat.conversations.get(this.#conv);
    this.#header.textContent = conv ? title(conv, this.#chat.me) : '';
    this.#showJoin();
    const atEnd = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    replace(this.#list, this.#chat.messages(this.#conv).map((m) => this.#message(m)));
    if (atEnd) this.#list.scrollTop = this.#list.scrollHeight;
  }

  #message(m) {
    const mine = m.from === this.#chat.me;
    const record = m.type === 'call_record';
    const group = this.#conv.startsWith('group:');
    const cls = ['message', mine ? 'mine' : 'theirs', record ? 'call-record' : '', record && group ? 'tip' : '',
      m.pending ? 'pending' : ''].filter(Boolean).join(' ');
    const time = h('time', {}, m.time_ms ? clockTime(m.time_ms) : '…');
    if (record && group) return h('li', {class: cls, 'data-seq': m.seq ?? ''}, h('span', {class: 'text'}, recordText(m)), time);
    return h('li', {class: cls, 'data-seq': m.seq ?? ''},
      avatar(m.from, 'small'),
      h('div', {class: 'body'},
        mine || !group ? null : h('span', {class: 'from'}, m.from),
        h('div', {class: 'bubble'}, record ? icon(m.media === 'video' ? 'video' : 'call') : null,
          h('span', {class: 'text'}, record ? recordText(m) : m.text)),
        time));
  }

  #showJoin() {
    const call = this.#conv && this.#phone.joinable(this.#conv);
    this.#join.hidden = !call;
    this.#join.textContent = call?.media === 'video' ? 'Join video call' : 'Join call';
  }

  #call(media) {
    this.#menu.hidden = true;
    this.#phone.place(this.#conv, media);
  }
}
