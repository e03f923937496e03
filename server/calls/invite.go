package calls

import (
	"sort"
	"time"

	"parley/protocol"
)

// Invite places a call and holds it: the caller is in it (and busy), but
// nobody hears of it until Ring, which the server calls once the call is
// stored; a call that could not be stored is dropped with Abandon. audience
// is every member of the conversation, the caller included; invitees are the
// users to ring. The server has checked that the caller belongs to the
// conversation and that invitees exist and are members.
func (e *Engine) Invite(user, device string, req protocol.CallInvite, invitees, audience []string, group bool) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return protocol.Call{}, protocol.Errorf(protocol.CodeInternal, "the server is shutting down")
	}
	if len(invitees) == 0 {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "nobody to call")
	}
	if len(invitees)+1 > protocol.MaxCallSize {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "a call holds at most %d participants", protocol.MaxCallSize)
	}
	if e.busy(user) {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBusy, "you are already in a call")
	}
	timeout := e.cfg.InviteTimeout
	if req.TimeoutMS > 0 {
		timeout = time.Duration(req.TimeoutMS) * time.Millisecond
	}
	now := e.clock.Now()
	aud := append([]string(nil), audience...)
	sort.Strings(aud)
	c := &call{
		Call: protocol.Call{
			ID:           e.cfg.NewID(),
			Conversation: req.Conversation,
			Group:        group,
			Media:        req.Media,
			Caller:       user,
			State:        protocol.CallRinging,
			DeadlineMS:   ms(now.Add(timeout)),
			CreatedMS:    ms(now),
			Participants: []protocol.Participant{{User: user, State: protocol.StateJoined, Device: device}},
		},
		audience: aud,
		timers:   make(map[string]Timer),
		grace:    make(map[string]Timer),
		toRing:   append([]string(nil), invitees...),
	}
	e.calls[c.ID] = c
	e.track(user, c)
	e.out.Created(c.snapshot())
	return c.snapshot(), nil
}

// Ring rings the invitees of a call that Invite holds, up to the deadline
// Invite set.
func (e *Engine) Ring(id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.toRing == nil {
		// Ended meanwhile: the caller's device went away, or the server
		// is closing.
		return protocol.Call{}, protocol.Errorf(protocol.CodeNotFound, "call %s ended before it rang", id)
	}
	invitees := c.toRing
	c.toRing = nil
	now := e.clock.Now()
	left := time.Duration(c.DeadlineMS-ms(now)) * time.Millisecond
	e.invite(c, c.Caller, invitees, now, max(left, 0))
	e.settle(c)
	return c.snapshot(), nil
}

// Abandon drops a call that Invite holds and nobody has heard of; it ends
// without a record, as if never placed.
func (e *Engine) Abandon(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.toRing == nil {
		return
	}
	e.forget(c)
}

// invite adds invitees to c: busy ones are answered at once, the others are
// rung on every device they have online, or kept (and pushed) until one
// connects or the deadline passes.
func (e *Engine) invite(c *call, inviter string, invitees []string, now time.Time, timeout time.Duration) {
	deadline := now.Add(timeout)
	var ring, busy []string
	for _, u := range invitees {
		if e.busy(u) {
			if p := c.Participant(u); p != nil {
				p.State, p.Reason, p.Device = protocol.StateBusy, "", ""
			} else {
				c.Participants = append(c.Participants, protocol.Participant{User: u, State: protocol.StateBusy})
			}
			busy = append(busy, u)
			continue
		}
		if p := c.Participant(u); p != nil {
			// Invited again after leaving or declining.
			p.State, p.Reason, p.Device = protocol.StateInvited, "", ""
			p.DeadlineMS = ms(deadline)
		} else {
			c.Participants = append(c.Participants, protocol.Participant{User: u, State: protocol.StateInvited, DeadlineMS: ms(deadline)})
		}
		e.track(u, c)
		c.timers[u] = e.clock.AfterFunc(timeout, func() { e.deadline(c.ID, u) })
		ring = append(ring, u)
	}
	e.broadcast(c, protocol.EventInvited, inviter)
	for _, u := range busy {
		e.broadcast(c, protocol.EventBusy, u)
	}
	for _, u := range ring {
		inv := protocol.CallIncoming{Call: c.snapshot()}
		if e.out.Send(Target{User: u}, protocol.TypeCallIncoming, inv) > 0 {
			e.ringing(c, u)
		} else {
			e.out.Push(u, inv)
		}
	}
}

// ringing marks user's invite as reaching a device, once.
func (e *Engine) ringing(c *call, user string) {
	p := c.Participant(user)
	if p.State == protocol.StateInvited {
		p.State = protocol.StateRinging
		e.broadcast(c, protocol.EventRinging, user)
	}
}
