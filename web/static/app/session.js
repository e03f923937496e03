// Signing in over HTTP, and keeping the session for this tab only.
//
// The token lives in memory and in sessionStorage (so a reload of the tab
// stays signed in; closing the tab forgets it). It is never put in a URL
// and never logged.

import {randomId} from './ids.js';
import {measureClock} from './clock.js';

const KEY = 'parley.session';
const DEVICE = 'parley.device';

// ApiError is a refusal from the server, with its stable code.
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function post(path, user, password) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({user, password}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError('network', 'The server cannot be reached.');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = body.error || {};
    throw new ApiError(e.code || 'internal', e.message || `The server answered ${res.status}.`);
  }
  return body;
}

// register creates the account; it does not sign in.
export async function register(user, password) {
  await post('/api/register', user, password);
}

// login returns the session: user, token, expires_ms, ice_servers, and
// the server's clock (measured again at each welcome).
export async function login(user, password) {
  const sent = Date.now();
  const r = await post('/api/login', user, password);
  const got = Date.now();
  const s = {
    user: r.user, token: r.token, expires_ms: r.expires_ms,
    ice_servers: r.ice_servers || [],
    clock: measureClock(sent, got, r.server_time_ms),
  };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

// saved returns this tab's session if it has not expired, else null.
export function saved() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    if (s && s.token && s.expires_ms > Date.now() + (s.clock?.offset || 0)) return s;
  } catch { /* nothing usable stored */ }
  return null;
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

// deviceId names this tab among the user's devices. It is kept per tab, so
// that two tabs do not replace each other's connection.
export function deviceId(fresh = false) {
  let id = sessionStorage.getItem(DEVICE);
  if (!id || fresh) {
    id = randomId('web-');
    sessionStorage.setItem(DEVICE, id);
  }
  return id;
}
