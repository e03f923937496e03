package callcore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"parley/client"
	"parley/protocol"
	"parley/server"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The test's HTTP clients keep idle keep-alive connections.
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

// device is a signed-in client with its Phone and a record of its events.
type device struct {
	t      *testing.T
	c      *client.Client
	phone  *Phone
	events chan Event
	done   chan struct{}
	wg     sync.WaitGroup
}

// devices is a permission gate with set answers: nil, denied or missing.
type devices struct{ mic, cam error }

func (d devices) Microphone() error { return d.mic }
func (d devices) Camera() error     { return d.cam }

var (
	denied  = fs.ErrPermission
	missing = fs.ErrNotExist
)

func startServer(t *testing.T, timeout time.Duration) string {
	t.Helper()
	s, err := server.New(server.Config{DataDir: t.TempDir(), AllowRegister: true, BcryptCost: 4,
		InviteTimeout: timeout, MediaIP: "127.0.0.1", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(s)
	t.Cleanup(func() {
		web.Close()
		s.Close()
	})
	return web.URL
}

func connect(t *testing.T, url, user string, gate Devices) *device {
	t.Helper()
	ctx := context.Background()
	if err := client.Register(ctx, url, user, "pw-"+user); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, client.Options{BaseURL: url, User: user, Password: "pw-" + user})
	if err != nil {
		t.Fatal(err)
	}
	d := &device{t: t, c: c, events: make(chan Event, 1024), done: make(chan struct{})}
	d.phone = New(c, Config{Devices: gate, TestMedia: true, LoopbackOnly: true,
		OnEvent: func(ev Event) {
			select {
			case d.events <- ev:
			default:
				t.Errorf("%s: event buffer full", user)
			}
		}})
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			select {
			case ev := <-c.Events():
				d.phone.HandleEvent(ev)
			case <-d.done:
				return
			}
		}
	}()
	t.Cleanup(d.close)
	return d
}

func (d *device) close() {
	close(d.done)
	d.wg.Wait()
	d.phone.Close()
	d.c.Close()
}

// waitState reads events until the engine reaches state.
func (d *device) waitState(state State) Event {
	d.t.Helper()
	return d.wait(func(ev Event) bool { return ev.Type == EventState && ev.State == state })
}

func (d *device) wait(ok func(Event) bool) Event {
	d.t.Helper()
	timeout := time.After(30 * time.Second)
	var seen []string // for the failure message
	for {
		select {
		case ev := <-d.events:
			if ok(ev) {
				return ev
			}
			seen = append(seen, fmt.Sprintf("%s %s %v", ev.Type, ev.State, ev.Err))
		case <-timeout:
			d.t.Fatalf("%s: timed out waiting; events seen meanwhile: %q", d.c.User(), seen)
		}
	}
}

// waitMedia waits until the call has carried at least frames video frames
// (or, in a voice call, packets audio packets) into this device.
func (d *device) waitMedia(frames, packets int64) {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, _ := d.phone.Counters()
		if c.VideoFramesDecoded >= frames && c.AudioPacketsReceived >= packets {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, _ := d.phone.Counters()
	d.t.Fatalf("%s: media did not arrive: %+v", d.c.User(), c)
}

var granted = devices{}

func TestVideoCall(t *testing.T) {
	url := startServer(t, 30*time.Second)
	alice, bob := connect(t, url, "alice", granted), connect(t, url, "bob", granted)
	conv := protocol.DirectConversation("alice", "bob")
	if _, err := alice.phone.Call(conv, protocol.MediaVideo, nil, 0); err != nil {
		t.Fatal(err)
	}
	in := bob.waitState(Incoming)
	if in.Call.Caller != "alice" || in.VoiceOnly {
		t.Fatalf("incoming %+v", in)
	}
	if err := bob.phone.Accept(false); err != nil {
		t.Fatal(err)
	}
	alice.waitState(Active)
	bob.waitState(Active)
	bob.waitMedia(30, 20)
	alice.waitMedia(30, 20)
	if _, setup := alice.phone.Counters(); setup <= 0 {
		t.Fatalf("no setup time measured: %s", setup)
	}
	// Bob mutes: alice is told.
	if err := bob.phone.SetMuted(true); err != nil {
		t.Fatal(err)
	}
	alice.wait(func(ev Event) bool { return ev.Type == EventRemote && ev.Remote.User == "bob" && ev.Remote.Muted })
	if err := alice.phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*device{alice, bob} {
		if ev := d.waitState(Ended); ev.Outcome != protocol.OutcomeCompleted {
			t.Fatalf("%s: outcome %s", d.c.User(), ev.Outcome)
		}
	}
	if c, _ := alice.phone.Counters(); c.VideoFramesDecoded < 30 {
		t.Fatalf("counters of the ended call lost: %+v", c)
	}
}

func TestPermissionGate(t *testing.T) {
	url := startServer(t, 30*time.Second)
	conv := protocol.DirectConversation("alice", "bob")
	t.Run("caller without a microphone", func(t *testing.T) {
		alice := connect(t, url, "alice", devices{mic: denied})
		_, err := alice.phone.Call(conv, protocol.MediaAudio, nil, 0)
		if !errors.Is(err, ErrPermission) {
			t.Fatalf("got %v", err)
		}
		if st, _ := alice.phone.State(); st != Idle {
			t.Fatalf("state %s", st)
		}
	})
	t.Run("caller without a camera", func(t *testing.T) {
		alice := connect(t, url, "alice2", devices{cam: missing})
		_, err := alice.phone.Call(protocol.DirectConversation("alice2", "bob"), protocol.MediaVideo, nil, 0)
		if !errors.Is(err, ErrNoDevice) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("callee without a microphone declines", func(t *testing.T) {
		alice := connect(t, url, "alice3", granted)
		connect(t, url, "bob3", devices{missing, missing})
		if _, err := alice.phone.Call(protocol.DirectConversation("alice3", "bob3"), protocol.MediaAudio, nil, 0); err != nil {
			t.Fatal(err)
		}
		ev := alice.waitState(Ended)
		if ev.Outcome != protocol.OutcomeDeclined || ev.Call.Participant("bob3").Reason != protocol.ReasonPermissionDenied {
			t.Fatalf("ended %+v", ev.Call)
		}
	})
	t.Run("callee without a camera answers with voice", func(t *testing.T) {
		alice := connect(t, url, "alice4", granted)
		bob := connect(t, url, "bob4", devices{cam: missing})
		if _, err := alice.phone.Call(protocol.DirectConversation("alice4", "bob4"), protocol.MediaVideo, nil, 0); err != nil {
			t.Fatal(err)
		}
		if ev := bob.waitState(Incoming); !ev.VoiceOnly {
			t.Fatal("voice-only answer not offered")
		}
		if err := bob.phone.Accept(true); err != nil {
			t.Fatal(err)
		}
		alice.wait(func(ev Event) bool { return ev.Type == EventSwitched })
		bob.waitState(Active)
		bob.waitMedia(0, 20)
		if c, _ := bob.phone.Counters(); c.VideoFramesSent != 0 {
			t.Fatalf("a device without a camera sent video: %+v", c)
		}
		if _, call := alice.phone.State(); call.Media != protocol.MediaAudio {
			t.Fatalf("media %s", call.Media)
		}
		alice.phone.Hangup()
		bob.waitState(Ended)
	})
}

func TestCountdownReachesZeroAtTheDeadline(t *testing.T) {
	url := startServer(t, 5*time.Second)
	alice, bob := connect(t, url, "alice", granted), connect(t, url, "bob", granted)
	if _, err := alice.phone.Call(protocol.DirectConversation("alice", "bob"), protocol.MediaAudio, nil, 0); err != nil {
		t.Fatal(err)
	}
	// Each side counts down a second at a time from the server's deadline;
	// the server's timeout ends the call as the count reaches zero (the
	// last number shown is 0, or 1 when the end came in its last second).
	for _, d := range []*device{alice, bob} {
		var seen []int
		ev := d.wait(func(ev Event) bool {
			if ev.Type == EventCountdown {
				seen = append(seen, ev.SecondsLeft)
			}
			return ev.Type == EventState && ev.State == Ended
		})
		if ev.Outcome != protocol.OutcomeNoAnswer {
			t.Fatalf("%s: outcome %s", d.c.User(), ev.Outcome)
		}
		// A loaded machine may wake the ticker late and skip a number, but
		// the count never repeats or goes up.
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Fatalf("%s: countdown %v does not go down", d.c.User(), seen)
			}
		}
		if len(seen) < 3 || seen[0] > 5 || seen[len(seen)-1] > 1 {
			t.Fatalf("%s: countdown %v", d.c.User(), seen)
		}
	}
}

func TestHangupWhileConnecting(t *testing.T) {
	url := startServer(t, 30*time.Second)
	alice, bob := connect(t, url, "alice", granted), connect(t, url, "bob", granted)
	if _, err := alice.phone.Call(protocol.DirectConversation("alice", "bob"), protocol.MediaVideo, nil, 0); err != nil {
		t.Fatal(err)
	}
	bob.waitState(Incoming)
	if err := bob.phone.Accept(false); err != nil {
		t.Fatal(err)
	}
	bob.waitState(Connecting)
	if err := bob.phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*device{alice, bob} {
		if ev := d.waitState(Ended); ev.Outcome != protocol.OutcomeCompleted {
			t.Fatalf("%s: outcome %s", d.c.User(), ev.Outcome)
		}
	}
}
