package callcore

import (
	"fmt"
	"time"

	"parley/media"
	"parley/protocol"
)

// The engine's moves from state to state, under the lock.

// placedLocked makes c, which this device placed, the current call.
func (p *Phone) placedLocked(c protocol.Call) {
	p.call = c
	p.acceptedAt, p.muted, p.cameraOff = time.Time{}, false, false
	p.emitLocked(Event{Type: EventState, State: Outgoing, Call: c})
	if c.State != protocol.CallEnded {
		p.startCountdownLocked(c.DeadlineMS)
	}
}

// placedHere tells whether c is the call this device's pending invite is
// placing: events about it can come before the invite's reply.
func (p *Phone) placedHere(c protocol.Call) bool {
	return p.placing && p.state == Outgoing && c.ID != p.call.ID && c.Caller == p.sig.User() &&
		len(c.Participants) > 0 && c.Participants[0].Device == p.sig.Device()
}

// connectLocked starts media to the chosen peer and moves to connecting,
// or straight to active when ICE and DTLS finished during ringing.
func (p *Phone) connectLocked() {
	if p.state != Connecting && p.state != Active { // Active: a new SFU session
		p.state = Connecting
		p.emitLocked(Event{Type: EventState, State: Connecting, Call: p.call})
	}
	if p.call.Group && p.chosen == nil {
		p.joinMediaLocked()
		return
	}
	if p.chosen == nil {
		return // adopt connects when the peer's session exists
	}
	if p.call.Media == protocol.MediaAudio {
		p.chosen.session.SwitchToAudio()
	}
	p.chosen.session.Mute(p.muted)
	if err := p.chosen.session.SetSending(true); err != nil {
		p.failedLocked(err)
	}
	if p.chosen.connected {
		p.activeLocked()
	}
}

// joinMediaLocked connects this device to the group call's SFU room, once
// per call: a session that answers the SFU's offers, then media.join. The
// session becomes the chosen peer, and connectLocked goes on from there.
func (p *Phone) joinMediaLocked() {
	p.want = sfuKey
	if p.mediaJoin == p.call.ID {
		return
	}
	p.mediaJoin = p.call.ID
	call := p.call
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		pr, err := p.newPeer(call, "", "")
		if err != nil {
			p.failed(err)
			return
		}
		if !p.adopt(pr) {
			return
		}
		// The SFU's first offer may come before the reply: the session is
		// there to answer it.
		if err := p.request(protocol.TypeMediaJoin, protocol.CallRef{CallID: call.ID}, nil); err != nil {
			p.failed(fmt.Errorf("joining the call's media: %w", err))
		}
	}()
}

// rejoinMediaLocked gives a group call a fresh connection to its SFU once
// the signaling connection is back: the SFU's offers and candidates sent
// meanwhile are lost, and the network may have changed under the old
// connection, which the SFU does not restart. Joining again replaces the
// old connection on the server too.
func (p *Phone) rejoinMediaLocked() {
	old := p.peers[sfuKey]
	if !p.call.Group || old == nil {
		return
	}
	delete(p.peers, sfuKey)
	if p.chosen == old {
		p.carried = p.countersLocked()
		p.chosen = nil
	}
	p.closeLater([]*peer{old})
	p.mediaJoin = ""
	p.joinMediaLocked()
}

func (p *Phone) activeLocked() {
	if p.state != Connecting {
		return
	}
	p.state = Active
	p.emitLocked(Event{Type: EventState, State: Active, Call: p.call})
}

func (p *Phone) switchedLocked(c protocol.Call) {
	p.updateLocked(c)
	for _, pr := range p.peers {
		pr.session.SwitchToAudio()
	}
}

func (p *Phone) updateLocked(c protocol.Call) {
	if c.ID == p.call.ID {
		p.call = c
	}
}

// inCallLocked tells whether p.call is a call this device is in: not idle,
// and not a call still being placed or joined, which its request settles.
func (p *Phone) inCallLocked() bool {
	return p.state != Idle && !p.placing && p.joining == ""
}

// endedLocked ends the current call with outcome, as it stands but for
// that: for calls that end here without the server's word on their end.
func (p *Phone) endedLocked(outcome string) {
	c := p.call
	c.State, c.Outcome = protocol.CallEnded, outcome
	p.finishLocked(c)
}

// finishLocked ends the call for this device and returns to idle.
func (p *Phone) finishLocked(c protocol.Call) {
	if p.state == Idle {
		return
	}
	p.stopCountdownLocked()
	p.ringLocked(false)
	if p.chosen != nil {
		p.last = p.countersLocked()
		p.setup = p.setupLocked(p.last)
	} else {
		p.last, p.setup = p.carried, 0
	}
	p.carried = media.Counters{}
	p.closeLater(p.takePeersLocked())
	p.call = c
	p.state = Ended
	p.emitLocked(Event{Type: EventState, State: Ended, Call: c, Outcome: c.Outcome})
	p.state = Idle
	p.emitLocked(Event{Type: EventState, State: Idle})
}

func (p *Phone) takePeersLocked() []*peer {
	out := make([]*peer, 0, len(p.peers))
	for k, pr := range p.peers {
		out = append(out, pr)
		delete(p.peers, k)
	}
	p.chosen, p.want = nil, ""
	return out
}

// closeLater closes peers off the lock: closing waits for media
// goroutines that may be waiting for the lock in a callback.
func (p *Phone) closeLater(peers []*peer) {
	if len(peers) == 0 {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		closePeers(peers)
	}()
}

func closePeers(peers []*peer) {
	for _, pr := range peers {
		pr.close()
	}
}
