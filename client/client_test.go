package client

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"parley/protocol"
)

func TestRequest(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{RequestTimeout: 200 * time.Millisecond})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		typ     string
		payload any
		want    string // the reply's text, if it succeeds
		code    string // the *protocol.Error expected
		is      error  // or an error it wraps
	}{
		{name: "reply", typ: "echo", payload: "hi", want: "hi"},
		{name: "error reply", typ: "fail", code: protocol.CodeForbidden},
		{name: "unknown type", typ: "nonsense", code: protocol.CodeUnknownType},
		{name: "invalid payload", typ: protocol.TypeChatSend, payload: &protocol.ChatSend{}, code: protocol.CodeBadRequest},
		{name: "timeout", typ: "slow", is: context.DeadlineExceeded},
		{name: "cancelled", ctx: cancelled, typ: "slow", is: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			var got string
			err := c.Request(ctx, tt.typ, tt.payload, &got)
			var pe *protocol.Error
			switch {
			case tt.code != "":
				if !errors.As(err, &pe) || pe.Code != tt.code {
					t.Errorf("got %v; want a %s error", err, tt.code)
				}
			case tt.is != nil:
				if !errors.Is(err, tt.is) {
					t.Errorf("got %v; want %v", err, tt.is)
				}
			case err != nil || got != tt.want:
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestReconnect(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	waitEvent(t, c, EventConnected)

	f.set(func(f *fakeServer) { f.refuse = true })
	f.drop()
	var state ConnState
	if err := waitEvent(t, c, EventDisconnected).Decode(&state); err != nil || state.Error == "" {
		t.Errorf("disconnected event: %+v, %v; want the reason", state, err)
	}
	if err := c.Request(t.Context(), "echo", "hi", nil); !errors.Is(err, ErrDisconnected) {
		t.Errorf("request while down: %v; want ErrDisconnected", err)
	}
	// Let it fail a few times before the server comes back.
	for f.dialCount() < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	f.set(func(f *fakeServer) { f.refuse = false })
	waitEvent(t, c, EventReconnected)
	var got string
	if err := c.Request(t.Context(), "echo", "again", &got); err != nil || got != "again" {
		t.Errorf("request after reconnecting: %q, %v", got, err)
	}
}

func (f *fakeServer) dialCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dials
}

func TestReconnectLogsInAgain(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	f.set(func(f *fakeServer) { clear(f.tokens) }) // as a server restarted with a new key
	f.drop()
	waitEvent(t, c, EventReconnected)
	f.mu.Lock()
	logins := f.logins
	f.mu.Unlock()
	if logins != 2 {
		t.Errorf("%d logins; want 2", logins)
	}
}

// TestCaughtUpFollowsTheRestatedCalls: on every connection, what the
// server sends right after the welcome (its restatement of the live calls)
// and the chat missed meanwhile come before EventCaughtUp.
func TestCaughtUpFollowsTheRestatedCalls(t *testing.T) {
	const conv = "direct:alice:bob"
	f := newFakeServer(t)
	f.set(func(f *fakeServer) {
		f.afterWelcome = func(c *fakeConn) {
			c.send(protocol.TypeCallUpdate, "", protocol.CallUpdate{Event: protocol.EventState, Call: protocol.Call{ID: "c1"}})
		}
	})
	c := f.dial(t, Options{})
	if got, want := nextEvents(t, c, 3), []string{EventConnected, protocol.TypeCallUpdate, EventCaughtUp}; !slices.Equal(got, want) {
		t.Errorf("first connection: %q; want %q", got, want)
	}
	f.set(func(f *fakeServer) { f.refuse = true })
	f.drop()
	waitEvent(t, c, EventDisconnected)
	f.post(conv, "missed", "", nil)
	f.set(func(f *fakeServer) { f.refuse = false })
	want := []string{EventReconnected, protocol.TypeCallUpdate, protocol.TypeChatMessage, EventCaughtUp}
	if got := nextEvents(t, c, 4); !slices.Equal(got, want) {
		t.Errorf("after reconnecting: %q; want %q", got, want)
	}
}

// nextEvents returns the types of the next n events.
func nextEvents(t *testing.T, c *Client, n int) []string {
	t.Helper()
	var types []string
	for range n {
		select {
		case ev := <-c.Events():
			types = append(types, ev.Type)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %q came", types)
		}
	}
	return types
}

// chatLog collects the chat messages delivered by c until it has want of
// them, and fails on a duplicate.
func chatLog(t *testing.T, c *Client, want int) map[string][]int64 {
	t.Helper()
	got := make(map[string][]int64)
	for n := 0; n < want; n++ {
		var m protocol.Message
		if err := waitEvent(t, c, protocol.TypeChatMessage).Decode(&m); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(got[m.Conversation], m.Seq) {
			t.Fatalf("%s seq %d delivered twice", m.Conversation, m.Seq)
		}
		got[m.Conversation] = append(got[m.Conversation], m.Seq)
	}
	return got
}

func TestCatchUp(t *testing.T) {
	const a, b = "direct:alice:bob", "group:g1"
	f := newFakeServer(t)
	for _, conv := range []string{a, a, b, b, b} {
		f.post(conv, "before", "", nil)
	}
	// The past of a is history; b is caught up from where the caller was.
	c := f.dial(t, Options{Since: map[string]int64{b: 1}})
	if got, want := chatLog(t, c, 2), map[string][]int64{b: {2, 3}}; !equalLogs(got, want) {
		t.Errorf("first catch-up: %v; want %v", got, want)
	}
	f.post(a, "live", "", nil)
	if got, want := chatLog(t, c, 1), map[string][]int64{a: {3}}; !equalLogs(got, want) {
		t.Errorf("live: %v; want %v", got, want)
	}

	// Own messages are not delivered back, not even by a catch-up.
	if _, err := c.SendText(t.Context(), a, "mine"); err != nil {
		t.Fatal(err)
	}

	// Missed while down: a 5-6, b 4-5. A message that arrives live during
	// the catch-up (a 7), and that the catch-up's later pages also return,
	// comes once and in order.
	f.set(func(f *fakeServer) { f.refuse = true })
	f.drop()
	waitEvent(t, c, EventDisconnected)
	for _, conv := range []string{a, b, a, b} {
		f.post(conv, "missed", "", nil)
	}
	f.set(func(f *fakeServer) {
		f.beforeSync = func() { f.post(a, "during", "", nil) }
		f.refuse = false
	})
	waitEvent(t, c, EventReconnected)
	if got, want := chatLog(t, c, 5), map[string][]int64{a: {5, 6, 7}, b: {4, 5}}; !equalLogs(got, want) {
		t.Errorf("after reconnecting: %v; want %v", got, want)
	}
}

// TestNoGapUnderLoad posts while the client's first catch-up runs: every
// message must come, once and in order.
func TestNoGapUnderLoad(t *testing.T) {
	const conv, n = "direct:alice:bob", 300
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	go func() {
		for range n {
			f.post(conv, "load", "", nil)
		}
	}()
	for want := int64(1); want <= n; want++ {
		var m protocol.Message
		if err := waitEvent(t, c, protocol.TypeChatMessage).Decode(&m); err != nil || m.Seq != want {
			t.Fatalf("got seq %d (%v); want %d", m.Seq, err, want)
		}
	}
}

func equalLogs(a, b map[string][]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestSendTextRetriesAcrossDrop(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	f.set(func(f *fakeServer) { f.dropSends = 1 })
	m, err := c.SendText(t.Context(), "direct:alice:bob", "hello")
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.msgs) != 1 || f.msgs[0] != m {
		t.Errorf("stored %+v; want only %+v", f.msgs, m)
	}
	if n := f.attempts[m.ClientID]; n != 2 {
		t.Errorf("%d tries with client_id %s; want 2", n, m.ClientID)
	}
}

func TestSendTextGivesUpWithContext(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	f.set(func(f *fakeServer) { f.refuse = true })
	f.drop()
	waitEvent(t, c, EventDisconnected)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.SendText(ctx, "direct:alice:bob", "hello"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v; want the context's deadline", err)
	}
}

func TestClockOffset(t *testing.T) {
	// The fake server is on loopback: the estimate is within a few
	// milliseconds of the skew; a second of slack keeps -race runs calm.
	const slack = time.Second
	near := func(got, want time.Duration) bool { return got > want-slack && got < want+slack }
	for _, skew := range []time.Duration{0, time.Hour, -90 * time.Second} {
		t.Run(skew.String(), func(t *testing.T) {
			f := newFakeServer(t)
			f.set(func(f *fakeServer) { f.skew = skew })
			c := f.dial(t, Options{})
			if got := c.ClockOffset(); !near(got, skew) {
				t.Errorf("offset %v; want about %v", got, skew)
			}
			deadline := time.Now().Add(skew + 30*time.Second).UnixMilli()
			if got := c.TimeLeft(deadline); !near(got, 30*time.Second) || got > 30*time.Second {
				t.Errorf("TimeLeft of a deadline 30 s ahead on the server's clock is %v; want a little under 30 s", got)
			}
			// The server's clock was set right: a reconnect notices.
			f.set(func(f *fakeServer) { f.skew = 0 })
			f.drop()
			waitEvent(t, c, EventReconnected)
			if got := c.ClockOffset(); !near(got, 0) {
				t.Errorf("offset after reconnecting %v; want about 0", got)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	const lo, hi = 250 * time.Millisecond, 15 * time.Second
	tests := []struct {
		attempt int
		bound   time.Duration
	}{
		{0, lo},
		{1, 2 * lo},
		{3, 8 * lo},
		{6, hi},
		{100, hi},
	}
	for _, tt := range tests {
		var longest time.Duration
		for range 1000 {
			d := backoff(lo, hi, tt.attempt)
			if d < 0 || d > tt.bound {
				t.Fatalf("backoff(attempt %d) = %v; want 0..%v", tt.attempt, d, tt.bound)
			}
			longest = max(longest, d)
		}
		if longest < tt.bound/2 {
			t.Errorf("attempt %d: the longest of 1000 delays is %v; want them spread up to %v", tt.attempt, longest, tt.bound)
		}
	}
}

// TestCloseWhileEventsAreFull closes a client whose events nobody reads, its
// reader blocked on the full channel; Close must still end every goroutine.
func TestCloseWhileEventsAreFull(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeServer(t)
	c := f.dial(t, Options{})
	for range eventBuffer + 10 {
		f.post("direct:alice:bob", "flood", "", nil)
	}
	for len(c.Events()) < eventBuffer {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() {
		c.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close is stuck")
	}
	if err := c.Request(t.Context(), "echo", "hi", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("request after Close: %v; want ErrClosed", err)
	}
	n := 0
	for range c.Events() {
		n++
	}
	if n < eventBuffer {
		t.Errorf("%d events left to read after Close; want the %d buffered", n, eventBuffer)
	}
	f.close()
	c.Close() // again: a no-op
}

func TestAccessors(t *testing.T) {
	f := newFakeServer(t)
	c := f.dial(t, Options{Device: "laptop"})
	if c.User() != "alice" || c.Device() != "laptop" {
		t.Errorf("User, Device = %q, %q", c.User(), c.Device())
	}
	ice := c.ICEServers()
	if len(ice) != 1 || ice[0].URLs[0] != "stun:127.0.0.1:3478" {
		t.Errorf("ICEServers = %+v", ice)
	}
	f.drop()
	waitEvent(t, c, EventReconnected)
	if c.Device() != "laptop" {
		t.Errorf("device after reconnecting: %q", c.Device())
	}
}

// FuzzDispatch feeds the client arbitrary frames, as a broken or hostile
// server could send.
func FuzzDispatch(f *testing.F) {
	for _, seed := range []string{
		`{"type":"chat.message","payload":{"conversation":"direct:a:b","seq":3,"text":"hi"}}`,
		`{"type":"chat.message","payload":{"seq":"x"}}`,
		`{"type":"call.update","payload":{"event":"ended"}}`,
		`{"type":"reply","id":"7","payload":{}}`,
		`{"type":"error","error":null}`,
		`{"type":"error","id":"1"}`,
		`[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := newClient(Options{BaseURL: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		c.cancel() // nobody reads Events: emit must not wait
		s := &session{c: c, pending: make(map[string]chan *protocol.Envelope)}
		s.expect("7")
		c.dispatch(s, data)
		c.chat.hold()
		c.dispatch(s, data)
		c.chat.after()
	})
}
