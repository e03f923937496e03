// Negotiation is the signaling that a one-to-one call's Link and a group
// call's SfuLink share: signals are handled one at a time, in the order
// they came, and ICE candidates are held back until they may go. Ours wait
// until our description has gone out; the other side's wait until its
// description is set.
export class Negotiation {
  #pc; #signal; #onError; #queue = Promise.resolve();
  #localSent = false; #localPending = []; #remoteSet = false; #remotePending = [];

  // signal(kind, fields) carries our description or candidate to the
  // other side; onError gets what went wrong in a step.
  constructor(pc, signal, onError) {
    this.#pc = pc;
    this.#signal = signal;
    this.#onError = onError;
    pc.onicecandidate = (e) => {
      // A null or empty candidate is the end of gathering: the other side
      // needs no word of it.
      if (!e.candidate || !e.candidate.candidate) return;
      const c = e.candidate.toJSON();
      if (this.#localSent) signal('candidate', {candidate: c});
      else this.#localPending.push(c);
    };
  }

  // serial runs step after every step queued before it.
  serial(step) {
    this.#queue = this.#queue.then(step).catch((e) => this.#onError?.(e));
  }

  // settled resolves once the steps queued so far have run.
  settled() { return this.#queue; }

  // remote sets the other side's description, then adds the candidates
  // that waited for it.
  async remote(desc) {
    await this.#pc.setRemoteDescription(desc);
    this.#remoteSet = true;
    for (const c of this.#remotePending.splice(0)) await this.#pc.addIceCandidate(c);
  }

  // candidate adds one of the other side's candidates, or keeps it until
  // its description is set.
  async candidate(c) {
    if (!c || !c.candidate) return;
    if (this.#remoteSet) await this.#pc.addIceCandidate(c);
    else this.#remotePending.push(c);
  }

  // describe sends our local description as kind ('offer' or 'answer'),
  // then the candidates that waited for it.
  describe(kind) {
    this.#signal(kind, {sdp: this.#pc.localDescription.sdp});
    this.#localSent = true;
    for (const c of this.#localPending.splice(0)) this.#signal('candidate', {candidate: c});
  }

  // holdCandidates keeps our next candidates until the next describe: an
  // ICE restart's go after its offer or answer.
  holdCandidates() { this.#localSent = false; }
}
