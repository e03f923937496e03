// The sign-in screen: sign in, or create the account and sign in.

import {h} from '../dom.js';
import {login, register} from '../session.js';

// loginView calls done(session) once signed in.
export function loginView(done) {
  const user = h('input', {id: 'login-user', name: 'user', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9_.\\-]{0,31}'});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password', required: true,
    autocomplete: 'current-password'});
  const status = h('p', {id: 'login-status', class: 'status', role: 'alert'});
  const busy = (on) => form.querySelectorAll('button').forEach((b) => { b.disabled = on; });

  async function go(create) {
    if (!form.reportValidity()) return;
    busy(true);
    status.textContent = '';
    try {
      if (create) await register(user.value, password.value);
      done(await login(user.value, password.value));
    } catch (e) {
      status.textContent = e.message;
      busy(false);
    }
  }

  const form = h('form', {id: 'login', class: 'card', onsubmit: (e) => { e.preventDefault(); go(false); }},
    h('h1', {}, 'Parley'),
    h('label', {}, 'User name', user),
    h('label', {}, 'Password', password),
    h('div', {class: 'row'},
      h('button', {id: 'login-submit', type: 'submit', class: 'primary'}, 'Sign in'),
      h('button', {id: 'register-submit', type: 'button', onclick: () => go(true)}, 'Create account')),
    status);
  return form;
}
