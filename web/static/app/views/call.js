// The call screens, over everything else: the incoming invite with its
// countdown, the outgoing waiting screen, the voice or video call (a grid
// of tiles in a group call), and its end for a moment. Each fills the
// screen, a phone's or a desktop's: the person's avatar (or their video)
// in the middle, round buttons with their labels at the bottom.

import {h, replace} from '../dom.js';
import {mmss, outcomeText} from '../format.js';
import {Grid} from './grid.js';
import {avatar} from '../avatar.js';
import {roundButton, setRound} from './roundbutton.js';

export class CallView {
  el; notice; #phone; #chat; #state = ''; #parts = {}; #clock = null; #noticeText;

  // chat, when given, names the group of a group invite.
  constructor(phone, chat = null) {
    this.#phone = phone;
    this.#chat = chat;
    this.el = h('div', {id: 'call', class: 'call', hidden: true});
    // Why a call could not be placed (no camera, offline…), shown over
    // the chat until dismissed.
    this.#noticeText = h('span');
    this.notice = h('div', {id: 'notice-bar', class: 'notice', role: 'alert', hidden: true},
      this.#noticeText, h('button', {class: 'link', onclick: () => phone.clearError()}, 'Dismiss'));
    phone.addEventListener('change', () => this.render());
  }

  render() {
    const p = this.#phone;
    let state = p.state === 'idle' ? '' : p.state === 'connecting' ? 'active' : p.state;
    if (state === 'active' && p.call.group) state = 'group';
    this.notice.hidden = !!state || !p.error;
    this.#noticeText.textContent = p.error;
    if (state !== this.#state) {
      this.#state = state;
      clearInterval(this.#clock);
      this.#parts = {};
      this.el.hidden = !state;
      replace(this.el, state ? this.#screen(state) : []);
      if (state === 'active' || state === 'group') this.#clock = setInterval(() => this.#update(), 250);
    }
    if (state) this.#update();
  }

  #peer() {
    const p = this.#phone;
    return p.call?.caller === p.me ? p.call.participants[1]?.user ?? '' : p.call?.caller ?? '';
  }

  // #invitees: whom a call we placed rings.
  #invitees() {
    const p = this.#phone;
    return p.call.group ? p.call.participants.slice(1).map((q) => q.user).join(', ') : this.#peer();
  }

  // #invite says who invites me to what, in the desktop app's words:
  // "bob invites you to a video call"; a group invite names the group
  // and, on a line of its own, who else is invited.
  #invite() {
    const p = this.#phone, call = p.call;
    const kind = call.media === 'video' ? 'a video call' : 'a voice call';
    if (!call.group) return {text: `${call.caller} invites you to ${kind}`, others: ''};
    const name = this.#chat?.conversations.get(call.conversation)?.name;
    const others = call.participants.map((q) => q.user).filter((u) => u !== p.me && u !== call.caller);
    return {
      text: name ? `${call.caller} invites you to ${kind} in ${name}` : `${call.caller} invites you to a group ${kind.slice(2)}`,
      others: others.length ? `with ${others.join(', ')}` : '',
    };
  }

  #kind() {
    const call = this.#phone.call;
    const kind = call?.media === 'video' ? 'Video call' : 'Voice call';
    return call?.group ? `Group ${kind.toLowerCase()}` : kind;
  }

  #screen(state) {
    const p = this.#phone;
    const part = (name, el) => (this.#parts[name] = el);
    const countdown = () => part('countdown', h('p', {id: 'countdown', class: 'countdown'}));
    const error = part('error', h('p', {id: 'call-error', class: 'status', role: 'alert'}));
    const video = p.call?.media === 'video';
    switch (state) {
      case 'placing':
        return h('section', {id: 'placing', class: 'screen'}, h('p', {}, 'Starting the call…'), error);
      case 'joining':
        return h('section', {id: 'joining', class: 'screen'}, h('p', {}, 'Joining the call…'), error);
      case 'incoming': {
        const invite = this.#invite();
        return h('section', {id: 'incoming', class: 'screen ringing'},
          h('div', {class: 'who'}, avatar(p.call.caller, 'large'),
            h('h2', {}, invite.text),
            invite.others ? h('p', {id: 'invite-others'}, invite.others) : null,
            h('p', {id: 'call-kind'}, this.#kind()), countdown()),
          h('div', {class: 'row controls'},
            roundButton({id: 'decline', kind: 'hangup', glyph: 'hangup', label: 'Decline', onclick: () => p.decline()}),
            video ? roundButton({id: 'accept-voice', glyph: 'call', label: 'Answer with voice', onclick: () => p.accept(true)}) : null,
            roundButton({id: 'accept', kind: 'accept', glyph: video ? 'video' : 'call', label: 'Accept', onclick: () => p.accept(false)})),
          error);
      }
      case 'outgoing':
        return h('section', {id: 'outgoing', class: 'screen ringing'},
          part('localVideo', h('video', {id: 'local-video', class: 'local backdrop', autoplay: true, muted: true, playsInline: true})),
          h('div', {class: 'who'}, h('div', {class: 'avatars'}, this.#invitees().split(', ').slice(0, 4).map((u, _, all) => avatar(u, all.length > 1 ? '' : 'large'))),
            h('h2', {}, `Calling ${this.#invitees()}…`), h('p', {id: 'call-kind'}, this.#kind()),
            part('ringing', h('p', {id: 'outgoing-status'})), countdown()),
          h('div', {class: 'row controls'},
            roundButton({id: 'cancel', kind: 'hangup', glyph: 'hangup', label: 'Cancel', onclick: () => p.hangup()})),
          error);
      case 'active':
        return part('screen', h('section', {id: 'incall', class: 'screen one'},
          part('remoteVideo', h('video', {id: 'remote-video', class: 'remote', autoplay: true, muted: true, playsInline: true})),
          part('remoteAudio', h('audio', {id: 'remote-audio', autoplay: true})),
          part('localVideo', h('video', {id: 'local-video', class: 'local', autoplay: true, muted: true, playsInline: true})),
          h('div', {class: 'who'}, part('avatar', avatar(this.#peer(), 'large')), h('h2', {}, this.#peer()),
            part('timer', h('p', {id: 'timer', class: 'timer'})),
            part('remoteState', h('p', {id: 'remote-state'}))),
          this.#controls(), error));
      case 'group':
        return h('section', {id: 'incall', class: 'screen group'},
          h('div', {class: 'who'}, h('h2', {id: 'group-title'}, this.#kind()),
            part('timer', h('p', {id: 'timer', class: 'timer'}))),
          part('grid', new Grid()).el,
          this.#controls(), error);
      case 'ended':
        return h('section', {id: 'call-ended', class: 'screen'},
          h('div', {class: 'who'}, p.call.group ? null : avatar(this.#peer(), 'large'),
            h('h2', {}, this.#kind()), h('p', {id: 'call-outcome'}, outcomeText(p.call.outcome, callDuration(p.call)))),
          error);
    }
  }

  #controls() {
    const p = this.#phone;
    const part = (name, el) => (this.#parts[name] = el);
    return h('div', {class: 'row controls'},
      part('mute', roundButton({id: 'mute', glyph: 'mic', label: 'Mute', onclick: () => p.setMuted(!p.muted)})),
      part('camera', roundButton({id: 'camera', glyph: 'video', label: 'Camera off', onclick: () => p.setCameraOff(!p.cameraOff)})),
      part('toVoice', roundButton({id: 'to-voice', glyph: 'call', label: 'Switch to voice', onclick: () => p.switchToAudio()})),
      roundButton({id: 'hangup', kind: 'hangup', glyph: 'hangup', label: 'Hang up', onclick: () => p.hangup()}));
  }

  // #update refreshes what changes within a screen.
  #update() {
    const p = this.#phone;
    const {countdown, ringing, error, localVideo, remoteVideo, remoteAudio, timer, remoteState, mute, camera, toVoice, grid,
      screen, avatar} = this.#parts;
    if (countdown) countdown.textContent = String(p.secondsLeft);
    // Ringing once the invite reached a device of theirs (it may be kept
    // for a device that is offline); in a group call, once it reached any.
    const rung = p.call?.participants.some((q) => q.state === 'ringing' && (p.call.group || q.user === this.#peer()));
    if (ringing) ringing.textContent = rung ? 'Ringing…' : 'Waiting for an answer…';
    if (error) error.textContent = p.error;
    setStream(localVideo, p.local);
    if (localVideo && !timer) localVideo.hidden = p.call?.media !== 'video' || !p.local?.getVideoTracks().length;
    setStream(remoteVideo, p.remote);
    setStream(remoteAudio, p.remote);
    if (!timer) return;
    const video = p.call.media === 'video';
    timer.textContent = p.state === 'active' && p.call.started_ms ? mmss(p.serverNow() - p.call.started_ms) : 'Connecting…';
    grid?.update(p);
    const other = p.participant(this.#peer());
    if (remoteState) {
      remoteState.textContent = [other?.muted ? 'muted' : '', other?.camera_off && video ? 'camera off' : '']
        .filter(Boolean).map((s) => `${other.user}: ${s}`).join(' · ');
      remoteVideo.hidden = !video || !!other?.camera_off;
      localVideo.hidden = !video || p.cameraOff;
      // The avatar stands in for the other's video while it is off.
      avatar.hidden = !remoteVideo.hidden;
      screen.classList.toggle('video', !remoteVideo.hidden);
    }
    setRound(mute, p.muted ? 'Unmute' : 'Mute', p.muted ? 'micOff' : 'mic', p.muted);
    setRound(camera, p.cameraOff ? 'Camera on' : 'Camera off', p.cameraOff ? 'videoOff' : 'video', p.cameraOff);
    camera.hidden = toVoice.hidden = !video;
  }
}

function setStream(el, stream) {
  if (el && el.srcObject !== stream) el.srcObject = stream;
}

function callDuration(call) {
  return call.started_ms && call.ended_ms ? call.ended_ms - call.started_ms : 0;
}
