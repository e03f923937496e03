package callcore

import (
	"testing"
	"time"

	"parley/protocol"
)

// ringRecorder is a Ringer that records its calls, checking that the
// Phone's lock is free while it is called.
type ringRecorder struct {
	t     *testing.T
	phone *Phone
	calls chan bool
}

func (r *ringRecorder) Ringtone(on bool) {
	free := make(chan struct{})
	// Ends once it had the lock: at once, or after the caller let it go.
	go func() {
		r.phone.State()
		close(free)
	}()
	select {
	case <-free:
	case <-time.After(5 * time.Second):
		r.t.Error("the ringer was called with the Phone's lock held")
	}
	r.calls <- on
}

// want reads the next calls of the ringer.
func (r *ringRecorder) want(ons ...bool) {
	r.t.Helper()
	for i, on := range ons {
		select {
		case got := <-r.calls:
			if got != on {
				r.t.Fatalf("ringer call %d: Ringtone(%v), want Ringtone(%v)", i, got, on)
			}
		case <-time.After(10 * time.Second):
			r.t.Fatalf("ringer call %d: no Ringtone(%v)", i, on)
		}
	}
}

// TestRingtoneFollowsTheRing: the ringer is told, in order and off the
// lock, when a call starts and stops ringing here; the same invite again
// does not ring twice; and a quick ring, end, ring ends ringing.
func TestRingtoneFollowsTheRing(t *testing.T) {
	answered := answeredCall()
	srv := &scripted{replies: map[string]protocol.Call{protocol.TypeCallAccept: answered}, errs: map[string]error{}}
	r := &ringRecorder{t: t, calls: make(chan bool, 16)}
	p := New(srv, Config{TestMedia: true, LoopbackOnly: true, Ringer: r})
	r.phone = p
	t.Cleanup(p.Close)
	ringing := func(id string) protocol.Call {
		c := answered
		c.ID, c.State, c.StartedMS = id, protocol.CallRinging, 0
		c.Participants = []protocol.Participant{answered.Participants[0], {User: "bob", State: protocol.StateRinging}}
		return c
	}
	ended := func(c protocol.Call) protocol.CallUpdate {
		c.State, c.Outcome = protocol.CallEnded, protocol.OutcomeCancelled
		return protocol.CallUpdate{Event: protocol.EventEnded, Call: c}
	}

	handle(p, protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing("c1")})
	handle(p, protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing("c1")}) // restated after a reconnect
	r.want(true)
	if err := p.Accept(false); err != nil {
		t.Fatal(err)
	}
	r.want(false)
	handle(p, protocol.TypeCallUpdate, ended(answered))
	r.want(false) // every end silences the ringer

	handle(p, protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing("c2")})
	handle(p, protocol.TypeCallUpdate, ended(ringing("c2")))
	handle(p, protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing("c3")})
	r.want(true, false, true)
	if st, c := p.State(); st != Incoming || c.ID != "c3" {
		t.Fatalf("state %s in %q, want incoming in c3", st, c.ID)
	}
	select {
	case on := <-r.calls:
		t.Fatalf("an extra Ringtone(%v)", on)
	case <-time.After(100 * time.Millisecond):
	}
}
