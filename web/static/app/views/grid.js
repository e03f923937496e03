// The grid of a group call: one tile per other joined participant, fed
// by what the SFU forwards of them (their video, and their sound played
// out of sight), and our own preview. A tile without video shows the
// person's initial and name; the tiles of those speaking are lit; a
// tile goes when its participant is no longer joined.

import {h} from '../dom.js';
import {liveTrack} from '../sfu.js';
import {avatar as avatarOf} from '../avatar.js';

export class Grid {
  el = h('div', {id: 'grid', class: 'grid'});
  #tiles = new Map(); // user -> {el, video, audio, label}

  update(p) {
    const video = p.call.media === 'video';
    const shown = [{user: p.me, self: true, stream: p.local, camOff: p.cameraOff, muted: p.muted}];
    for (const q of p.call.participants) {
      if (q.state !== 'joined' || q.user === p.me) continue;
      shown.push({user: q.user, stream: p.remotes.get(q.user) || null, camOff: !!q.camera_off, muted: !!q.muted});
    }
    const keep = new Set(shown.map((s) => s.user));
    for (const [user, tile] of this.#tiles) {
      if (keep.has(user)) continue;
      tile.el.remove();
      this.#tiles.delete(user);
    }
    for (const s of shown) {
      const tile = this.#tiles.get(s.user) || this.#add(s.user, s.self);
      setStream(tile.video, s.stream);
      if (tile.audio) setStream(tile.audio, s.stream);
      // A forwarded track is muted until its first frames arrive.
      const track = liveTrack(s.stream, 'video');
      const hasVideo = video && !s.camOff && !!track && !track.muted;
      tile.video.hidden = !hasVideo;
      tile.avatar.hidden = hasVideo;
      tile.label.textContent = (s.self ? 'You' : s.user) + (s.muted ? ' · muted' : '');
      tile.el.classList.toggle('speaking', p.speaking.has(s.user));
    }
    this.el.dataset.count = String(shown.length);
  }

  #add(user, self) {
    const video = h('video', {autoplay: true, muted: true, playsInline: true});
    // Sound plays out of an audio element of its own, as in a one-to-one
    // call; ours is never played back.
    const audio = self ? null : h('audio', {autoplay: true});
    const avatar = avatarOf(user, 'large');
    const label = h('span', {class: 'name'});
    const el = h('figure', {class: self ? 'tile self' : 'tile', 'data-user': user}, video, audio, avatar, label);
    // Ours first, then the others in the order they joined.
    this.el.append(el);
    const tile = {el, video, audio, avatar, label};
    this.#tiles.set(user, tile);
    return tile;
  }
}

function setStream(el, stream) {
  if (el && el.srcObject !== stream) el.srcObject = stream;
}
