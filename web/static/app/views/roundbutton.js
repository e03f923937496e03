// The call screens' buttons, as the desktop app and TUICalling draw them:
// a round icon with its label under it. The whole button, label included,
// is what a finger taps.

import {h, replace} from '../dom.js';
import {icon} from '../icons.js';

// roundButton: kind is accept, hangup or toggle (the colour).
export function roundButton({id, kind = 'toggle', glyph, label, onclick}) {
  const b = h('button', {id, type: 'button', class: `round ${kind}`, onclick},
    h('span', {class: 'disc'}, icon(glyph)), h('span', {class: 'label'}, label));
  return b;
}

// setRound changes what a round button says and shows; on marks a toggle
// that is on (muted, camera off) with the light fill. It touches the page
// only on a change, as the call screen updates four times a second.
export function setRound(b, label, glyph, on = false) {
  const key = `${label}|${glyph}|${on}`;
  if (b.dataset.shown === key) return;
  b.dataset.shown = key;
  b.classList.toggle('on', on);
  b.setAttribute('aria-pressed', String(on));
  replace(b.querySelector('.disc'), icon(glyph));
  b.querySelector('.label').textContent = label;
}
