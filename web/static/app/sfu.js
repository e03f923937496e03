// SfuLink is this device's one WebRTC connection to the server's SFU in a
// group call, negotiated as docs/protocol.md ("Group media") says:
//
//   - media.join asks for it; the SFU makes every offer (media.signal
//     events) and the device only answers, so offers never cross;
//   - the first offer has an audio and a video m-line that the SFU
//     receives: our microphone and camera go on those two transceivers;
//   - every later offer (someone joined or left) adds or removes the
//     m-lines of the others' tracks, and is answered the same way;
//   - a forwarded track's stream id is its sender's user name, so the
//     streams are kept by user;
//   - candidates trickle both ways, held back as Negotiation says.
//
// Signals are handled one at a time, in the order they came.

import {Negotiation} from './negotiation.js';

export class SfuLink {
  remotes = new Map(); // user -> the MediaStream of what the SFU forwards of them
  #pc; #n; #local;
  #senders = {}; // kind -> the transceiver that carries our track
  #attached = false; // our tracks are on the first offer's transceivers

  // signal(kind, fields) carries our answer or candidate to the SFU;
  // onChange tells that the remote streams changed; onState each
  // connection state; onError what went wrong.
  constructor({iceServers, local, signal, onChange, onState, onError}) {
    this.#local = local;
    const pc = new RTCPeerConnection({iceServers});
    this.#pc = pc;
    this.#n = new Negotiation(pc, signal, onError);
    pc.ontrack = (e) => {
      const stream = e.streams[0];
      if (!stream) return; // not a forwarded track: it names no sender
      if (this.remotes.get(stream.id) !== stream) {
        stream.addEventListener('removetrack', () => onChange());
        this.remotes.set(stream.id, stream);
      }
      e.track.addEventListener('ended', () => onChange());
      onChange();
    };
    pc.onconnectionstatechange = () => onState(pc.connectionState);
  }

  get state() { return this.#pc.connectionState; }

  // handle takes a media.signal event from the SFU.
  handle(sig) {
    this.#n.serial(async () => {
      if (this.#pc.signalingState === 'closed') return;
      switch (sig.kind) {
        case 'offer':
          await this.#n.remote({type: 'offer', sdp: sig.sdp});
          if (!this.#attached) await this.#attach(receiving(sig.sdp));
          await this.#pc.setLocalDescription(await this.#pc.createAnswer());
          this.#n.describe('answer');
          break;
        case 'candidate':
          await this.#n.candidate(sig.candidate);
          break;
      }
    });
  }

  // #attach puts our tracks on the m-lines of the SFU's first offer that
  // it receives (mids), an audio and a video one, and makes them send.
  async #attach(mids) {
    this.#attached = true;
    for (const t of this.#pc.getTransceivers()) {
      const kind = t.receiver.track.kind;
      if (this.#senders[kind] || (mids.size && !mids.has(t.mid))) continue;
      this.#senders[kind] = t;
      t.direction = 'sendrecv';
      await t.sender.replaceTrack(this.#local?.getTracks().find((tr) => tr.kind === kind) || null);
    }
  }

  // replace changes what is sent for one kind (camera off and on).
  async replace(kind, track) {
    await this.#n.settled();
    await this.#senders[kind]?.sender.replaceTrack(track);
  }

  // stats is the browser's getStats report.
  stats() { return this.#pc.getStats(); }

  close() {
    this.#pc.close();
    this.remotes.clear();
  }
}

// receiving is the mids of the offer's recvonly m-lines: those on which
// the SFU takes our media.
function receiving(sdp) {
  const mids = new Set();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = section.match(/^a=mid:(\S+)/m);
    if (mid && /^a=recvonly/m.test(section)) mids.add(mid[1]);
  }
  return mids;
}

// liveTrack is the stream's track of kind that still carries media.
export const liveTrack = (stream, kind) =>
  stream?.getTracks().find((t) => t.kind === kind && t.readyState === 'live') || null;
