package media

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor/pkg/cc"
)

// drivenEstimator passes on the real estimate until the test drives it.
type drivenEstimator struct {
	cc.BandwidthEstimator
	mu       sync.Mutex // held while a target is handed on, so none overtakes another
	onChange func(int)
	driven   bool
}

func (d *drivenEstimator) OnTargetBitrateChange(f func(int)) {
	d.mu.Lock()
	d.onChange = f
	d.mu.Unlock()
	d.BandwidthEstimator.OnTargetBitrateChange(func(bps int) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if !d.driven {
			f(bps)
		}
	})
}

// drive replaces the estimate with bps from now on.
func (d *drivenEstimator) drive(bps int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.driven = true
	d.onChange(bps)
}

func TestVideoFollowsTheEstimate(t *testing.T) {
	var est atomic.Pointer[drivenEstimator]
	cfg := videoConfig()
	cfg.wrapEstimator = func(e cc.BandwidthEstimator) cc.BandwidthEstimator {
		d := &drivenEstimator{BandwidthEstimator: e}
		est.Store(d)
		return d
	}
	c := newCall(t, cfg, videoConfig())
	snd := c.caller.video
	if got := snd.target(); got < videoStartBitrate*9/10 || got > videoStartBitrate*11/10 {
		t.Fatalf("video starts at %d b/s, want about %d", got, videoStartBitrate)
	}
	c.accept(t)
	ceiling := c.caller.cfg.MaxVideoBitrate
	waitFor(t, "the target to rise toward the cap", func() bool { return snd.target() >= ceiling*3/4 })
	if got := snd.target(); got > ceiling {
		t.Fatalf("target %d b/s above the cap %d", got, ceiling)
	}

	est.Load().drive(300_000)
	want := 300_000 - audioShare
	if got := snd.target(); got != want {
		t.Fatalf("after the estimate fell to 300 kb/s the target is %d b/s, want %d", got, want)
	}
	snd.mu.Lock()
	enc := snd.run.enc.Controller().(*vp8Encoder)
	snd.mu.Unlock()
	if got := enc.BitRate(); got != want {
		t.Fatalf("the encoder aims at %d b/s, want %d", got, want)
	}
	sent := c.caller.Counters().VideoFramesSent
	waitFor(t, "video at the lower rate", func() bool { return c.callee.Counters().VideoFramesDecoded > sent+30 })
}

func TestFrameGovernor(t *testing.T) {
	const interval = 33 * time.Millisecond
	kept := func(g *frameGovernor, bitrate int, took time.Duration) (n int) {
		for range 100 {
			if !g.skip(bitrate) {
				n++
				g.encoded(took)
			}
		}
		return n
	}
	g := &frameGovernor{interval: interval}
	if n := kept(g, 1_000_000, interval/4); n != 100 {
		t.Fatalf("a fast encoder on a good link kept %d of 100 frames", n)
	}
	if n := kept(g, 200_000, interval/4); n != 50 {
		t.Fatalf("at 200 kb/s %d of 100 frames were kept, want half", n)
	}
	if n := kept(g, 1_000_000, interval); n == 100 || n < 50 {
		t.Fatalf("an encoder that takes the whole interval kept %d of 100 frames, want half after a few", n)
	}
	if n := kept(g, 1_000_000, interval/2); n != 50 {
		t.Fatalf("at half an interval a frame, after an overload, %d of 100 were kept, want half", n)
	}
	if n := kept(g, 1_000_000, interval/10); n == 50 || n == 100 {
		t.Fatalf("a fast encoder again kept %d of 100 frames: want all after a few", n)
	}
	if n := kept(g, 1_000_000, interval/10); n != 100 {
		t.Fatalf("a fast encoder kept %d of 100 frames", n)
	}
}
