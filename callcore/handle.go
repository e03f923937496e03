package callcore

import (
	"encoding/json"
	"fmt"
	"time"

	"parley/client"
	"parley/protocol"
)

// HandleEvent takes one event of the signaling connection. The owner calls
// it for every event, from one goroutine; events that are not about calls
// are ignored.
func (p *Phone) HandleEvent(ev client.Event) {
	switch ev.Type {
	case client.EventReconnected:
		p.reconnected()
	case client.EventCaughtUp:
		p.caughtUp()
	case protocol.TypeChatMessage:
		var m protocol.Message
		// A malformed message is the chat's to report.
		if ev.Decode(&m) == nil && m.Type == protocol.KindCallRecord {
			p.recorded(m)
		}
	case protocol.TypeCallIncoming:
		dispatch(p, ev, p.incoming)
	case protocol.TypeCallUpdate:
		dispatch(p, ev, p.update)
	case protocol.TypeCallSignal:
		dispatch(p, ev, p.signal)
	case protocol.TypeMediaSignal:
		dispatch(p, ev, p.mediaSignal)
	case protocol.TypeCallSpeaking:
		dispatch(p, ev, p.speaking)
	}
}

// dispatch decodes an event's payload as T and hands it to handle; a
// broken one is reported instead.
func dispatch[T any](p *Phone, ev client.Event, handle func(T)) {
	var v T
	if p.decodeEvent(ev, &v) {
		handle(v)
	}
}

// reconnected: the server restates the call right after the welcome if
// it still has it. Media went on meanwhile, so a call it kept goes on; a
// group call's media joins its SFU afresh.
func (p *Phone) reconnected() {
	p.mu.Lock()
	defer p.unlockAndFlush()
	if p.inCallLocked() {
		p.restating = p.call.ID
		p.rejoinMediaLocked()
	}
}

// confirmedLocked notes that the server has spoken of call id since the
// reconnect.
func (p *Phone) confirmedLocked(id string) {
	if id == p.restating {
		p.restating = ""
	}
}

// caughtUp: the restatement is over, and the call's record, had it ended
// while we were away, has come. A call awaiting its restatement still
// ended without either: the server restarted and forgot it, recording it
// as failed (protocol.md, "Server restart and shutdown").
func (p *Phone) caughtUp() {
	p.mu.Lock()
	defer p.unlockAndFlush()
	id := p.restating
	p.restating = ""
	if id != "" && id == p.call.ID && p.inCallLocked() {
		p.endedLocked(protocol.OutcomeFailed)
	}
}

// recorded takes a call record: the call is over, as the record says. It
// is how a call that ended while we were away (or with a restart) ends
// here; normally the end event came first.
func (p *Phone) recorded(m protocol.Message) {
	p.mu.Lock()
	defer p.unlockAndFlush()
	if m.CallID == p.call.ID && p.inCallLocked() {
		p.endedLocked(m.Outcome)
	}
}

// incoming rings this device: permission gate, ringtone, countdown, and
// an offer to the caller's device so that media connects while it rings.
// The Incoming event is the owner's cue to draw the person's attention.
func (p *Phone) incoming(inc protocol.CallIncoming) {
	c := inc.Call
	p.mu.Lock()
	p.confirmedLocked(c.ID)
	// The same invite again (after a reconnect), or a ring while we are
	// busy ending a call: the server keeps track either way.
	free := !p.closed && p.state == Idle
	p.mu.Unlock()
	if !free {
		return
	}
	// The gate may open device nodes: it is asked off the lock.
	if mic := p.cfg.Devices.Microphone(); mic != nil {
		p.refuse(c, mic)
		return
	}
	voiceOnly := c.Media == protocol.MediaVideo && p.cfg.Devices.Camera() != nil
	p.mu.Lock()
	if p.closed || p.state != Idle {
		p.mu.Unlock()
		return // a call of ours began meanwhile
	}
	p.state, p.call = Incoming, c
	p.acceptedAt, p.muted, p.cameraOff = time.Time{}, false, false
	p.emitLocked(Event{Type: EventState, State: Incoming, Call: c, VoiceOnly: voiceOnly})
	p.startCountdownLocked(c.DeadlineFor(p.sig.User()))
	p.ringLocked(true)
	p.unlockAndFlush()
	if c.Group {
		return // group media comes with the SFU
	}
	caller := c.Participants[0]
	pr, err := p.newPeer(c, caller.User, caller.Device)
	if err == nil {
		if !p.adopt(pr) {
			return
		}
		err = pr.session.Start()
	}
	if err != nil {
		p.failed(err)
	}
}

// refuse declines call c, which this device cannot take for the gate's
// answer about the microphone, and says why.
func (p *Phone) refuse(c protocol.Call, mic error) {
	err := p.request(protocol.TypeCallDecline, protocol.CallDecline{CallID: c.ID, Reason: protocol.ReasonPermissionDenied}, nil)
	p.mu.Lock()
	p.failedLocked(explain("microphone", mic))
	if err != nil {
		p.failedLocked(err)
	}
	p.unlockAndFlush()
}

// adopt registers pr if its call is still the current one, and closes it
// otherwise.
func (p *Phone) adopt(pr *peer) bool {
	p.mu.Lock()
	if p.closed || p.call.ID != pr.callID || p.state == Idle {
		p.mu.Unlock()
		pr.close()
		return false
	}
	key := pr.key()
	p.peers[key] = pr
	if (p.state == Connecting || p.state == Active) && p.chosen == nil && p.want == key {
		p.chosen = pr
		p.connectLocked()
	}
	p.unlockAndFlush()
	return true
}

// update follows the server's word about the current call.
func (p *Phone) update(u protocol.CallUpdate) {
	p.mu.Lock()
	defer p.unlockAndFlush()
	p.confirmedLocked(u.Call.ID)
	if p.placedHere(u.Call) {
		p.placedLocked(u.Call)
	}
	if p.joining != "" && u.Call.ID == p.joining && u.Event == protocol.EventEnded {
		// The call we are joining ended before the join's reply came.
		p.finishLocked(u.Call)
		return
	}
	if p.state == Idle || u.Call.ID != p.call.ID {
		return
	}
	switch u.Event {
	case protocol.EventEnded:
		p.finishLocked(u.Call)
	case protocol.EventAnsweredElsewhere:
		if p.state == Incoming {
			u.Call.Outcome = protocol.EventAnsweredElsewhere
			p.finishLocked(u.Call)
		}
	case protocol.EventAccepted:
		p.updateLocked(u.Call)
		p.emitLocked(Event{Type: EventRemote, Call: u.Call, What: u.Event, Remote: participant(u.Call, u.User)})
		if p.state == Outgoing && u.User != p.sig.User() {
			p.answeredLocked(u)
		}
	case protocol.EventSwitchedToAudio:
		p.switchedLocked(u.Call)
		p.emitLocked(Event{Type: EventSwitched, Call: u.Call, Remote: participant(u.Call, u.User)})
	default:
		p.updateLocked(u.Call)
		if u.User != "" && u.User != p.sig.User() {
			p.emitLocked(Event{Type: EventRemote, Call: u.Call, What: u.Event, Remote: participant(u.Call, u.User)})
		}
	}
}

func participant(c protocol.Call, user string) protocol.Participant {
	if pt := c.Participant(user); pt != nil {
		return *pt
	}
	return protocol.Participant{User: user}
}

// answeredLocked: someone took our call. In a direct call the device that
// answered is the peer; links to the user's other devices close.
func (p *Phone) answeredLocked(u protocol.CallUpdate) {
	p.acceptedAt = time.Now()
	p.stopCountdownLocked()
	if p.call.Group {
		p.connectLocked()
		return
	}
	p.want = peerKey(u.User, participant(u.Call, u.User).Device)
	var others []*peer
	for k, pr := range p.peers {
		if k == p.want {
			p.chosen = pr
			continue
		}
		others = append(others, pr)
		delete(p.peers, k)
	}
	p.closeLater(others)
	p.connectLocked()
}

// signal passes negotiation from a remote device to its media session. As
// the caller, an offer from a ringing device opens a session to it.
func (p *Phone) signal(s protocol.CallSignal) {
	p.mu.Lock()
	if p.state == Idle || s.CallID != p.call.ID {
		p.mu.Unlock()
		return
	}
	pr := p.peers[peerKey(s.From, s.FromDevice)]
	call, caller := p.call, p.call.Caller == p.sig.User()
	p.mu.Unlock()
	if pr == nil {
		if !caller || s.Kind != protocol.SignalOffer {
			return
		}
		var err error
		if pr, err = p.newPeer(call, s.From, s.FromDevice); err != nil {
			p.failed(err)
			return
		}
		if !p.adopt(pr) {
			return
		}
		p.mu.Lock()
		first := len(p.peers) == 1
		p.mu.Unlock()
		if first {
			// Open the devices while it rings, so that the first key frame
			// is ready when the call is accepted.
			_ = pr.session.Prepare()
		}
	}
	if err := pr.session.HandleSignal(s.Kind, s.SDP, s.Candidate); err != nil {
		p.failed(err)
	}
}

// mediaSignal passes the SFU's negotiation to the group call's session.
func (p *Phone) mediaSignal(s protocol.MediaSignal) {
	p.mu.Lock()
	pr := p.peers[sfuKey]
	if p.state == Idle || s.CallID != p.call.ID || pr == nil {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if err := pr.session.HandleSignal(s.Kind, s.SDP, s.Candidate); err != nil {
		p.failed(err)
	}
}

// speaking tells the owner who speaks in the group call.
func (p *Phone) speaking(s protocol.CallSpeaking) {
	p.mu.Lock()
	defer p.unlockAndFlush()
	if p.inCallLocked() && s.CallID == p.call.ID {
		p.emitLocked(Event{Type: EventSpeaking, Call: p.call, Speakers: s.Users})
	}
}

// decodeEvent unmarshals an event's payload, reporting a broken one.
func (p *Phone) decodeEvent(ev client.Event, v any) bool {
	if err := json.Unmarshal(ev.Payload, v); err != nil {
		p.failed(fmt.Errorf("bad %s from the server: %w", ev.Type, err))
		return false
	}
	return true
}
