package callcore

import (
	"errors"
	"time"

	"parley/protocol"
)

// Call places a call in conv. In a group, invitees are the members to
// ring. The permission gate runs first: without a microphone (or, for
// video, a camera) the call is not placed and the error says why.
func (p *Phone) Call(conv, mediaKind string, invitees []string, timeout time.Duration) (protocol.Call, error) {
	if err := p.checkDevices(mediaKind == protocol.MediaVideo); err != nil {
		return protocol.Call{}, err
	}
	p.mu.Lock()
	if p.state != Idle {
		p.mu.Unlock()
		return protocol.Call{}, ErrBusy
	}
	p.state = Outgoing // reserved while the invite is on its way
	p.placing = true
	before := p.call.ID
	p.mu.Unlock()
	var reply protocol.CallReply
	err := p.request(protocol.TypeCallInvite, protocol.CallInvite{Conversation: conv, Media: mediaKind,
		Invitees: invitees, TimeoutMS: timeout.Milliseconds()}, &reply)
	p.mu.Lock()
	defer p.unlockAndFlush()
	p.placing = false
	switch {
	case p.call.ID != before:
		// The call's events came first and have taken it from there (it
		// may even be over): the reply's snapshot is older than they are,
		// and a reply that timed out does not undo a call that exists.
		return p.call, nil
	case err != nil:
		p.state = Idle
		return protocol.Call{}, err
	}
	p.placedLocked(reply.Call)
	if reply.Call.State == protocol.CallEnded {
		p.finishLocked(reply.Call)
	}
	return reply.Call, nil
}

// Accept answers the ringing call; voiceOnly answers a video call with
// voice (the call becomes a voice call for everyone).
func (p *Phone) Accept(voiceOnly bool) error {
	id, err := p.callIn(Incoming)
	if err != nil {
		return err
	}
	// Set-up time counts from the person's accept, before the round trip.
	accepted := time.Now()
	var reply protocol.CallReply
	if err := p.request(protocol.TypeCallAccept, protocol.CallRef{CallID: id}, &reply); err != nil {
		return err
	}
	if voiceOnly && reply.Call.Media == protocol.MediaVideo {
		if err := p.request(protocol.TypeCallSwitchAudio, protocol.CallRef{CallID: id}, &reply); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.unlockAndFlush()
	if p.call.ID != id || p.state != Incoming {
		return ErrNoCall // ended meanwhile
	}
	p.updateLocked(reply.Call)
	p.acceptedAt = accepted
	p.stopCountdownLocked()
	p.ringLocked(false)
	// Our own device answered: the peer is the caller's device.
	caller := reply.Call.Participants[0]
	p.want = peerKey(caller.User, caller.Device)
	p.chosen = p.peers[p.want]
	p.connectLocked()
	return nil
}

// Decline refuses the ringing call on every device of ours.
func (p *Phone) Decline() error { return p.decline(protocol.ReasonDeclined) }

func (p *Phone) decline(reason string) error {
	id, err := p.callIn(Incoming)
	if err != nil {
		return err
	}
	return p.leave(protocol.TypeCallDecline, protocol.CallDecline{CallID: id, Reason: reason}, id, protocol.OutcomeDeclined)
}

// Hangup ends our part in the call: a cancel while it rings on the other
// side, a decline while it rings here, a hang up otherwise.
func (p *Phone) Hangup() error {
	p.mu.Lock()
	state, id := p.state, p.call.ID
	p.mu.Unlock()
	switch state {
	case Idle, Ended:
		return ErrNoCall
	case Incoming:
		return p.Decline()
	case Outgoing:
		return p.leave(protocol.TypeCallCancel, protocol.CallRef{CallID: id}, id, protocol.OutcomeCancelled)
	}
	return p.leave(protocol.TypeCallHangup, protocol.CallRef{CallID: id}, id, protocol.OutcomeCompleted)
}

// leave sends typ, a request that ends our part in call id, and ends the
// call here: as the reply has it, or with outcome when it goes on without
// us (a group call). A call the server no longer has us in (not_found: it
// ended, or a restarted server forgot it; conflict: we are out of it)
// counts as left, as protocol.md says: there may be no end event to wait
// for.
func (p *Phone) leave(typ string, req any, id, outcome string) error {
	var reply protocol.CallReply
	err := p.request(typ, req, &reply)
	var pe *protocol.Error
	gone := errors.As(err, &pe) && (pe.Code == protocol.CodeNotFound || pe.Code == protocol.CodeConflict)
	if err != nil && !gone {
		return err
	}
	p.mu.Lock()
	defer p.unlockAndFlush()
	if p.call.ID == id && p.inCallLocked() {
		if !gone {
			p.call = reply.Call
		}
		if p.call.State == protocol.CallEnded {
			p.finishLocked(p.call)
		} else {
			p.endedLocked(outcome)
		}
	}
	return nil
}

// SetMuted stops or resumes sending our voice and tells the others.
func (p *Phone) SetMuted(muted bool) error {
	return p.mediaState(func() {
		p.muted = muted
		if p.chosen != nil {
			p.chosen.session.Mute(muted)
		}
	})
}

// SetCameraOff turns our camera off or on and tells the others.
func (p *Phone) SetCameraOff(off bool) error {
	return p.mediaState(func() {
		p.cameraOff = off
		if p.chosen != nil {
			if err := p.chosen.session.SetCameraOff(off); err != nil {
				p.failedLocked(err)
			}
		}
	})
}

// mediaState applies a change of what we send, under the lock, and tells
// the server.
func (p *Phone) mediaState(apply func()) error {
	p.mu.Lock()
	if p.state != Connecting && p.state != Active {
		p.mu.Unlock()
		return ErrNoCall
	}
	apply()
	req := protocol.CallMediaState{CallID: p.call.ID, Muted: p.muted, CameraOff: p.cameraOff}
	p.unlockAndFlush()
	return p.request(protocol.TypeCallMediaState, req, nil)
}

// SwitchToAudio turns the video call into a voice call for everyone.
func (p *Phone) SwitchToAudio() error {
	id, err := p.callIn(Outgoing, Incoming, Connecting, Active)
	if err != nil {
		return err
	}
	var reply protocol.CallReply
	if err := p.request(protocol.TypeCallSwitchAudio, protocol.CallRef{CallID: id}, &reply); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.unlockAndFlush()
	if p.call.ID == id {
		p.switchedLocked(reply.Call)
	}
	return nil
}
