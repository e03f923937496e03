// Link is the WebRTC connection to one remote device in a one-to-one
// call, negotiated as docs/protocol.md ("Signaling") says so that it
// interoperates with Parley's Go clients:
//
//   - the invitee's device offers as soon as it rings, with sendrecv
//     transceivers that carry no track: nothing is sent and no camera
//     opens until the call is accepted, then send() puts the tracks in;
//   - the caller's device answers each offer, also without sending;
//   - candidates trickle both ways, held back as Negotiation says;
//   - when the network path dies mid-call, the side that offered restarts
//     ICE with a new offer (rule 5 of "Signaling").
//
// Signals are handled one at a time, in the order they came.

import {Negotiation} from './negotiation.js';

const RESTART_AFTER = 2000; // ms disconnected before an ICE restart
const RESTART_RETRY = 10000; // ms a restart may take before the next

export class Link {
  #pc; #n;
  #offerer = false; #restartTimer = null;

  // signal(kind, fields) carries our offer, answer or candidate to the
  // peer; onTrack gets each remote track; onState each connection state;
  // onError what went wrong.
  constructor({iceServers, signal, onTrack, onState, onError}) {
    const pc = new RTCPeerConnection({iceServers});
    this.#pc = pc;
    this.#n = new Negotiation(pc, signal, onError);
    pc.ontrack = (e) => onTrack(e.track);
    pc.onconnectionstatechange = () => onState(pc.connectionState);
    pc.oniceconnectionstatechange = () => this.#iceState(pc.iceConnectionState);
  }

  get state() { return this.#pc.connectionState; }

  // offer negotiates as the invitee's device.
  offer(video) {
    this.#offerer = true;
    this.#n.serial(async () => {
      this.#pc.addTransceiver('audio', {direction: 'sendrecv'});
      if (video) this.#pc.addTransceiver('video', {direction: 'sendrecv'});
      await this.#pc.setLocalDescription(await this.#pc.createOffer());
      this.#n.describe('offer');
    });
  }

  // handle takes a call.signal from the peer.
  handle(sig) {
    this.#n.serial(async () => {
      switch (sig.kind) {
        case 'offer':
          await this.#n.remote({type: 'offer', sdp: sig.sdp});
          // Answer sendrecv: the tracks come in later, on accept.
          for (const t of this.#pc.getTransceivers()) t.direction = 'sendrecv';
          this.#n.holdCandidates(); // those of a restart go after its answer
          await this.#pc.setLocalDescription(await this.#pc.createAnswer());
          this.#n.describe('answer');
          break;
        case 'answer':
          await this.#n.remote({type: 'answer', sdp: sig.sdp});
          break;
        case 'candidate':
          await this.#n.candidate(sig.candidate);
          break;
      }
    });
  }

  // send starts sending the stream's tracks, one per transceiver of its
  // kind; a kind the stream lacks sends nothing.
  async send(stream) {
    await this.#n.settled();
    for (const t of this.#pc.getTransceivers()) {
      const kind = t.receiver.track.kind;
      await t.sender.replaceTrack(stream?.getTracks().find((tr) => tr.kind === kind) || null);
    }
  }

  // replace changes what is sent for one kind (camera off and on).
  async replace(kind, track) {
    for (const t of this.#pc.getTransceivers()) {
      if (t.receiver.track.kind === kind) await t.sender.replaceTrack(track);
    }
  }

  // stats is the browser's getStats report.
  stats() { return this.#pc.getStats(); }

  close() {
    this.#stopRestart();
    this.#pc.close();
  }

  // #iceState restarts ICE, as the offering side, when the path died.
  #iceState(st) {
    if (!this.#offerer) return;
    if (st === 'connected' || st === 'completed') {
      this.#stopRestart();
    } else if (st === 'disconnected') {
      this.#restartTimer ??= setTimeout(() => this.#restart(), RESTART_AFTER);
    } else if (st === 'failed') {
      this.#stopRestart();
      this.#restart();
    }
  }

  #restart() {
    this.#restartTimer = setTimeout(() => this.#restart(), RESTART_RETRY);
    this.#n.serial(async () => {
      if (this.#pc.signalingState === 'closed') return;
      this.#n.holdCandidates(); // new candidates go after the new offer
      await this.#pc.setLocalDescription(await this.#pc.createOffer({iceRestart: true}));
      this.#n.describe('offer');
    });
  }

  #stopRestart() {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

}
