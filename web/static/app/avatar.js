// A person's avatar, as the desktop app draws it: their initial, white on
// a round patch of a colour picked by name (the same FNV-1a hash of the
// name's UTF-8 bytes and the same eight colours, .avatar.c0 to .c7 in
// style.css), so that one person looks the same everywhere.

import {h} from './dom.js';

const COLORS = 8;

// avatar is name's avatar; size is a class of style.css: small, large or
// none (the default size).
export function avatar(name, size = '') {
  const initial = name ? [...name][0].toUpperCase() : '?';
  return h('span', {class: `avatar c${colorOf(name)} ${size}`.trim(), 'aria-hidden': 'true', 'data-name': name}, initial);
}

function colorOf(name) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % COLORS;
}
