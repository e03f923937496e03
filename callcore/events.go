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
	EventSpeaking  = "speaking"  // who speaks in a group call (Speakers)
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
	// Speakers are the users speaking in a group call, loudest first, in
	// an EventSpeaking; empty when nobody is.
	Speakers []string
	// Err is what failed, in an EventError.
	Err error
}

// emitLocked queues ev for the owner; flush delivers it once the lock is
// released.
func (p *Phone) emitLocked(ev Event) {
	p.pending = append(p.pending, func() { p.cfg.OnEvent(ev) })
}

// failedLocked reports err, something that failed which the call
// survives. It is the one way the engine emits EventError.
func (p *Phone) failedLocked(err error) {
	p.emitLocked(Event{Type: EventError, Err: err})
}

// failed is failedLocked for code that does not hold the lock.
func (p *Phone) failed(err error) {
	p.mu.Lock()
	p.failedLocked(err)
	p.unlockAndFlush()
}

// ringLocked queues turning the ringtone on or off. The ringer opens and
// closes an audio device, which must not happen under the lock; queued
// with the events, its calls keep the order of the decisions, so a quick
// on, off, on ends on.
func (p *Phone) ringLocked(on bool) {
	p.pending = append(p.pending, func() { p.cfg.Ringer.Ringtone(on) })
}

// unlockAndFlush releases the lock and delivers what was queued under it.
// Whatever may have queued something ends with it rather than a bare
// Unlock.
func (p *Phone) unlockAndFlush() {
	p.mu.Unlock()
	p.flush()
}

// flush delivers queued events (and ringer calls) in order, from one
// goroutine at a time. When another goroutine is delivering (or this one
// is, and an event handler called back into the Phone), that one delivers
// ours too.
func (p *Phone) flush() {
	for {
		if !p.emitMu.TryLock() {
			return
		}
		for {
			p.mu.Lock()
			queued := p.pending
			p.pending = nil
			p.mu.Unlock()
			if len(queued) == 0 {
				break
			}
			for _, deliver := range queued {
				deliver()
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
