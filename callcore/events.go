package callcore

import (
	"parley/media"
	"parley/protocol"
)

// Event types.
const (
	EventState     = "state"     // the engine moved to State
	EventCountdown = "countdown" // seconds left of the ringing invite
	EventRemote    = "remote"    // a participant changed (mute, camera, joined, left, declined…)
	EventSwitched  = "switched"  // the call became a voice call
	EventStats     = "stats"     // media quality, every 2 s
	EventError     = "error"     // something failed that the call survives
)

// Event is what the engine tells its owner.
type Event struct {
	Type  string
	State State
	Call  protocol.Call
	// Outcome of an ended call.
	Outcome string
	// SecondsLeft of a countdown.
	SecondsLeft int
	// VoiceOnly is set on an incoming video call when this device has no
	// camera: the owner offers "answer with voice".
	VoiceOnly bool
	// Remote is the participant an EventRemote is about; What is the
	// server's event name (protocol.Event*).
	Remote protocol.Participant
	What   string
	Stats  media.Stats
	Err    error
}

// emitLocked queues ev; flush delivers it once the lock is released.
func (p *Phone) emitLocked(ev Event) {
	p.pending = append(p.pending, ev)
}

// flush delivers queued events in order, from one goroutine at a time.
// When another goroutine is delivering (or this one is, and an event
// handler called back into the Phone), that one delivers ours too.
func (p *Phone) flush() {
	for {
		if !p.emitMu.TryLock() {
			return
		}
		for {
			p.mu.Lock()
			evs := p.pending
			p.pending = nil
			p.mu.Unlock()
			if len(evs) == 0 {
				break
			}
			for _, ev := range evs {
				p.cfg.OnEvent(ev)
			}
		}
		p.emitMu.Unlock()
		p.mu.Lock()
		more := len(p.pending) > 0
		p.mu.Unlock()
		if !more {
			return
		}
	}
}
