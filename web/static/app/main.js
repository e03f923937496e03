// The browser client's entry point: sign in, then the chat and the phone
// on one connection.

import {h, replace} from './dom.js';
import {deviceId, forget, saved} from './session.js';
import {Connection} from './conn.js';
import {Chat} from './chat.js';
import {Phone} from './phone.js';
import {loginView} from './views/login.js';
import {Home} from './views/home.js';
import {CallView} from './views/call.js';

const root = document.getElementById('root');

function signIn(notice = '') {
  replace(root, loginView(start), notice ? h('p', {id: 'notice', class: 'status'}, notice) : null);
}

function start(session) {
  const conn = new Connection({token: session.token, device: deviceId(), clock: session.clock});
  const chat = new Chat(conn, session.user);
  const phone = new Phone(conn, session);
  const signOut = () => {
    phone.hangup().finally(() => {
      conn.stop();
      forget();
      signIn();
    });
  };
  conn.addEventListener('fatal', (e) => {
    if (e.detail === 'unauthorized') {
      forget();
      signIn('Your session has expired. Please sign in again.');
    } else {
      // Another tab or window took this device id (a duplicated tab
      // copies it); this one steps aside and takes a new id next time.
      deviceId(true);
      replace(root, h('p', {id: 'notice', class: 'status'}, 'Parley is open in another tab. Reload to use it here.'));
    }
  });
  const calls = new CallView(phone, chat);
  replace(root, new Home({chat, phone, conn, signOut}).el, calls.el, calls.notice);
  conn.start();
}


const session = saved();
if (session) start(session);
else signIn();
