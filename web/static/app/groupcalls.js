// GroupCalls are the live group calls this tab has heard of, in its
// groups, whether it is in them or not: what the chat offers to join.
// It learns of them from call.incoming and call.update events.

export class GroupCalls {
  #calls = new Map(); // call_id -> the call, as last heard

  // see takes a call from an event.
  see(call) {
    if (!call.group) return;
    if (call.state === 'ended') this.#calls.delete(call.call_id);
    else this.#calls.set(call.call_id, call);
  }

  get(id) { return this.#calls.get(id); }
  forget(id) { this.#calls.delete(id); }

  // joinable is a live call in conversation in which user is not (or no
  // longer) being rung or joined, or null.
  joinable(conversation, user) {
    for (const c of this.#calls.values()) {
      if (c.conversation !== conversation) continue;
      const state = c.participants.find((p) => p.user === user)?.state;
      if (state !== 'invited' && state !== 'ringing' && state !== 'joined') return c;
    }
    return null;
  }
}
