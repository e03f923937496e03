package callcore

import (
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
		var inc protocol.CallIncoming
		if p.decodeEvent(ev, &inc) {
			p.incoming(inc)
		}
	case protocol.TypeCallUpdate:
		var u protocol.CallUpdate
		if p.decodeEvent(ev, &u) {
			p.update(u)
		}
	case protocol.TypeCallSignal:
		var s protocol.CallSignal
		if p.decodeEvent(ev, &s) {
			p.signal(s)
		}
	}
}

// reconnected: the server restates the call right after the welcome if
// it still has it. Media went on meanwhile, peer to peer, so a call it
// kept goes on.
func (p *Phone) reconnected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inCallLocked() {
		p.restating = p.call.ID
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
	defer p.flush()
	defer p.mu.Unlock()
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
	defer p.flush()
	defer p.mu.Unlock()
	if m.CallID == p.call.ID && p.inCallLocked() {
		p.endedLocked(m.Outcome)
	}
}

// incoming rings this device: permission gate, attention, countdown, and
// an offer to the caller's device so that media connects while it rings.
func (p *Phone) incoming(inc protocol.CallIncoming) {
	c := inc.Call
	p.mu.Lock()
	p.confirmedLocked(c.ID)
	if p.closed || p.state != Idle {
		// The same invite again (after a reconnect), or a ring while we
		// are busy ending a call: the server keeps track either way.
		p.mu.Unlock()
		return
	}
	if p.cfg.Devices.Microphone() != Granted {
		p.mu.Unlock()
		err := p.request(protocol.TypeCallDecline, protocol.CallDecline{CallID: c.ID, Reason: protocol.ReasonPermissionDenied}, nil)
		p.mu.Lock()
		p.emitLocked(Event{Type: EventError, Call: c, Err: explain("microphone", p.cfg.Devices.Microphone())})
		if err != nil {
			p.emitLocked(Event{Type: EventError, Call: c, Err: err})
		}
		p.mu.Unlock()
		p.flush()
		return
	}
	voiceOnly := c.Media == protocol.MediaVideo && p.cfg.Devices.Camera() != Granted
	p.state, p.call = Incoming, c
	p.acceptedAt, p.muted, p.cameraOff = time.Time{}, false, false
	p.emitLocked(Event{Type: EventState, State: Incoming, Call: c, VoiceOnly: voiceOnly})
	p.startCountdownLocked(c.DeadlineFor(p.sig.User()))
	kind := "voice"
	if c.Media == protocol.MediaVideo {
		kind = "video"
	}
	p.cfg.Attention.BringToFront()
	p.cfg.Attention.Notify("Incoming "+kind+" call", c.Caller+" is calling you")
	p.cfg.Attention.Ringtone(true)
	p.mu.Unlock()
	p.flush()
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
		p.mu.Lock()
		p.emitLocked(Event{Type: EventError, Call: c, Err: err})
		p.mu.Unlock()
		p.flush()
	}
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
	key := peerKey(pr.user, pr.device)
	p.peers[key] = pr
	if p.state == Connecting && p.chosen == nil && p.want == key {
		p.chosen = pr
		p.connectLocked()
	}
	p.mu.Unlock()
	p.flush()
	return true
}

// update follows the server's word about the current call.
func (p *Phone) update(u protocol.CallUpdate) {
	p.mu.Lock()
	defer p.flush()
	defer p.mu.Unlock()
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

func (p *Phone) failed(err error) {
	p.mu.Lock()
	p.emitLocked(Event{Type: EventError, Err: err})
	p.mu.Unlock()
	p.flush()
}

// startCountdownLocked counts the invite down to the server's deadline,
// in whole seconds, using the server's clock.
func (p *Phone) startCountdownLocked(deadlineMS int64) {
	p.stopCountdownLocked()
	stop := make(chan struct{})
	p.stopTick = stop
	p.wg.Add(1)
	go p.countdown(deadlineMS, stop)
}

func (p *Phone) stopCountdownLocked() {
	if p.stopTick != nil {
		close(p.stopTick)
		p.stopTick = nil
	}
}

// countdownSlack covers a wake-up that comes late: the shown number
// changes this much before the server's clock says so.
const countdownSlack = 50 * time.Millisecond

func (p *Phone) countdown(deadlineMS int64, stop chan struct{}) {
	defer p.wg.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for {
		left := p.sig.TimeLeft(deadlineMS)
		// Whole seconds, rounded up, a little early: a 30 s invite starts
		// at 30, not 31, and 0 shows before the server's timeout arrives.
		secs := int((left - countdownSlack + time.Second - 1) / time.Second)
		if secs < 0 {
			secs = 0
		}
		p.mu.Lock()
		select {
		case <-stop:
			p.mu.Unlock()
			return
		default:
		}
		p.emitLocked(Event{Type: EventCountdown, SecondsLeft: secs, Call: p.call})
		p.mu.Unlock()
		p.flush()
		if secs == 0 {
			return
		}
		// Sleep until the shown number changes.
		t.Reset(left - countdownSlack - time.Duration(secs-1)*time.Second)
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
