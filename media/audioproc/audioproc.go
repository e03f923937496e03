// Package audioproc is the send path's audio processing chain: echo
// cancellation (AEC), noise suppression (NS), automatic gain control
// (AGC) and a voice-activity flag, for 48 kHz mono int16 audio in 10 ms
// frames of 480 samples. Two C libraries from Debian sit behind one
// interface: WebRTC's AudioProcessing (libwebrtc-audio-processing 0.3,
// LibWebRTC, the default) and speexdsp (LibSpeex).
//
// # Feeding it
//
// Far gets every frame the speaker plays, in playout order, after mixing:
// in media, what mixer.read hands the playback device. Near gets every
// frame the microphone captured, in capture order, and writes the frame to
// send. Far only copies the frame into a queue (it never blocks on the
// library, so the playback callback stays short); Near first gives the
// library every queued far frame, then processes the microphone frame. So
// all library calls happen on the capture goroutine, under one lock.
//
// # Delay and clocks
//
// The echo reaches the microphone some time after Far saw it: the playback
// device's buffer, the air, and the capture device's buffer. Nobody has to
// tell the chain this delay. For LibWebRTC it is found in two steps: a
// coarse estimate here (delay.go: the level envelopes of far and near
// correlated over the last 1.5 s at every lag up to 400 ms, 10 ms steps)
// holds the far end back so that about 80 ms are left, and the library's
// own estimator (its "delay-agnostic" mode, with the extended filter),
// which follows only about 100 ms around where it started, does the fine
// alignment and tracks changes. SetDelay hands the devices' reported
// latencies as the starting point until the coarse estimate has locked.
// LibSpeex has no estimator: its adaptive filter is SpeexTail long
// (300 ms), which covers the delay and the room's reverberation, and it
// re-adapts when the delay moves.
//
// Capture and playback need not run on one clock. media plays and
// captures through two devices; their clocks drift apart by up to a few
// hundred parts per million, which shows as a slowly growing or shrinking
// delay: LibWebRTC's estimator follows it, and the coarse estimate moves
// the far end once it has moved two frames. The far queue holds at most
// maxQueued frames (200 ms); beyond that the oldest are dropped, which
// re-aligns after a stall.
//
// # Off means off
//
// Each of Options' switches turns one stage off. With all three off, Near
// copies the microphone frame to the output unchanged (bit-exact); the
// library still runs, on a copy, for the voice flag.
package audioproc

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

const (
	// Rate is the sample rate of every frame, in Hz.
	Rate = 48000
	// FrameSize is the number of samples in a frame: 10 ms, mono.
	FrameSize = 480
	// SpeexTail is LibSpeex's echo tail: the longest delay plus
	// reverberation it cancels.
	SpeexTail = 300 * time.Millisecond
	// maxQueued is how many far frames wait for Near at most.
	maxQueued = 20
)

// Lib names the library behind a Processor.
type Lib string

const (
	LibWebRTC Lib = "webrtc" // WebRTC's AudioProcessing 0.3; the default
	LibSpeex  Lib = "speex"  // speexdsp 1.2
)

// Options switches the stages. The zero value switches everything off.
type Options struct {
	EchoCancel    bool
	NoiseSuppress bool
	AutoGain      bool
}

// On is every stage on, the default of calls.
var On = Options{EchoCancel: true, NoiseSuppress: true, AutoGain: true}

func (o Options) none() bool { return !o.EchoCancel && !o.NoiseSuppress && !o.AutoGain }

// Processor is the chain. Far and Near may be called from different
// goroutines; all methods are safe for concurrent use. Frames must hold
// exactly FrameSize samples (other lengths panic).
type Processor interface {
	// Far takes a frame the speaker plays, in playout order.
	Far(frame []int16)
	// Near processes a captured frame into out (which may be frame
	// itself) and tells whether it holds voice.
	Near(frame, out []int16) (voice bool)
	// SetOptions switches stages on or off from the next Near on.
	SetOptions(Options)
	// SetDelay hints the playout plus capture latency the devices report
	// (0: unknown). LibWebRTC starts its estimate from it; LibSpeex
	// ignores it.
	SetDelay(time.Duration)
	// Close frees the library's state. Far and Near must not be called
	// after it.
	Close() error
}

// engine is one library, called under chain.mu only.
type engine interface {
	far(frame []int16)
	// near processes frame in place.
	near(frame []int16, delayMs int) (voice bool)
	set(Options) error
	close()
}

// New makes a chain on lib ("" is LibWebRTC) with opts.
func New(lib Lib, opts Options) (Processor, error) {
	var e engine
	var err error
	switch lib {
	case LibWebRTC, "":
		e, err = newWebRTC()
	case LibSpeex:
		e, err = newSpeex()
	default:
		return nil, fmt.Errorf("audioproc: unknown library %q", lib)
	}
	if err != nil {
		return nil, err
	}
	if err := e.set(opts); err != nil {
		e.close()
		return nil, err
	}
	return &chain{e: e, opts: opts, est: newDelayEst()}, nil
}

type chain struct {
	qmu    sync.Mutex // the far queue
	queue  frameQueue
	mu     sync.Mutex // the engine and what follows
	e      engine
	opts   Options
	delay  int
	est    *delayEst
	line   [estMaxLag + 1][]int16 // the last far frames, by far frame index
	lineN  int
	far    [][]int16
	work   []int16
	closed bool
}

var errClosed = errors.New("audioproc: closed")

func check(frame []int16) {
	if len(frame) != FrameSize {
		panic(fmt.Sprintf("audioproc: frame of %d samples, want %d", len(frame), FrameSize))
	}
}

func (c *chain) Far(frame []int16) {
	check(frame)
	c.qmu.Lock()
	c.queue.push(frame)
	c.qmu.Unlock()
}

func (c *chain) Near(frame, out []int16) bool {
	check(frame)
	check(out)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		panic(errClosed)
	}
	c.qmu.Lock()
	c.far = c.queue.takeAll(c.far[:0])
	c.qmu.Unlock()
	for _, f := range c.far {
		c.est.addFar(f)
		c.line[c.lineN%len(c.line)] = append(c.line[c.lineN%len(c.line)][:0], f...)
		c.lineN++
		if k := c.lineN - 1 - c.shift(); k >= 0 {
			c.e.far(c.line[k%len(c.line)])
		}
	}
	c.qmu.Lock()
	c.queue.recycle(c.far...)
	c.qmu.Unlock()
	clear(c.far)

	c.est.addNear(frame)
	delay := max(c.delay-10*c.shift(), 0)
	if c.opts.none() {
		if c.work == nil {
			c.work = make([]int16, FrameSize)
		}
		copy(c.work, frame)
		copy(out, frame)
		return c.e.near(c.work, delay)
	}
	copy(out, frame)
	return c.e.near(out, delay)
}

func (c *chain) SetOptions(o Options) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || o == c.opts {
		return
	}
	if err := c.e.set(o); err == nil {
		c.opts = o
	}
}

func (c *chain) SetDelay(d time.Duration) {
	c.mu.Lock()
	c.delay = int(min(max(d.Milliseconds(), 0), 500))
	c.mu.Unlock()
}

func (c *chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.e.close()
	return nil
}

// shift is how many frames the far end is held back: the coarse
// estimate's for LibWebRTC, none for LibSpeex, whose tail covers the
// delay (and whose filter would re-adapt at every shift).
func (c *chain) shift() int {
	if _, ok := c.e.(*webrtcEngine); ok {
		return c.est.shift()
	}
	return 0
}
