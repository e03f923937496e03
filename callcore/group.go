package callcore

import (
	"time"

	"parley/protocol"
)

// Join enters a group call that is already going on (the chat's "Join"
// banner). The permission gate runs first, as for Call.
func (p *Phone) Join(callID string) error {
	if err := p.checkDevices(false); err != nil {
		return err
	}
	p.mu.Lock()
	if p.state != Idle {
		p.mu.Unlock()
		return ErrBusy
	}
	p.state = Outgoing // reserved while the join is on its way
	p.joining = callID
	p.mu.Unlock()
	var reply protocol.CallReply
	err := p.request(protocol.TypeCallJoin, protocol.CallRef{CallID: callID}, &reply)
	p.mu.Lock()
	p.joining = ""
	if p.state != Outgoing {
		p.mu.Unlock()
		return ErrNoCall // it ended before the reply came
	}
	if err != nil {
		p.state = Idle
		p.mu.Unlock()
		return err
	}
	p.call = reply.Call
	p.acceptedAt, p.muted, p.cameraOff = time.Now(), false, false
	if reply.Call.State == protocol.CallEnded {
		p.finishLocked(reply.Call)
	} else {
		p.connectLocked()
	}
	p.unlockAndFlush()
	return nil
}

// AddToCall rings more members of the group into the current call ("Invite
// more").
func (p *Phone) AddToCall(users []string) error {
	id, err := p.callIn(Outgoing, Incoming, Connecting, Active)
	if err != nil {
		return err
	}
	var reply protocol.CallReply
	if err := p.request(protocol.TypeCallAdd, protocol.CallAdd{CallID: id, Invitees: users}, &reply); err != nil {
		return err
	}
	p.mu.Lock()
	p.updateLocked(reply.Call)
	p.mu.Unlock()
	return nil
}
