package media

import "sync"

// playoutCap bounds the decoded audio held for the playback device: 200 ms
// of 48 kHz mono. Beyond it the oldest samples go, so that a stalled or
// absent player never adds latency or memory.
const playoutCap = opusRate / 5

// playout is the jitter buffer between the audio receiver and the playback
// device: the receiver pushes decoded frames as they arrive and the
// device's callback reads at its own steady pace.
type playout struct {
	mu   sync.Mutex
	buf  []int16 // a ring of playoutCap samples
	head int     // index of the oldest sample
	n    int     // samples held
}

func newPlayout() *playout { return &playout{buf: make([]int16, playoutCap)} }

func (p *playout) push(pcm []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(pcm) > len(p.buf) {
		pcm = pcm[len(pcm)-len(p.buf):]
	}
	if over := p.n + len(pcm) - len(p.buf); over > 0 {
		p.head = (p.head + over) % len(p.buf)
		p.n -= over
	}
	tail := (p.head + p.n) % len(p.buf)
	c := copy(p.buf[tail:], pcm)
	copy(p.buf, pcm[c:])
	p.n += len(pcm)
}

// read fills dst with the oldest samples and silence after them, and says
// how many were real.
func (p *playout) read(dst []int16) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := min(len(dst), p.n)
	c := copy(dst[:n], p.buf[p.head:])
	copy(dst[c:n], p.buf)
	clear(dst[n:])
	p.head = (p.head + n) % len(p.buf)
	p.n -= n
	return n
}
