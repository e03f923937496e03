package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"parley/internal/natstest"
)

// local records what a node hands its side.
type local struct {
	mu       sync.Mutex
	frames   []string
	to       [][]Target
	presence []string
	devices  []string
}

func (l *local) Deliver(to []Target, frame []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames = append(l.frames, string(frame))
	l.to = append(l.to, to)
}

func (l *local) PresenceChanged(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.presence = append(l.presence, user)
}

// Call answers as an owner that echoes the request, or refuses one about
// "nothing".
func (l *local) Call(typ, user, device string, payload []byte) CallReply {
	if string(payload) == "nothing" {
		return CallReply{Code: "not_found", Body: []byte("no such call")}
	}
	return CallReply{Body: []byte(typ + " " + user + " " + device + " " + string(payload))}
}

func (l *local) DeviceChanged(user, device string, online bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.devices = append(l.devices, fmt.Sprintf("%s/%s %v", user, device, online))
}

func (l *local) got() ([]string, [][]Target) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.frames), slices.Clone(l.to)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func join(t *testing.T, url string) (*Node, *local) {
	t.Helper()
	l := &local{}
	n, err := Join(Config{URL: url, Heartbeat: 100 * time.Millisecond, Timeout: time.Second, Logger: quiet}, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n, l
}

// eventually waits, generously, for ok.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFramesReachEveryOtherNodeOnceInOrder(t *testing.T) {
	t.Parallel()
	url := natstest.Start(t)
	a, la := join(t, url)
	_, lb := join(t, url)
	_, lc := join(t, url)
	to := []Target{{User: "bob"}, {User: "alice", Except: "alice-phone"}}
	const n = 200
	var want []string
	for i := range n {
		f := fmt.Sprintf(`{"n":%d}`, i)
		want = append(want, f)
		a.Send(to, []byte(f))
	}
	for name, l := range map[string]*local{"b": lb, "c": lc} {
		eventually(t, name+" has every frame", func() bool { f, _ := l.got(); return len(f) >= n })
		frames, tos := l.got()
		if !reflect.DeepEqual(frames, want) {
			t.Errorf("%s got %d frames, not once each in order: %v", name, len(frames), frames)
		}
		if !reflect.DeepEqual(tos[0], to) {
			t.Errorf("%s got targets %v; want %v", name, tos[0], to)
		}
	}
	// a's own frames are its to deliver: the cluster never hands them back.
	a.Send(to, []byte("last"))
	eventually(t, "b has the last frame", func() bool { f, _ := lb.got(); return len(f) == n+1 })
	if f, _ := la.got(); len(f) != 0 {
		t.Errorf("the sender got its own frames back: %v", f)
	}
}

func TestPresenceAcrossNodes(t *testing.T) {
	t.Parallel()
	url := natstest.Start(t)
	a, _ := join(t, url)
	b, lb := join(t, url)
	a.SetPresence("alice", 2)
	eventually(t, "b sees alice's two devices on a", func() bool { return b.Devices("alice") == 2 })
	lb.mu.Lock()
	told := slices.Contains(lb.presence, "alice")
	lb.mu.Unlock()
	if !told {
		t.Error("b was not told of alice")
	}
	if got := a.Devices("alice"); got != 0 {
		t.Errorf("a counts %d of alice's devices elsewhere; they are its own", got)
	}

	// A node joining later gets what the others have so far.
	c, _ := join(t, url)
	eventually(t, "c sees alice's devices on a", func() bool { return c.Devices("alice") == 2 })
	b.SetPresence("alice", 1)
	eventually(t, "c sees alice's devices on a and b", func() bool { return c.Devices("alice") == 3 })

	a.SetPresence("alice", 0)
	eventually(t, "c sees alice gone from a", func() bool { return c.Devices("alice") == 1 })
	// A node that stops is dropped at once: its leave says so.
	b.Close()
	eventually(t, "c sees b's devices go with it", func() bool { return c.Devices("alice") == 0 })
}

// A node that falls silent, as one killed would, loses its users once its
// heartbeats have stopped for the timeout. The silent node here is a bare
// NATS connection speaking the wire format, so it can just stop.
func TestSilentNodeIsDropped(t *testing.T) {
	t.Parallel()
	url := natstest.Start(t)
	a, la := join(t, url)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// Its first change is seq 2: seq 1 was missed, so a asks for the
	// whole, and gets it from the snapshot subject.
	sub, err := nc.Subscribe(fmt.Sprintf(subjectSnapshot, "ghost"), func(m *nats.Msg) {
		_ = m.Respond((&message{kind: kindSnapshot, node: "ghost", seq: 2,
			users: []Devices{{User: "bob", Count: 1}, {User: "carol", Count: 1}}}).encode())
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Publish(subjectPresence, (&message{kind: kindPresence, node: "ghost", seq: 2, users: []Devices{{User: "bob", Count: 1}}}).encode()); err != nil {
		t.Fatal(err)
	}
	// The ghost beats until a has its snapshot, then falls silent.
	silent, beating := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beating)
		for {
			select {
			case <-silent:
				return
			case <-time.After(100 * time.Millisecond):
				_ = nc.Publish(subjectPresence, (&message{kind: kindHeartbeat, node: "ghost", seq: 2}).encode())
			}
		}
	}()
	eventually(t, "a has carol from the snapshot", func() bool { return a.Devices("carol") == 1 && a.Devices("bob") == 1 })
	close(silent)
	<-beating
	// Garbage on every subject is dropped, and a goes on.
	for _, s := range []string{subjectFrames, subjectPresence} {
		for _, b := range [][]byte{nil, {version}, {version, byte(kindFrame), 200}, (&message{kind: kindSnapshot, node: "x"}).encode()} {
			if err := nc.Publish(s, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := nc.Publish(subjectFrames, (&message{kind: kindFrame, node: "ghost", to: []Target{{User: "dave"}}, frame: []byte("hi")}).encode()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a delivers the good frame", func() bool { f, _ := la.got(); return slices.Equal(f, []string{"hi"}) })
	// No heartbeat comes any more: after the timeout, the ghost is gone.
	eventually(t, "a drops the silent node", func() bool { return a.Devices("bob") == 0 && a.Devices("carol") == 0 })
	la.mu.Lock()
	defer la.mu.Unlock()
	for _, u := range []string{"bob", "carol"} {
		if n := countOf(la.presence, u); n < 2 {
			t.Errorf("a was told of %s %d times; want the coming and the going", u, n)
		}
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestCallOwnerFromID(t *testing.T) {
	t.Parallel()
	url := natstest.Start(t)
	a, _ := join(t, url)
	id := a.CallID()
	for _, tc := range []struct{ id, owner string }{
		{id, a.ID()},
		{"9e0b7d15c2a4f8e61b3d0c77", ""}, // a lone node's
		{"short-9e0b7d15c2a4f8e61b3d0c77", ""},
		{"", ""},
	} {
		if got := CallOwner(tc.id); got != tc.owner {
			t.Errorf("CallOwner(%q) = %q; want %q", tc.id, got, tc.owner)
		}
	}
	if len(id) > 64 {
		t.Errorf("call id %q is longer than the protocol allows", id)
	}
}

// TestCallsAcrossNodes: a request reaches the owner and its answer comes
// back; a node that is not running is said to be gone; devices and busy
// users reach the other nodes, and a node's busy users go with it.
func TestCallsAcrossNodes(t *testing.T) {
	t.Parallel()
	url := natstest.Start(t)
	a, _ := join(t, url)
	b, lb := join(t, url)
	ctx := context.Background()
	for _, tc := range []struct {
		payload string
		want    CallReply
	}{
		{`{"call_id":"x"}`, CallReply{Body: []byte(`call.accept alice phone {"call_id":"x"}`)}},
		{"nothing", CallReply{Code: "not_found", Body: []byte("no such call")}},
	} {
		got, err := a.Call(ctx, b.ID(), "call.accept", "alice", "phone", []byte(tc.payload))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Call(%s) = %+v, %v; want %+v", tc.payload, got, err, tc.want)
		}
	}
	if _, err := a.Call(ctx, "0123456789abcdef", "call.accept", "alice", "phone", nil); !errors.Is(err, ErrOwnerGone) {
		t.Errorf("a call on no node: %v; want ErrOwnerGone", err)
	}

	a.DeviceChanged("bob", "tablet", true)
	a.DeviceChanged("bob", "tablet", false)
	eventually(t, "b hears of bob's tablet", func() bool {
		lb.mu.Lock()
		defer lb.mu.Unlock()
		return len(lb.devices) == 2
	})
	if want := []string{"bob/tablet true", "bob/tablet false"}; !reflect.DeepEqual(lb.devices, want) {
		t.Errorf("b heard %v; want %v", lb.devices, want)
	}

	a.SetBusy("call-1", []string{"alice", "bob"})
	a.SetBusy("call-2", []string{"bob"})
	eventually(t, "b sees alice and bob busy", func() bool { return b.Busy("alice") && b.Busy("bob") })
	a.SetBusy("call-1", nil)
	eventually(t, "b sees alice free", func() bool { return !b.Busy("alice") })
	if !b.Busy("bob") {
		t.Error("bob is free though a's call-2 holds him")
	}
	if a.Busy("bob") {
		t.Error("a counts its own calls as another node's")
	}
	a.Close()
	eventually(t, "b frees bob once a is gone", func() bool { return !b.Busy("bob") })
}
