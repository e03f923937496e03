package calls

import "parley/protocol"

// deadline runs when an invite's time is up.
func (e *Engine) deadline(id, user string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil {
		return
	}
	p := c.Participant(user)
	if p == nil || !pending(p.State) || c.timers[user] == nil {
		return
	}
	e.finishInvite(c, p, protocol.StateNoAnswer, "")
	e.broadcast(c, protocol.EventNoAnswer, user)
	e.settle(c)
}

// callerLeftRinging ends a call whose caller left it before anyone
// answered: every invite still pending is cancelled.
func (e *Engine) callerLeftRinging(c *call, p *protocol.Participant, outcome string) {
	e.cancelPending(c)
	p.State = protocol.StateLeft
	e.broadcast(c, protocol.EventCancelled, p.User)
	e.end(c, outcome)
}

func (e *Engine) cancelPending(c *call) {
	for i := range c.Participants {
		if p := &c.Participants[i]; pending(p.State) {
			e.finishInvite(c, p, protocol.StateCancelled, "")
		}
	}
}

// settle ends the call when nobody is left to talk to.
func (e *Engine) settle(c *call) {
	if c.State == protocol.CallEnded {
		return
	}
	joined, waiting := c.count(func(s string) bool { return s == protocol.StateJoined }), c.count(pending)
	if joined >= 2 || (waiting > 0 && joined >= 1) {
		return
	}
	e.end(c, outcome(c))
}

// outcome says how a call that is over went.
func outcome(c *call) string {
	if c.StartedMS != 0 {
		return protocol.OutcomeCompleted
	}
	var declined, busy, noAnswer, cancelled int
	for _, p := range c.Participants[1:] {
		switch p.State {
		case protocol.StateDeclined:
			declined++
		case protocol.StateBusy:
			busy++
		case protocol.StateNoAnswer:
			noAnswer++
		case protocol.StateCancelled:
			cancelled++
		}
	}
	n := len(c.Participants) - 1
	switch {
	case cancelled > 0 || c.Participants[0].State == protocol.StateLeft:
		return protocol.OutcomeCancelled
	case busy == n:
		return protocol.OutcomeBusy
	case noAnswer == 0 && declined > 0:
		return protocol.OutcomeDeclined
	}
	return protocol.OutcomeNoAnswer
}

// end finishes c with the outcome, tells everyone and lets the server record it.
func (e *Engine) end(c *call, outcome string) {
	for i := range c.Participants {
		p := &c.Participants[i]
		switch {
		case pending(p.State):
			p.State = protocol.StateCancelled
		case p.State == protocol.StateJoined:
			p.State = protocol.StateLeft
		}
	}
	c.State, c.Outcome, c.EndedMS = protocol.CallEnded, outcome, ms(e.clock.Now())
	e.forget(c)
	e.broadcast(c, protocol.EventEnded, "")
	e.out.Ended(c.snapshot())
}

// forget stops c's timers and removes it from the engine.
func (e *Engine) forget(c *call) {
	for u := range c.timers {
		stopTimer(c.timers, u)
	}
	for u := range c.grace {
		stopTimer(c.grace, u)
	}
	delete(e.calls, c.ID)
	for _, p := range c.Participants {
		if m := e.byUser[p.User]; m != nil {
			delete(m, c.ID)
			if len(m) == 0 {
				delete(e.byUser, p.User)
			}
		}
	}
}

// Close ends every live call as failed: the server is going away and no
// call may be left ringing or "busy" behind it.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for _, c := range e.sortedCalls() {
		e.end(c, protocol.OutcomeFailed)
	}
}
