package media

import (
	"encoding/json"
	"image"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"parley/server/turn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// patience bounds every wait: generous, since -race on two cores is slow;
// tests wait for what they check instead of asserting how long it took.
const patience = 45 * time.Second

type signal struct {
	kind, sdp string
	candidate json.RawMessage
}

// pipe is a Signaler into a bounded channel, read by a relay goroutine
// that hands the signals to the other Session.
type pipe chan signal

func (p pipe) SendSignal(kind, sdp string, c json.RawMessage) {
	p <- signal{kind, sdp, c}
}

type call struct {
	caller, callee *Session
	offer          string
}

// newCall makes two Sessions that signal each other and starts the
// caller; nothing is sent until the test says so.
func newCall(t *testing.T, callerCfg, calleeCfg Config) *call {
	t.Helper()
	toCallee, toCaller := make(pipe, 256), make(pipe, 256)
	c := &call{}
	var err error
	if c.caller, err = New(callerCfg, toCallee); err != nil {
		t.Fatal(err)
	}
	if c.callee, err = New(calleeCfg, toCaller); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var offer atomic.Value
	relay := func(from pipe, to *Session) {
		defer wg.Done()
		for s := range from {
			if s.kind == SignalOffer {
				offer.Store(s.sdp)
			}
			if err := to.HandleSignal(s.kind, s.sdp, s.candidate); err != nil && err != ErrClosed {
				t.Errorf("%s: %v", s.kind, err)
			}
		}
	}
	wg.Add(2)
	go relay(toCallee, c.callee)
	go relay(toCaller, c.caller)
	t.Cleanup(func() {
		c.caller.Close()
		c.callee.Close()
		close(toCallee)
		close(toCaller)
		wg.Wait()
	})
	if err := c.caller.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "connected", func() bool {
		return c.caller.state() == StateConnected && c.callee.state() == StateConnected
	})
	c.offer, _ = offer.Load().(string)
	return c
}

// accept starts media both ways, as the engine does on accept.
func (c *call) accept(t *testing.T) {
	t.Helper()
	if err := c.callee.SetSending(true); err != nil {
		t.Fatal(err)
	}
	if err := c.caller.SetSending(true); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func videoConfig() Config { return Config{Video: true, TestMedia: true, LoopbackOnly: true} }
func audioConfig() Config { return Config{TestMedia: true, LoopbackOnly: true} }

func TestVideoCall(t *testing.T) {
	var frame atomic.Pointer[image.RGBA]
	calleeCfg := videoConfig()
	calleeCfg.OnFrame = func(_ string, img *image.RGBA) { frame.Store(img) }
	var stats atomic.Pointer[Stats]
	calleeCfg.OnStats = func(s Stats) { stats.Store(&s) }
	c := newCall(t, videoConfig(), calleeCfg)
	c.accept(t)
	time.Sleep(5 * time.Second) // hold the call
	waitFor(t, "60 frames and audio both ways", func() bool {
		a, b := c.caller.Counters(), c.callee.Counters()
		return a.VideoFramesDecoded >= 60 && b.VideoFramesDecoded >= 60 && a.AudioPacketsReceived > 0 && b.AudioPacketsReceived > 0
	})
	img := frame.Load()
	if img == nil || img.Rect.Dx() != 640 || img.Rect.Dy() != 480 {
		t.Fatalf("remote frame %v, want 640x480", img)
	}
	waitFor(t, "stats", func() bool { s := stats.Load(); return s != nil && s.BitrateIn > 0 })
	if s := stats.Load(); s.Quality < QualityExcellent || s.Quality > QualityGood || s.FrameRate <= 0 || s.BitrateOut <= 0 {
		t.Fatalf("stats of a loopback call: %+v", *s)
	}
	for _, s := range []*Session{c.caller, c.callee} {
		k := s.Counters()
		if k.FirstVideoFrame.IsZero() || k.FirstAudioPacket.IsZero() {
			t.Fatalf("first frame/packet times unset: %+v", k)
		}
	}
	pcm := make([]int16, opusFrame)
	waitFor(t, "decoded audio", func() bool { return c.callee.ReadAudio(pcm) > 0 })
}

// A renderer that takes its time skips pictures; decoding keeps up with
// the stream meanwhile, and the renderer gets a newer picture when done.
func TestSlowRendererDoesNotHoldUpDecoding(t *testing.T) {
	resume := make(chan struct{})
	var shown atomic.Int64
	calleeCfg := videoConfig()
	calleeCfg.OnFrame = func(string, *image.RGBA) {
		if shown.Add(1) == 1 {
			<-resume
		}
	}
	c := newCall(t, videoConfig(), calleeCfg)
	release := sync.OnceFunc(func() { close(resume) })
	defer release() // before the Session closes, which waits for the renderer
	c.accept(t)
	waitFor(t, "the first picture", func() bool { return shown.Load() == 1 })
	stuckAt := c.callee.Counters().VideoFramesDecoded
	waitFor(t, "30 frames decoded while the renderer is stuck", func() bool {
		return c.callee.Counters().VideoFramesDecoded >= stuckAt+30
	})
	release()
	waitFor(t, "the renderer to go on", func() bool { return shown.Load() >= 2 })
}

func TestAudioOnlyCall(t *testing.T) {
	c := newCall(t, audioConfig(), audioConfig())
	if strings.Contains(c.offer, "m=video") {
		t.Fatal("an audio call offered video")
	}
	c.accept(t)
	waitFor(t, "audio both ways", func() bool {
		return c.caller.Counters().AudioPacketsReceived >= 50 && c.callee.Counters().AudioPacketsReceived >= 50
	})
	for _, s := range []*Session{c.caller, c.callee} {
		if k := s.Counters(); k.VideoFramesDecoded != 0 || k.VideoFramesSent != 0 {
			t.Fatalf("video in an audio call: %+v", k)
		}
	}
}

// settled waits until f stops changing, which it must once what it counts
// has stopped at the source and the packets in flight are in.
func settled(t *testing.T, what string, f func() int64) int64 {
	t.Helper()
	last := f()
	stable := 0
	waitFor(t, what+" to stop", func() bool {
		time.Sleep(200 * time.Millisecond)
		cur := f()
		if cur == last {
			stable++
		} else {
			stable, last = 0, cur
		}
		return stable >= 5 // a second without a change
	})
	return last
}

func TestSwitchToAudio(t *testing.T) {
	c := newCall(t, videoConfig(), videoConfig())
	c.accept(t)
	waitFor(t, "video both ways", func() bool {
		return c.caller.Counters().VideoFramesDecoded >= 10 && c.callee.Counters().VideoFramesDecoded >= 10
	})
	c.caller.SwitchToAudio()
	c.callee.SwitchToAudio()
	settled(t, "caller's video", func() int64 { return c.caller.Counters().VideoFramesDecoded + c.caller.Counters().VideoFramesSent })
	settled(t, "callee's video", func() int64 { return c.callee.Counters().VideoFramesDecoded + c.callee.Counters().VideoFramesSent })
	before := c.callee.Counters().AudioPacketsReceived
	waitFor(t, "audio to go on", func() bool { return c.callee.Counters().AudioPacketsReceived > before+25 })
	if c.caller.video.run != nil || c.callee.video.run != nil {
		t.Fatal("a camera is still open after the switch to audio")
	}
}

func TestMute(t *testing.T) {
	c := newCall(t, audioConfig(), audioConfig())
	c.accept(t)
	waitFor(t, "audio", func() bool { return c.callee.Counters().AudioPacketsReceived > 10 })
	c.caller.Mute(true)
	sent := settled(t, "caller's audio", func() int64 { return c.caller.Counters().AudioFramesSent })
	got := settled(t, "callee's audio in", func() int64 { return c.callee.Counters().AudioPacketsReceived })
	back := c.caller.Counters().AudioPacketsReceived
	waitFor(t, "callee's audio to go on", func() bool { return c.caller.Counters().AudioPacketsReceived > back+25 })
	if k := c.caller.Counters(); k.AudioFramesSent != sent {
		t.Fatalf("muted caller sent %d frames", k.AudioFramesSent-sent)
	}
	if k := c.callee.Counters(); k.AudioPacketsReceived != got {
		t.Fatalf("%d packets from a muted caller", k.AudioPacketsReceived-got)
	}
	c.caller.Mute(false)
	waitFor(t, "audio after unmute", func() bool { return c.callee.Counters().AudioPacketsReceived > got+25 })
}

func TestConnectWhileRinging(t *testing.T) {
	c := newCall(t, videoConfig(), videoConfig()) // connected, callee still ringing
	if err := c.caller.Prepare(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	for _, s := range []*Session{c.caller, c.callee} {
		if k := s.Counters(); k.VideoFramesSent+k.AudioFramesSent+k.VideoFramesDecoded+k.AudioPacketsReceived != 0 {
			t.Fatalf("media before accept: %+v", k)
		}
	}
	if c.callee.audio.run != nil || c.callee.video.run != nil {
		t.Fatal("the ringing callee opened its devices")
	}
	c.accept(t)
	waitFor(t, "media after accept", func() bool {
		a, b := c.caller.Counters(), c.callee.Counters()
		return a.VideoFramesDecoded > 0 && b.VideoFramesDecoded > 0 && a.AudioPacketsReceived > 0 && b.AudioPacketsReceived > 0
	})
}

func TestRelayOnly(t *testing.T) {
	srv, err := turn.Start(turn.Config{UDPAddr: "127.0.0.1:0", Realm: "parley.test", Secret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := func(user string) Config {
		c := videoConfig()
		u, p := srv.Credentials(user, time.Hour)
		c.ICEServers = []ICEServer{{URLs: srv.URLs(), Username: u, Credential: p}}
		c.RelayOnly = true
		return c
	}
	c := newCall(t, cfg("alice"), cfg("bob"))
	c.accept(t)
	waitFor(t, "video both ways through the relay", func() bool {
		return c.caller.Counters().VideoFramesDecoded >= 60 && c.callee.Counters().VideoFramesDecoded >= 60 &&
			c.caller.Counters().AudioPacketsReceived > 0 && c.callee.Counters().AudioPacketsReceived > 0
	})
	for _, s := range []*Session{c.caller, c.callee} {
		if typ := selectedLocalType(s); typ != webrtc.ICECandidateTypeRelay {
			t.Fatalf("selected local candidate is %v, want relay", typ)
		}
	}
}

func selectedLocalType(s *Session) webrtc.ICECandidateType {
	pair, err := s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return webrtc.ICECandidateTypeUnknown
	}
	return pair.Local.Typ
}

func TestCloseReleasesEverything(t *testing.T) {
	// goleak checks the goroutines after all tests; this one also closes a
	// Session that never connected and one closed twice.
	s, err := New(videoConfig(), make(pipe, 64))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if err := s.SetSending(true); err != ErrClosed {
		t.Fatalf("SetSending after Close: %v", err)
	}
}
