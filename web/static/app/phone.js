// Phone is this tab's call engine, the browser's counterpart of the Go
// callcore package: it follows the server's word about a call (the server
// decides timeouts, busy and the end), counts the invite down to the
// server's deadline, asks for the devices before a call is placed or
// accepted, and runs the media links. It handles one call at a time.
//
// States: idle, placing (devices and invite on their way), outgoing (it
// rings on the other side), incoming (it rings here), connecting
// (accepted, media connecting), active, ended (shown for a moment, then
// idle), and joining (devices and call.join on their way, for a group
// call already going on). It dispatches 'change' whenever something shown
// changed.
//
// A one-to-one call's media is peer to peer (Link, one per ringing
// device); a group call's goes through the server's SFU (one SfuLink).

import {Link} from './rtc.js';
import {SfuLink} from './sfu.js';
import {GroupCalls} from './groupcalls.js';
import {capture, openCamera, stopAll} from './devices.js';

const ENDED_SHOWN = 2000; // ms the end of a call stays on screen
const COUNTDOWN_SLACK = 50; // ms

const key = (user, device) => `${user}/${device}`;

// deadlineFor is when the invite to user times out, on the server's clock:
// the user's own deadline when invited after the call began, else the
// call's (protocol.Call.DeadlineFor in Go).
export const deadlineFor = (call, user) =>
  call.participants.find((p) => p.user === user)?.deadline_ms || call.deadline_ms;

export class Phone extends EventTarget {
  state = 'idle';
  call = null; // as the server last said
  secondsLeft = 0; // of the invite, by the server's clock
  muted = false;
  cameraOff = false;
  local = null; // our camera and microphone
  speaking = new Set(); // who speaks in a group call, as the SFU hears it
  error = '';
  #conn; #me; #ice; #links = new Map(); #chosen = null; #want = ''; #tick = null; #idle = null; #answering = false;
  #room = null; // the SFU connection of a group call
  #groupCalls = new GroupCalls(); // the live group calls seen, ours or not
  #restating = ''; // the call a welcome awaits the server's restatement of

  constructor(conn, session) {
    super();
    this.#conn = conn;
    this.#me = session.user;
    this.#ice = session.ice_servers;
    conn.addEventListener('welcome', () => this.#welcomed());
    conn.addEventListener('message', (e) => this.#event(e.detail));
  }

  get me() { return this.#me; }
  // remote is what the device on the other end sends.
  get remote() { return this.#chosen?.remote || null; }
  // remotes is what the SFU forwards in a group call: user -> MediaStream.
  get remotes() { return this.#room?.remotes || new Map(); }
  serverNow() { return this.#conn.serverNow(); }
  participant(user) { return this.call?.participants.find((p) => p.user === user); }

  // place calls in a conversation. The devices come first: without them
  // the call is not placed, and error says why.
  async place(conversation, media) {
    if (this.state !== 'idle' && this.state !== 'ended') return this.#fail('You are already in a call.');
    this.#reset();
    this.state = 'placing';
    this.#changed();
    try {
      this.local = await capture(media === 'video');
      const r = await this.#conn.request('call.invite', {conversation, media});
      if (this.state === 'placing') this.#outgoing(r.call); // no event came first
      if (r.call.state === 'ended') this.#finish(r.call); // everyone was busy
    } catch (e) {
      this.#dropLocal();
      this.state = 'idle';
      this.#fail(e.code === 'busy' ? 'You are already in a call on another device.' : e.message);
    }
  }

  // joinable is a live group call in conversation that we could join:
  // one we are not in (any more), or null.
  joinable(conversation) {
    const c = this.#groupCalls.joinable(conversation, this.#me);
    if (c && this.call?.call_id === c.call_id && (this.#following() || this.state === 'joining')) return null;
    return c;
  }

  // join enters a group call that goes on without us (call.join). The
  // devices come first, as for placing a call.
  async join(callId) {
    if (this.state !== 'idle' && this.state !== 'ended') return this.#fail('You are already in a call.');
    const known = this.#groupCalls.get(callId);
    this.#reset();
    this.state = 'joining';
    this.#changed();
    try {
      this.local = await capture(known?.media === 'video').catch((e) => {
        if (e.device !== 'camera') throw e;
        this.cameraOff = true; // join with voice, as a person without a camera can
        return capture(false);
      });
      const r = await this.#conn.request('call.join', {call_id: callId});
      if (this.state !== 'joining') return this.#dropLocal();
      this.call = r.call;
      this.#connect();
      if (this.cameraOff) this.#announce();
    } catch (e) {
      this.#dropLocal();
      this.state = 'idle';
      if (e.code === 'not_found') this.#groupCalls.forget(callId); // it ended while we were away
      this.#fail(e.code === 'busy' ? 'You are already in a call on another device.' : e.message);
    }
  }

  // accept answers the ringing call; voiceOnly answers a video call with
  // voice, which makes it a voice call for everyone (in a group call, it
  // only keeps our camera off).
  accept(voiceOnly = false) {
    if (this.state !== 'incoming' || this.#answering) return; // a second tap
    this.#answering = true;
    return this.#accept(voiceOnly).finally(() => { this.#answering = false; });
  }

  async #accept(voiceOnly) {
    const id = this.call.call_id;
    try {
      this.local = await capture(this.call.media === 'video' && !voiceOnly);
    } catch (e) {
      if (e.device === 'microphone') await this.decline('permission_denied');
      return this.#fail(e.device === 'camera' ? `${e.message} You can answer with voice.` : e.message);
    }
    const ringing = () => this.state === 'incoming' && this.call?.call_id === id; // not ended meanwhile
    if (!ringing()) return this.#dropLocal();
    try {
      let r = await this.#conn.request('call.accept', {call_id: id});
      const switching = voiceOnly && r.call.media === 'video' && !r.call.group;
      if (switching) r = await this.#conn.request('call.switch_to_audio', {call_id: id});
      if (!ringing()) return this.#dropLocal();
      this.call = r.call;
    } catch (e) {
      this.#dropLocal();
      return this.#fail(e.message);
    }
    this.#stopCountdown();
    const caller = this.call.participants[0];
    this.#want = key(caller.user, caller.device);
    this.#chosen = this.#links.get(this.#want) || null;
    this.cameraOff = voiceOnly && this.call.group && this.call.media === 'video';
    this.#connect();
    if (this.cameraOff) this.#announce();
  }

  async decline(reason = 'declined') {
    if (this.state !== 'incoming') return;
    await this.#end('call.decline', {call_id: this.call.call_id, reason}, 'declined');
  }

  // hangup ends our part: cancel while it rings there, decline while it
  // rings here, hang up in a call.
  async hangup() {
    switch (this.state) {
      case 'outgoing': return this.#end('call.cancel', {call_id: this.call.call_id}, 'cancelled');
      case 'incoming': return this.decline();
      case 'connecting': case 'active': return this.#end('call.hangup', {call_id: this.call.call_id}, 'completed');
    }
  }

  async setMuted(muted) {
    this.muted = muted;
    this.local?.getAudioTracks().forEach((t) => { t.enabled = !muted; });
    await this.#announce();
  }

  // setCameraOff closes the camera (its light goes off) or opens it again.
  async setCameraOff(off) {
    if (!this.#inCall() || this.call.media !== 'video') return;
    try {
      if (off) {
        this.#stopVideo();
      } else {
        const track = await openCamera();
        this.local.addTrack(track);
        await this.#media()?.replace('video', track);
      }
      this.cameraOff = off;
      await this.#announce();
    } catch (e) {
      this.#fail(e.message);
    }
  }

  async switchToAudio() {
    if (!this.#inCall() || this.call.media !== 'video') return;
    try {
      const r = await this.#conn.request('call.switch_to_audio', {call_id: this.call.call_id});
      this.call = r.call;
      this.#stopVideo();
      this.#changed();
    } catch (e) {
      this.#fail(e.message);
    }
  }

  clearError() {
    this.error = '';
    this.#changed();
  }

  #inCall() { return this.state === 'connecting' || this.state === 'active'; }

  // #media is what carries our tracks: the chosen peer, or the SFU.
  #media() { return this.#chosen || this.#room; }

  // #following: this.call is a call we are in, not one being placed or over.
  #following() { return this.state === 'outgoing' || this.state === 'incoming' || this.#inCall(); }

  async #announce() {
    if (!this.#inCall()) return this.#changed();
    try {
      const r = await this.#conn.request('call.media_state',
        {call_id: this.call.call_id, muted: this.muted, camera_off: this.cameraOff});
      this.call = r.call;
    } catch (e) {
      this.error = e.message;
    }
    this.#changed();
  }

  // #end sends a request that ends our part of the call, and ends it here
  // with outcome if it goes on without us (a group call). A call the
  // server no longer has us in (not_found: it ended, or a restarted
  // server forgot it; conflict: we are out of it) counts as left: there
  // may be no end event to wait for.
  async #end(type, payload, outcome) {
    try {
      const r = await this.#conn.request(type, payload);
      if (r.call.call_id !== this.call?.call_id) return;
      this.#finish(r.call.state === 'ended' ? r.call : {...r.call, state: 'ended', outcome});
    } catch (e) {
      if (e.code !== 'not_found' && e.code !== 'conflict') return this.#fail(e.message);
      if (this.call?.call_id === payload.call_id && this.#following()) this.#finish({...this.call, state: 'ended', outcome});
    }
  }

  // #welcomed: after a welcome the server restates the calls it has
  // before it answers any request (docs/protocol.md, "Hello"). Media went
  // on, peer to peer, while signaling was down, so a call it restates goes
  // on; one it does not ended meanwhile, as its record says, or with a
  // server restart that forgot it (recorded as failed).
  async #welcomed() {
    if (!this.#following()) return;
    const id = this.call.call_id;
    this.#restating = id;
    let history = {messages: []};
    try {
      history = await this.#conn.request('chat.history', {conversation: this.call.conversation, limit: 50});
    } catch (e) {
      // No answer: the connection dropped again, and the next welcome
      // checks. An error answer still comes after the restatement.
      if (e.code === 'offline' || e.code === 'timeout') return;
    }
    if (this.#restating !== id) return; // restated
    this.#restating = '';
    if (this.call?.call_id !== id || !this.#following()) return; // over anyway
    const record = history.messages.find((m) => m.type === 'call_record' && m.call_id === id);
    this.#finish({...this.call, state: 'ended', outcome: record?.outcome || 'failed'});
  }

  #event({type, payload}) {
    if (payload.call?.call_id === this.#restating) this.#restating = '';
    switch (type) {
      case 'call.incoming': return this.#incoming(payload.call);
      case 'call.update': return this.#update(payload);
      case 'call.signal': return this.#signal(payload);
      case 'media.signal':
        if (payload.call_id === this.call?.call_id && this.#inCall()) this.#room?.handle(payload);
        return;
      case 'call.speaking':
        if (payload.call_id !== this.call?.call_id || !this.#inCall()) return;
        this.speaking = new Set(payload.users || []);
        return this.#changed();
    }
  }

  #incoming(call) {
    this.#groupCalls.see(call);
    if (this.state !== 'idle' && this.state !== 'ended') return; // the same invite again, after a reconnect
    this.#reset();
    this.call = call;
    this.state = 'incoming';
    this.#countdown(deadlineFor(call, this.#me));
    if (!call.group) {
      // Offer to the caller's device now, so that media connects while it
      // rings; nothing is sent before the accept.
      const caller = call.participants[0];
      this.#newLink(caller.user, caller.device).offer(call.media === 'video');
    }
    this.#changed();
  }

  #update({call, event, user}) {
    this.#groupCalls.see(call);
    if (this.state === 'placing' && call.caller === this.#me && call.participants[0].device === this.#conn.device) {
      this.#outgoing(call); // the events of our invite come before its reply
    }
    if (this.call?.call_id !== call.call_id || this.state === 'ended') {
      const mine = call.participants.find((p) => p.user === this.#me);
      if (event === 'state' && mine?.state === 'joined' && mine.device === this.#conn.device) {
        // A call this tab was in before it reloaded: its media is gone.
        this.#conn.request('call.hangup', {call_id: call.call_id}).catch(() => {});
      }
      if (call.group) this.#changed(); // a call to join, or no more
      return;
    }
    if (event === 'ended') return this.#finish(call);
    if (event === 'answered_elsewhere' && this.state === 'incoming') {
      return this.#finish({...call, state: 'ended', outcome: 'answered_elsewhere'});
    }
    this.call = call;
    if (event === 'accepted' && this.state === 'outgoing' && user !== this.#me) this.#answered(user);
    if (event === 'switched_to_audio') this.#stopVideo();
    // Back after a drop: the SFU's offers meanwhile are lost, so this
    // device asks for a fresh media connection.
    if (event === 'state' && call.group && this.#room) this.#joinRoom();
    this.#changed();
  }

  #outgoing(call) {
    this.call = call;
    this.state = 'outgoing';
    this.#countdown(deadlineFor(call, this.#me));
    this.#changed();
  }

  // #answered: someone took our call. The device that answered is the
  // peer; the links to the user's other devices close.
  #answered(user) {
    this.#stopCountdown();
    if (this.call.group) return this.#connect();
    this.#want = key(user, this.participant(user).device);
    for (const [k, link] of this.#links) {
      if (k === this.#want) continue;
      link.close();
      this.#links.delete(k);
    }
    this.#chosen = this.#links.get(this.#want) || null;
    this.#connect();
  }

  #signal(s) {
    if (this.call?.call_id !== s.call_id || this.state === 'ended' || this.call.group) return;
    const k = key(s.from, s.from_device);
    let link = this.#links.get(k);
    if (!link) {
      // As the caller: an offer from a ringing device opens a link to it.
      if (this.call.caller !== this.#me || s.kind !== 'offer' || (this.#want && k !== this.#want)) return;
      link = this.#newLink(s.from, s.from_device);
    }
    link.handle(s);
    if (k === this.#want && !this.#chosen) {
      this.#chosen = link;
      this.#connect();
    }
  }

  #newLink(user, device) {
    const id = this.call.call_id;
    const link = new Link({
      iceServers: this.#ice,
      signal: (kind, fields) => this.#conn.request('call.signal', {call_id: id, to: user, to_device: device, kind, ...fields})
        .catch(() => {}), // the call ended, or the device left: its update tells
      onTrack: (track) => { link.remote.addTrack(track); this.#changed(); },
      onState: (st) => this.#linkState(link, st),
      onError: (e) => this.#fail(`Media: ${e.message}`),
    });
    link.remote = new MediaStream();
    this.#links.set(key(user, device), link);
    return link;
  }

  #linkState(link, st) {
    if (link !== this.#media()) return;
    if (st === 'connected' && this.state === 'connecting') {
      this.state = 'active';
      this.#changed();
    } else if (st === 'failed') {
      this.#fail('The media connection failed.');
    }
  }

  // #connect starts sending to the chosen device; the call is active when
  // its link is connected (often already, from while it rang).
  #connect() {
    this.state = 'connecting';
    if (this.call.group) return this.#joinRoom();
    if (this.#chosen) {
      if (this.call.media === 'audio') this.#stopVideo();
      this.#chosen.send(this.local).catch((e) => this.#fail(e.message));
      if (this.#chosen.state === 'connected') this.state = 'active';
    }
    this.#changed();
  }

  // #joinRoom opens the media connection of a group call to the SFU
  // (again after a reconnect): media.join, then the SFU offers. The call
  // is active when it is connected.
  #joinRoom() {
    this.#room?.close();
    if (this.call.media === 'audio') this.#stopVideo();
    const id = this.call.call_id;
    const room = new SfuLink({
      iceServers: this.#ice,
      local: this.local,
      signal: (kind, fields) => this.#conn.request('media.signal', {call_id: id, kind, ...fields})
        .catch(() => {}), // the call ended, or a newer media.join replaced this one
      onChange: () => this.#changed(),
      onState: (st) => this.#linkState(room, st),
      onError: (e) => this.#fail(`Media: ${e.message}`),
    });
    this.#room = room;
    this.#conn.request('media.join', {call_id: id}).catch((e) => {
      if (room === this.#room) this.#fail(`Media: ${e.message}`);
    });
    this.#changed();
  }

  #stopVideo() {
    for (const t of this.local?.getVideoTracks() || []) {
      t.stop();
      this.local.removeTrack(t);
    }
    this.#media()?.replace('video', null).catch(() => {});
  }

  #finish(call) {
    this.#stopCountdown();
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#chosen = null;
    this.#want = '';
    this.#room?.close();
    this.#room = null;
    this.speaking = new Set();
    this.#dropLocal();
    this.call = call;
    this.state = 'ended';
    this.#changed();
    this.#idle = setTimeout(() => {
      this.state = 'idle';
      this.call = null;
      this.#changed();
    }, ENDED_SHOWN);
  }

  #reset() {
    clearTimeout(this.#idle);
    this.call = null;
    this.muted = this.cameraOff = false;
    this.error = '';
  }

  #dropLocal() {
    stopAll(this.local);
    this.local = null;
  }

  // #countdown shows the seconds left until the server's deadline, by the
  // server's clock, waking when the number shown changes. It runs a little
  // early (COUNTDOWN_SLACK covers a timer that fires late), so 0 shows
  // before the server's timeout arrives.
  #countdown(deadline) {
    this.#stopCountdown();
    const tick = () => {
      const left = this.#conn.timeLeft(deadline) - COUNTDOWN_SLACK;
      this.secondsLeft = Math.max(0, Math.ceil(left / 1000));
      this.#changed();
      if (this.secondsLeft > 0) this.#tick = setTimeout(tick, left - (this.secondsLeft - 1) * 1000);
    };
    tick();
  }

  #stopCountdown() {
    clearTimeout(this.#tick);
    this.#tick = null;
  }

  #fail(message) {
    this.error = message;
    this.#changed();
  }

  #changed() {
    this.dispatchEvent(new Event('change'));
  }
}
