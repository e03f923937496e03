// Package playout is the jitter buffer between a call's audio receiver and
// the playback device: the receiver pushes decoded frames as they arrive
// and the device's callback reads at its own steady pace.
package playout

import (
	"sync"
	"time"
)

const (
	// targetDelay is how much decoded audio the buffer gathers before it
	// plays, at the start and after running dry: two packets' worth, so
	// that a packet a little late does not cut the sound (every gap heard
	// as a crackle) at the cost of 40 ms of delay.
	targetDelay = 40 * time.Millisecond
	// maxDelay bounds the delay: audio piled up beyond it (a burst after
	// a stall, or a sender's clock running fast) is cut back to the
	// target, oldest first.
	maxDelay = 120 * time.Millisecond
	// fadeTime is the length of the ramp where the sound stops or starts,
	// so that a gap does not click.
	fadeTime = 2500 * time.Microsecond
)

// Buffer holds mono PCM for playback.
type Buffer struct {
	target int // samples of targetDelay
	fade   int // samples of fadeTime

	mu      sync.Mutex
	buf     []int16 // a ring of maxDelay
	head    int     // index of the oldest sample
	n       int     // samples held
	playing bool    // false: gathering target first
}

// New makes a Buffer for PCM of sampleRate samples a second.
func New(sampleRate int) *Buffer {
	samples := func(d time.Duration) int { return int(int64(sampleRate) * int64(d) / int64(time.Second)) }
	return &Buffer{target: samples(targetDelay), fade: samples(fadeTime), buf: make([]int16, samples(maxDelay))}
}

// Push adds decoded samples after those held.
func (p *Buffer) Push(pcm []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(pcm) > len(p.buf) {
		pcm = pcm[len(pcm)-len(p.buf):]
	}
	if p.n+len(pcm) > len(p.buf) {
		// Back to the target delay, this packet included.
		p.drop(p.n - max(p.target-len(pcm), 0))
	}
	tail := (p.head + p.n) % len(p.buf)
	c := copy(p.buf[tail:], pcm)
	copy(p.buf, pcm[c:])
	p.n += len(pcm)
}

// drop forgets the oldest k samples.
func (p *Buffer) drop(k int) {
	k = min(k, p.n)
	p.head = (p.head + k) % len(p.buf)
	p.n -= k
}

// Read fills dst with the oldest samples and silence after them, and says
// how many were real. Sound fades in where it starts and out where the
// buffer runs dry.
func (p *Buffer) Read(dst []int16) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.playing && p.n < p.target {
		clear(dst)
		return 0
	}
	starting := !p.playing
	p.playing = true
	n := min(len(dst), p.n)
	c := copy(dst[:n], p.buf[p.head:])
	copy(dst[c:n], p.buf)
	clear(dst[n:])
	p.drop(n)
	if starting {
		fade(dst[:min(n, p.fade)], true)
	}
	if n < len(dst) { // ran dry: gather again
		fade(dst[max(0, n-p.fade):n], false)
		p.playing = false
	}
	return n
}

// fade ramps s up from silence, or down to it.
func fade(s []int16, in bool) {
	for i := range s {
		k := i + 1
		if !in {
			k = len(s) - i
		}
		s[i] = int16(int(s[i]) * k / (len(s) + 1))
	}
}
