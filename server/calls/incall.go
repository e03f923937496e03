package calls

import "parley/protocol"

// lookup finds a live call the user may act on: p is nil for a member of
// the conversation who is not in the call.
func (e *Engine) lookup(user, id string) (*call, *protocol.Participant, error) {
	c := e.calls[id]
	if c == nil {
		return nil, nil, protocol.Errorf(protocol.CodeNotFound, "no live call %s", id)
	}
	p := c.Participant(user)
	if p == nil {
		if c.inAudience(user) {
			return c, nil, nil
		}
		return nil, nil, notInCall(id)
	}
	return c, p, nil
}

// withParticipant runs op under the engine's lock on call id, which user
// must take part in, and returns the call as op left it.
func (e *Engine) withParticipant(user, id string, op func(c *call, p *protocol.Participant) error) (protocol.Call, error) {
	var after protocol.Call
	err := e.participating(user, id, func(c *call, p *protocol.Participant) error {
		if err := op(c, p); err != nil {
			return err
		}
		after = c.snapshot()
		return nil
	})
	return after, err
}

// participating is withParticipant for an operation that returns no call
// (a signal, the hot path, makes no snapshot).
func (e *Engine) participating(user, id string, op func(c *call, p *protocol.Participant) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.lookup(user, id)
	if err == nil && p == nil {
		err = notInCall(id)
	}
	if err != nil {
		return err
	}
	return op(c, p)
}

// MayJoinMedia tells whether device may connect to the media of group
// call id (its SFU room): user must be joined in the call on that very
// device.
func (e *Engine) MayJoinMedia(user, device, id string) error {
	return e.participating(user, id, func(c *call, p *protocol.Participant) error {
		switch {
		case !c.Group:
			return protocol.Errorf(protocol.CodeBadRequest, "only a group call has an SFU room")
		case p.State != protocol.StateJoined || p.Device != device:
			return protocol.Errorf(protocol.CodeForbidden, "join the call on this device first")
		}
		return nil
	})
}

func notInCall(id string) error {
	return protocol.Errorf(protocol.CodeForbidden, "you are not in call %s", id)
}

// notInCallAnyMore is the refusal to one who has left the call, or whose
// invite is over.
func notInCallAnyMore(p *protocol.Participant) error {
	return protocol.Errorf(protocol.CodeConflict, "you are not in the call any more (%s)", p.State)
}

// Accept joins the call from device; the user's other devices stop ringing.
func (e *Engine) Accept(user, device, id string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		switch {
		case p.State == protocol.StateJoined && p.Device == device:
			return nil // a retry after a lost reply
		case p.State == protocol.StateJoined:
			return protocol.Errorf(protocol.CodeConflict, "the call was answered on another device")
		case !pending(p.State):
			return protocol.Errorf(protocol.CodeConflict, "the invite is over (%s)", p.State)
		}
		e.join(c, p, device)
		return nil
	})
}

func (e *Engine) join(c *call, p *protocol.Participant, device string) {
	stopTimer(c.timers, p.User)
	p.State, p.Device = protocol.StateJoined, device
	e.track(p.User, c)
	if c.State == protocol.CallRinging {
		c.State = protocol.CallActive
		c.StartedMS = ms(e.clock.Now())
		e.out.Answered(c.snapshot())
	}
	e.broadcast(c, protocol.EventAccepted, p.User)
	e.out.Send(Target{User: p.User, Except: device}, protocol.TypeCallUpdate,
		protocol.CallUpdate{Call: c.snapshot(), Event: protocol.EventAnsweredElsewhere, User: p.User})
}

// Decline refuses the invite for the user on all devices.
func (e *Engine) Decline(user, device, id, reason string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		if p.State == protocol.StateDeclined {
			return nil
		}
		if !pending(p.State) {
			return protocol.Errorf(protocol.CodeConflict, "nothing to decline: you are %s", p.State)
		}
		if reason == "" {
			reason = protocol.ReasonDeclined
		}
		e.decline(c, p, reason)
		return nil
	})
}

// decline records an invitee's refusal, for all of the user's devices.
func (e *Engine) decline(c *call, p *protocol.Participant, reason string) {
	e.finishInvite(c, p, protocol.StateDeclined, reason)
	e.broadcast(c, protocol.EventDeclined, p.User)
	e.settle(c)
}

func (e *Engine) finishInvite(c *call, p *protocol.Participant, state, reason string) {
	stopTimer(c.timers, p.User)
	p.State, p.Reason = state, reason
}

// Cancel is the caller ending the call before anyone answered. Once someone
// has, it is a hang up: the person wants the call to stop either way.
func (e *Engine) Cancel(user, device, id string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		if user != c.Caller {
			return protocol.Errorf(protocol.CodeForbidden, "only the caller can cancel; decline instead")
		}
		if c.State == protocol.CallRinging {
			e.callerLeftRinging(c, p, protocol.OutcomeCancelled)
			return nil
		}
		if p.State != protocol.StateJoined {
			return notInCallAnyMore(p)
		}
		e.leave(c, p)
		return nil
	})
}

// Hangup leaves the call. In a direct call that ends it for both.
func (e *Engine) Hangup(user, device, id string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		switch {
		case pending(p.State):
			e.decline(c, p, protocol.ReasonDeclined)
		case p.State == protocol.StateJoined && user == c.Caller && c.State == protocol.CallRinging:
			e.callerLeftRinging(c, p, protocol.OutcomeCancelled)
		case p.State == protocol.StateJoined:
			e.leave(c, p)
		default:
			return notInCallAnyMore(p)
		}
		return nil
	})
}

func (e *Engine) leave(c *call, p *protocol.Participant) {
	stopTimer(c.grace, p.User)
	p.State = protocol.StateLeft
	e.broadcast(c, protocol.EventLeft, p.User)
	e.settle(c)
}

// Join enters a group call that is going on, as a member of its group who
// was not rung (or who declined, or left, earlier).
func (e *Engine) Join(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.lookup(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if !c.Group {
		if p == nil {
			return protocol.Call{}, notInCall(id)
		}
		if pending(p.State) {
			e.join(c, p, device)
			return c.snapshot(), nil
		}
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "a direct call cannot be joined again")
	}
	if p != nil && p.State == protocol.StateJoined {
		if p.Device == device {
			return c.snapshot(), nil
		}
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you are in this call on another device")
	}
	if p == nil || !pending(p.State) {
		if e.busy(user) {
			return protocol.Call{}, protocol.Errorf(protocol.CodeBusy, "you are already in a call")
		}
		if c.count(live) >= protocol.MaxCallSize {
			return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "the call is full (%d)", protocol.MaxCallSize)
		}
	}
	if p == nil {
		c.Participants = append(c.Participants, protocol.Participant{User: user, State: protocol.StateInvited})
		p = c.Participant(user)
	}
	e.join(c, p, device)
	return c.snapshot(), nil
}

// Add invites more members of the group into the call.
func (e *Engine) Add(user, device, id string, invitees []string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		if !c.Group {
			return protocol.Errorf(protocol.CodeBadRequest, "only a group call can take more people")
		}
		if p.State != protocol.StateJoined {
			return protocol.Errorf(protocol.CodeForbidden, "join the call before inviting others")
		}
		var fresh []string
		for _, u := range invitees {
			if !c.inAudience(u) {
				return protocol.Errorf(protocol.CodeForbidden, "%s is not a member of this group", u)
			}
			if q := c.Participant(u); q != nil && live(q.State) {
				continue
			}
			fresh = append(fresh, u)
		}
		if c.count(live)+len(fresh) > protocol.MaxCallSize {
			return protocol.Errorf(protocol.CodeConflict, "a call holds at most %d participants", protocol.MaxCallSize)
		}
		if len(fresh) > 0 {
			e.invite(c, user, fresh, e.clock.Now(), e.cfg.InviteTimeout)
			e.settle(c)
		}
		return nil
	})
}

// MediaState records and announces the user's microphone and camera.
func (e *Engine) MediaState(user, device string, req protocol.CallMediaState) (protocol.Call, error) {
	return e.withParticipant(user, req.CallID, func(c *call, p *protocol.Participant) error {
		if p.State != protocol.StateJoined {
			return protocol.Errorf(protocol.CodeConflict, "you have not joined the call")
		}
		if p.Muted != req.Muted || p.CameraOff != req.CameraOff {
			p.Muted, p.CameraOff = req.Muted, req.CameraOff
			e.broadcast(c, protocol.EventMediaState, user)
		}
		return nil
	})
}

// SwitchToAudio turns a video call into a voice call for everyone.
func (e *Engine) SwitchToAudio(user, device, id string) (protocol.Call, error) {
	return e.withParticipant(user, id, func(c *call, p *protocol.Participant) error {
		if !live(p.State) {
			return notInCallAnyMore(p)
		}
		if c.Media != protocol.MediaAudio {
			c.Media = protocol.MediaAudio
			e.broadcast(c, protocol.EventSwitchedToAudio, user)
		}
		return nil
	})
}

// Signal relays WebRTC negotiation between two participants of a live call.
// Invitees that are still ringing may take part, so that ICE and DTLS can be
// done before the answer.
func (e *Engine) Signal(user, device string, sig protocol.CallSignal) error {
	return e.participating(user, sig.CallID, func(c *call, p *protocol.Participant) error {
		if !live(p.State) {
			return notInCallAnyMore(p)
		}
		q := c.Participant(sig.To)
		if q == nil || !live(q.State) || sig.To == user {
			return protocol.Errorf(protocol.CodeForbidden, "%s is not in this call", sig.To)
		}
		sig.From, sig.FromDevice = user, device
		if e.out.Send(Target{User: sig.To, Device: sig.ToDevice}, protocol.TypeCallSignal, sig) == 0 {
			return protocol.Errorf(protocol.CodeNotFound, "%s has no device connected", sig.To)
		}
		return nil
	})
}
