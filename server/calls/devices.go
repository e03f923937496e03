package calls

import "parley/protocol"

// DeviceOnline is called when a device of user has said hello. It rings the
// device for invites still waiting, tells it of calls it can see, and ends
// the grace period of a device that was in a call.
func (e *Engine) DeviceOnline(user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.sortedCalls() {
		if !c.inAudience(user) {
			continue
		}
		p := c.Participant(user)
		if p != nil && p.State == protocol.StateJoined && p.Device == device {
			stopTimer(c.grace, user)
		}
		if c.toRing != nil {
			continue // not placed yet: nobody may hear of it
		}
		if p != nil && pending(p.State) {
			if e.out.Send(Target{User: user, Device: device}, protocol.TypeCallIncoming, protocol.CallIncoming{Call: c.snapshot()}) > 0 {
				e.ringing(c, user)
			}
			continue
		}
		e.out.Send(Target{User: user, Device: device}, protocol.TypeCallUpdate,
			protocol.CallUpdate{Call: c.snapshot(), Event: protocol.EventState})
	}
}

// DeviceOffline is called when a device's connection is gone. A device that
// was in a call gets ReconnectGrace to come back before it leaves.
func (e *Engine) DeviceOffline(user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.byUser[user] {
		p := c.Participant(user)
		if p == nil || p.State != protocol.StateJoined || p.Device != device || c.grace[user] != nil {
			continue
		}
		id := c.ID
		c.grace[user] = e.clock.AfterFunc(e.cfg.ReconnectGrace, func() { e.graceOver(id, user, device) })
	}
}

// graceOver runs when a dropped device has not come back in time: its user
// leaves the call.
func (e *Engine) graceOver(id, user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.grace[user] == nil {
		return
	}
	delete(c.grace, user) // it has fired: nothing to stop
	p := c.Participant(user)
	if p == nil || p.State != protocol.StateJoined || p.Device != device {
		return
	}
	if user == c.Caller && c.State == protocol.CallRinging {
		e.callerLeftRinging(c, p, protocol.OutcomeFailed)
		return
	}
	e.leave(c, p)
}
