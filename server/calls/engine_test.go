package calls

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"parley/protocol"
)

// fakeClock fires timers only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time on, firing due timers in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		var next *fakeTimer
		for i, t := range c.timers {
			if !t.stopped && !t.at.After(end) {
				next = t
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				break
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.now = next.at
		next.stopped = true
		c.mu.Unlock()
		next.f()
	}
}

type sent struct {
	device string
	typ    string
	event  string // call.update event
	call   protocol.Call
	left   int64 // call.incoming: ms until the callee's deadline
}

// world is the engine's surroundings: devices online, what each received,
// pushes and records.
type world struct {
	t       *testing.T
	clock   *fakeClock
	e       *Engine
	online  map[string][]string
	inbox   map[string][]sent // by user
	pushes  []string
	ended   []protocol.Call
	changed []protocol.Call // what Changed was told, in order
	ids     int
}

func newWorld(t *testing.T) *world {
	w := &world{
		t:      t,
		clock:  &fakeClock{now: time.Unix(1_700_000_000, 0)},
		online: make(map[string][]string),
		inbox:  make(map[string][]sent),
	}
	w.e = New(Config{InviteTimeout: 30 * time.Second, ReconnectGrace: 10 * time.Second, NewID: func() string {
		w.ids++
		return fmt.Sprintf("c%d", w.ids)
	}}, w.clock, w)
	return w
}

func (w *world) Send(to Target, typ string, payload any) int {
	n := 0
	for _, d := range w.online[to.User] {
		if (to.Device != "" && d != to.Device) || d == to.Except {
			continue
		}
		s := sent{device: d, typ: typ}
		switch p := payload.(type) {
		case protocol.CallUpdate:
			s.event, s.call = p.Event, p.Call
		case protocol.CallIncoming:
			s.call, s.left = p.Call, p.Call.DeadlineFor(to.User)-w.clock.Now().UnixMilli()
		case protocol.CallSignal:
			s.event = p.Kind
		}
		w.inbox[to.User] = append(w.inbox[to.User], s)
		n++
	}
	return n
}

func (w *world) Push(user string, inv protocol.CallIncoming) { w.pushes = append(w.pushes, user) }
func (w *world) Created(c protocol.Call)                     {}
func (w *world) Answered(c protocol.Call)                    {}
func (w *world) Ended(c protocol.Call)                       { w.ended = append(w.ended, c) }
func (w *world) Changed(c protocol.Call)                     { w.changed = append(w.changed, c) }

func (w *world) connect(user, device string) {
	w.online[user] = append(w.online[user], device)
	w.e.DeviceOnline(user, device)
}

// connectAll brings each user online on one device, user-1.
func (w *world) connectAll(users ...string) {
	for _, u := range users {
		w.connect(u, u+"-1")
	}
}

func (w *world) disconnect(user, device string) {
	ds := w.online[user][:0]
	for _, d := range w.online[user] {
		if d != device {
			ds = append(ds, d)
		}
	}
	w.online[user] = ds
	w.e.DeviceOffline(user, device)
}

func (w *world) call(caller string, media string, invitees ...string) protocol.Call {
	w.t.Helper()
	conv := protocol.DirectConversation(caller, invitees[0])
	audience := append([]string{caller}, invitees...)
	group := len(invitees) > 1
	if group {
		conv = protocol.GroupConversation("g1")
		audience = append(audience, "erin") // a member not rung
	}
	return w.place(caller, protocol.CallInvite{Conversation: conv, Media: media}, invitees, audience, group)
}

// place invites and rings, as the server does once the call is stored.
func (w *world) place(caller string, req protocol.CallInvite, invitees, audience []string, group bool) protocol.Call {
	w.t.Helper()
	return w.must(w.e.Ring(w.hold(caller, req, invitees, audience, group).ID))
}

// hold invites without ringing: the server has not stored the call yet.
func (w *world) hold(caller string, req protocol.CallInvite, invitees, audience []string, group bool) protocol.Call {
	w.t.Helper()
	c, err := w.e.Invite(caller, caller+"-1", req, invitees, audience, group)
	if err != nil {
		w.t.Fatalf("invite: %v", err)
	}
	return c
}

// holdDirect is alice's voice call to bob, held.
func (w *world) holdDirect() protocol.Call {
	w.t.Helper()
	return w.hold("alice", protocol.CallInvite{Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaAudio},
		[]string{"bob"}, []string{"alice", "bob"}, false)
}

// directCall brings alice and bob online and has alice call bob.
func (w *world) directCall(media string) protocol.Call {
	w.t.Helper()
	w.connectAll("alice", "bob")
	return w.call("alice", media, "bob")
}

// answeredCall is a directCall that bob has accepted.
func (w *world) answeredCall(media string) protocol.Call {
	w.t.Helper()
	c := w.directCall(media)
	return w.must(w.e.Accept("bob", "bob-1", c.ID))
}

func (w *world) must(c protocol.Call, err error) protocol.Call {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("unexpected error: %v", err)
	}
	return c
}

// refused checks that a request failed with code.
func (w *world) refused(code string) func(protocol.Call, error) {
	return func(_ protocol.Call, err error) {
		w.t.Helper()
		var pe *protocol.Error
		if !errors.As(err, &pe) || pe.Code != code {
			w.t.Fatalf("got error %v, want code %s", err, code)
		}
	}
}

// lastEnded is the single call that ended, with the outcome checked.
func (w *world) endedWith(outcome string) protocol.Call {
	w.t.Helper()
	if len(w.ended) != 1 {
		w.t.Fatalf("%d calls ended, want 1", len(w.ended))
	}
	if got := w.ended[0].Outcome; got != outcome {
		w.t.Fatalf("outcome %s, want %s", got, outcome)
	}
	if w.e.Live() != 0 {
		w.t.Fatalf("%d calls still live", w.e.Live())
	}
	return w.ended[0]
}

func (w *world) notEnded() {
	w.t.Helper()
	if len(w.ended) != 0 {
		w.t.Fatalf("call ended early: %+v", w.ended[0])
	}
}

// got reports whether device of user received an event (typ, and for
// call.update the event name).
func (w *world) got(user, device, typ, event string) bool {
	for _, s := range w.inbox[user] {
		if s.device == device && s.typ == typ && (event == "" || s.event == event) {
			return true
		}
	}
	return false
}

func (w *world) expect(user, device, typ, event string) {
	w.t.Helper()
	if !w.got(user, device, typ, event) {
		w.t.Fatalf("%s/%s did not get %s %s; got %+v", user, device, typ, event, w.inbox[user])
	}
}

func (w *world) state(c protocol.Call, user string) string {
	w.t.Helper()
	p := c.Participant(user)
	if p == nil {
		w.t.Fatalf("%s not in call", user)
	}
	return p.State
}

func TestEngine(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, w *world)
	}{
		{"accept then caller hangs up", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaVideo)
			w.expect("bob", "bob-1", protocol.TypeCallIncoming, "")
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventRinging)
			w.clock.Advance(3 * time.Second)
			w.must(w.e.Accept("bob", "bob-1", c.ID))
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventAccepted)
			w.clock.Advance(83 * time.Second) // past the invite deadline: no timeout once answered
			w.notEnded()
			w.must(w.e.Hangup("alice", "alice-1", c.ID))
			got := w.endedWith(protocol.OutcomeCompleted)
			if d := got.EndedMS - got.StartedMS; d != 83000 {
				t.Fatalf("duration %d ms, want 83000", d)
			}
			w.expect("bob", "bob-1", protocol.TypeCallUpdate, protocol.EventEnded)
		}},
		{"callee hangs up", func(t *testing.T, w *world) {
			c := w.answeredCall(protocol.MediaAudio)
			w.must(w.e.Hangup("bob", "bob-1", c.ID))
			w.endedWith(protocol.OutcomeCompleted)
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventEnded)
		}},
		{"decline", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaAudio)
			got := w.must(w.e.Decline("bob", "bob-1", c.ID, ""))
			if p := got.Participant("bob"); p.State != protocol.StateDeclined || p.Reason != protocol.ReasonDeclined {
				t.Fatalf("bob is %+v", p)
			}
			w.endedWith(protocol.OutcomeDeclined)
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventDeclined)
		}},
		{"decline for lack of a microphone", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaAudio)
			w.must(w.e.Decline("bob", "bob-1", c.ID, protocol.ReasonPermissionDenied))
			if end := w.endedWith(protocol.OutcomeDeclined); end.Participant("bob").Reason != protocol.ReasonPermissionDenied {
				t.Fatalf("reason %q", end.Participant("bob").Reason)
			}
		}},
		{"cancel during ringing", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaVideo)
			w.clock.Advance(5 * time.Second)
			w.must(w.e.Cancel("alice", "alice-1", c.ID))
			w.endedWith(protocol.OutcomeCancelled)
			w.expect("bob", "bob-1", protocol.TypeCallUpdate, protocol.EventCancelled)
			w.refused(protocol.CodeNotFound)(w.e.Accept("bob", "bob-1", c.ID))
		}},
		{"caller hangs up while ringing is a cancel", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaVideo)
			w.must(w.e.Hangup("alice", "alice-1", c.ID))
			w.endedWith(protocol.OutcomeCancelled)
		}},
		{"timeout while the callee is offline", func(t *testing.T, w *world) {
			w.connect("alice", "alice-1")
			c := w.call("alice", protocol.MediaAudio, "bob")
			if w.state(c, "bob") != protocol.StateInvited || len(w.pushes) != 1 || w.pushes[0] != "bob" {
				t.Fatalf("bob %s, pushes %v", w.state(c, "bob"), w.pushes)
			}
			w.clock.Advance(29 * time.Second)
			w.notEnded()
			w.clock.Advance(time.Second)
			w.endedWith(protocol.OutcomeNoAnswer)
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventNoAnswer)
		}},
		{"offline callee connects and rings with the time left", func(t *testing.T, w *world) {
			w.connect("alice", "alice-1")
			c := w.call("alice", protocol.MediaAudio, "bob")
			w.clock.Advance(12 * time.Second)
			w.connect("bob", "bob-1")
			var left int64 = -1
			for _, s := range w.inbox["bob"] {
				if s.typ == protocol.TypeCallIncoming {
					left = s.left
				}
			}
			if left != 18000 {
				t.Fatalf("time left %d ms, want 18000", left)
			}
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventRinging)
			w.must(w.e.Accept("bob", "bob-1", c.ID))
			w.notEnded()
		}},
		{"busy callee", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "carol")
			first := w.call("carol", protocol.MediaAudio, "bob")
			w.must(w.e.Accept("bob", "bob-1", first.ID))
			c := w.call("alice", protocol.MediaVideo, "bob")
			if c.State != protocol.CallEnded || c.Outcome != protocol.OutcomeBusy {
				t.Fatalf("call %s/%s, want ended busy", c.State, c.Outcome)
			}
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventBusy)
			if w.got("bob", "bob-1", protocol.TypeCallIncoming, "") && countIncoming(w, "bob") != 1 {
				t.Fatal("busy bob was rung again")
			}
			if len(w.ended) != 1 || w.ended[0].ID != c.ID || !w.e.InCall("bob") {
				t.Fatalf("ended %+v; bob's first call must go on", w.ended)
			}
		}},
		{"busy caller is refused", func(t *testing.T, w *world) {
			w.directCall(protocol.MediaAudio)
			w.refused(protocol.CodeBusy)(w.e.Invite("alice", "alice-1",
				protocol.CallInvite{Conversation: protocol.DirectConversation("alice", "carol"), Media: protocol.MediaAudio},
				[]string{"carol"}, []string{"alice", "carol"}, false))
		}},
		{"decline on one device of two", func(t *testing.T, w *world) {
			w.connect("alice", "alice-1")
			w.connect("bob", "bob-1")
			w.connect("bob", "bob-2")
			c := w.call("alice", protocol.MediaAudio, "bob")
			w.expect("bob", "bob-2", protocol.TypeCallIncoming, "")
			w.must(w.e.Decline("bob", "bob-1", c.ID, ""))
			w.expect("bob", "bob-2", protocol.TypeCallUpdate, protocol.EventDeclined)
			w.endedWith(protocol.OutcomeDeclined)
		}},
		{"accept on one device of two", func(t *testing.T, w *world) {
			w.connect("alice", "alice-1")
			w.connect("bob", "bob-1")
			w.connect("bob", "bob-2")
			c := w.call("alice", protocol.MediaAudio, "bob")
			got := w.must(w.e.Accept("bob", "bob-2", c.ID))
			if p := got.Participant("bob"); p.Device != "bob-2" {
				t.Fatalf("joined from %q", p.Device)
			}
			w.expect("bob", "bob-1", protocol.TypeCallUpdate, protocol.EventAnsweredElsewhere)
			if w.got("bob", "bob-2", protocol.TypeCallUpdate, protocol.EventAnsweredElsewhere) {
				t.Fatal("the answering device was told it answered elsewhere")
			}
			w.refused(protocol.CodeConflict)(w.e.Accept("bob", "bob-1", c.ID))
			w.must(w.e.Accept("bob", "bob-2", c.ID)) // a retried accept is harmless
		}},
		{"group call: one declines, two join", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "carol", "dave", "erin")
			c := w.call("alice", protocol.MediaVideo, "bob", "carol", "dave")
			w.expect("erin", "erin-1", protocol.TypeCallUpdate, protocol.EventInvited) // a member not rung sees it
			w.must(w.e.Decline("bob", "bob-1", c.ID, ""))
			w.must(w.e.Accept("carol", "carol-1", c.ID))
			got := w.must(w.e.Accept("dave", "dave-1", c.ID))
			if got.State != protocol.CallActive {
				t.Fatalf("state %s", got.State)
			}
			w.must(w.e.Hangup("alice", "alice-1", c.ID))
			w.notEnded() // carol and dave still talk
			w.must(w.e.Hangup("carol", "carol-1", c.ID))
			end := w.endedWith(protocol.OutcomeCompleted)
			if w.state(end, "bob") != protocol.StateDeclined || w.state(end, "dave") != protocol.StateLeft {
				t.Fatalf("participants %+v", end.Participants)
			}
		}},
		{"group call: join while going on, invite more, the limit", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "carol", "erin")
			c := w.call("alice", protocol.MediaAudio, "bob", "carol")
			w.must(w.e.Accept("bob", "bob-1", c.ID))
			w.must(w.e.Join("erin", "erin-1", c.ID))
			w.refused(protocol.CodeForbidden)(w.e.Join("mallory", "mallory-1", c.ID))
			w.refused(protocol.CodeForbidden)(w.e.Add("bob", "bob-1", c.ID, []string{"mallory"}))
			w.must(w.e.Decline("carol", "carol-1", c.ID, ""))
			got := w.must(w.e.Add("bob", "bob-1", c.ID, []string{"carol"}))
			if w.state(got, "carol") != protocol.StateRinging {
				t.Fatalf("carol %s", w.state(got, "carol"))
			}
			w.clock.Advance(30 * time.Second)
			if got := w.state(w.must(w.e.Join("carol", "carol-1", c.ID)), "carol"); got != protocol.StateJoined {
				t.Fatalf("carol %s", got)
			}
		}},
		{"group media: only the device that joined may connect, and every change is told", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "carol")
			w.connect("bob", "bob-2")
			c := w.call("alice", protocol.MediaVideo, "bob", "carol")
			mediaRefused := func(code string, err error) {
				t.Helper()
				w.refused(code)(protocol.Call{}, err)
			}
			mediaRefused(protocol.CodeForbidden, w.e.MayJoinMedia("bob", "bob-1", c.ID)) // still ringing
			w.must(w.e.Accept("bob", "bob-1", c.ID))
			if err := w.e.MayJoinMedia("bob", "bob-1", c.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.e.MayJoinMedia("alice", "alice-1", c.ID); err != nil {
				t.Fatalf("the caller, once someone answered: %v", err)
			}
			mediaRefused(protocol.CodeForbidden, w.e.MayJoinMedia("bob", "bob-2", c.ID))     // another device of a joined user
			mediaRefused(protocol.CodeForbidden, w.e.MayJoinMedia("mallory", "m-1", c.ID))   // not in the group
			mediaRefused(protocol.CodeNotFound, w.e.MayJoinMedia("bob", "bob-1", "no-such")) // no such call
			w.must(w.e.MediaState("bob", "bob-1", protocol.CallMediaState{CallID: c.ID, Muted: true}))
			if last := w.changed[len(w.changed)-1]; !last.Participant("bob").Muted {
				t.Fatalf("Changed was not told of the mute: %+v", last.Participants)
			}
			w.must(w.e.Hangup("bob", "bob-1", c.ID))
			mediaRefused(protocol.CodeForbidden, w.e.MayJoinMedia("bob", "bob-1", c.ID)) // left
			w.must(w.e.Hangup("alice", "alice-1", c.ID))
			if last := w.changed[len(w.changed)-1]; last.State != protocol.CallEnded {
				t.Fatalf("Changed was not told of the end: %s", last.State)
			}
			mediaRefused(protocol.CodeNotFound, w.e.MayJoinMedia("alice", "alice-1", c.ID))

			direct := w.call("alice", protocol.MediaAudio, "bob")
			w.must(w.e.Accept("bob", "bob-1", direct.ID))
			mediaRefused(protocol.CodeBadRequest, w.e.MayJoinMedia("bob", "bob-1", direct.ID)) // peer to peer
		}},
		{"group call: nobody answers", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "carol")
			c := w.call("alice", protocol.MediaAudio, "bob", "carol")
			w.must(w.e.Decline("bob", "bob-1", c.ID, ""))
			w.clock.Advance(30 * time.Second)
			w.endedWith(protocol.OutcomeNoAnswer)
		}},
		{"server restart during ringing", func(t *testing.T, w *world) {
			w.directCall(protocol.MediaAudio)
			w.e.Close()
			w.endedWith(protocol.OutcomeFailed)
			if w.e.InCall("alice") || w.e.InCall("bob") {
				t.Fatal("ghost busy after close")
			}
		}},
		{"strangers cannot touch a call", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob", "mallory")
			c := w.call("alice", protocol.MediaAudio, "bob")
			w.refused(protocol.CodeForbidden)(w.e.Accept("mallory", "mallory-1", c.ID))
			w.refused(protocol.CodeForbidden)(w.e.Hangup("mallory", "mallory-1", c.ID))
			w.refused(protocol.CodeForbidden)(w.e.Join("mallory", "mallory-1", c.ID))
			w.refused(protocol.CodeForbidden)(w.e.Cancel("bob", "bob-1", c.ID))
			w.refused(protocol.CodeNotFound)(w.e.Accept("bob", "bob-1", "nope"))
			err := w.e.Signal("mallory", "mallory-1", protocol.CallSignal{CallID: c.ID, To: "bob", Kind: protocol.SignalOffer, SDP: "v=0"})
			w.refused(protocol.CodeForbidden)(protocol.Call{}, err)
			err = w.e.Signal("alice", "alice-1", protocol.CallSignal{CallID: c.ID, To: "mallory", Kind: protocol.SignalOffer, SDP: "v=0"})
			w.refused(protocol.CodeForbidden)(protocol.Call{}, err)
			if len(w.inbox["mallory"]) != 0 {
				t.Fatalf("mallory heard %+v", w.inbox["mallory"])
			}
		}},
		{"signals flow while ringing", func(t *testing.T, w *world) {
			c := w.directCall(protocol.MediaVideo)
			if err := w.e.Signal("alice", "alice-1", protocol.CallSignal{CallID: c.ID, To: "bob", Kind: protocol.SignalOffer, SDP: "v=0"}); err != nil {
				t.Fatal(err)
			}
			w.expect("bob", "bob-1", protocol.TypeCallSignal, protocol.SignalOffer)
		}},
		{"a dropped device comes back within the grace", func(t *testing.T, w *world) {
			w.answeredCall(protocol.MediaAudio)
			w.disconnect("bob", "bob-1")
			w.clock.Advance(9 * time.Second)
			w.connect("bob", "bob-1")
			w.expect("bob", "bob-1", protocol.TypeCallUpdate, protocol.EventState)
			w.clock.Advance(time.Minute)
			w.notEnded()
		}},
		{"a dropped device that does not come back leaves", func(t *testing.T, w *world) {
			w.answeredCall(protocol.MediaAudio)
			w.disconnect("bob", "bob-1")
			w.clock.Advance(10 * time.Second)
			w.endedWith(protocol.OutcomeCompleted)
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventLeft)
		}},
		{"mute and switch to audio are announced", func(t *testing.T, w *world) {
			c := w.answeredCall(protocol.MediaVideo)
			got := w.must(w.e.MediaState("bob", "bob-1", protocol.CallMediaState{CallID: c.ID, Muted: true}))
			if !got.Participant("bob").Muted {
				t.Fatal("bob not muted")
			}
			w.expect("alice", "alice-1", protocol.TypeCallUpdate, protocol.EventMediaState)
			if got := w.must(w.e.SwitchToAudio("alice", "alice-1", c.ID)); got.Media != protocol.MediaAudio {
				t.Fatalf("media %s", got.Media)
			}
			w.expect("bob", "bob-1", protocol.TypeCallUpdate, protocol.EventSwitchedToAudio)
		}},
		{"a call rings nobody until it is stored", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob")
			c := w.holdDirect()
			w.connect("bob", "bob-2") // a device that comes online meanwhile hears nothing either
			if len(w.inbox["bob"]) != 0 || len(w.inbox["alice"]) != 0 {
				t.Fatalf("events before the call was stored: %+v %+v", w.inbox["alice"], w.inbox["bob"])
			}
			w.clock.Advance(10 * time.Second) // storing was slow: the deadline stays where Invite set it
			w.must(w.e.Ring(c.ID))
			w.expect("bob", "bob-1", protocol.TypeCallIncoming, "")
			w.expect("bob", "bob-2", protocol.TypeCallIncoming, "")
			w.clock.Advance(20 * time.Second)
			w.endedWith(protocol.OutcomeNoAnswer)
		}},
		{"a call that could not be stored is dropped without a trace", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob")
			c := w.holdDirect()
			w.e.Abandon(c.ID)
			if w.e.Live() != 0 || w.e.InCall("alice") || len(w.ended) != 0 || len(w.inbox["bob"]) != 0 {
				t.Fatalf("abandoned call left live %d, alice in call %v, ended %+v, bob got %+v",
					w.e.Live(), w.e.InCall("alice"), w.ended, w.inbox["bob"])
			}
			w.refused(protocol.CodeNotFound)(w.e.Ring(c.ID))
			w.call("alice", protocol.MediaAudio, "bob") // alice is free to call again
			w.expect("bob", "bob-1", protocol.TypeCallIncoming, "")
		}},
		{"a held call whose caller dropped out does not ring", func(t *testing.T, w *world) {
			w.connectAll("alice", "bob")
			c := w.holdDirect()
			w.disconnect("alice", "alice-1")
			w.clock.Advance(10 * time.Second)
			w.endedWith(protocol.OutcomeFailed)
			w.refused(protocol.CodeNotFound)(w.e.Ring(c.ID))
			if countIncoming(w, "bob") != 0 {
				t.Fatal("bob was rung for a call that ended before it was stored")
			}
		}},
		{"per-call timeout", func(t *testing.T, w *world) {
			w.connect("alice", "alice-1")
			w.place("alice", protocol.CallInvite{Conversation: protocol.DirectConversation("alice", "bob"),
				Media: protocol.MediaAudio, TimeoutMS: 5000}, []string{"bob"}, []string{"alice", "bob"}, false)
			w.clock.Advance(5 * time.Second)
			w.endedWith(protocol.OutcomeNoAnswer)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newWorld(t)) })
	}
}

func countIncoming(w *world, user string) int {
	n := 0
	for _, s := range w.inbox[user] {
		if s.typ == protocol.TypeCallIncoming {
			n++
		}
	}
	return n
}
