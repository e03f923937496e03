package media

import (
	"slices"
	"sync"

	"parley/media/playout"
)

// mixer plays every received voice at once: each remote audio track has
// a playout buffer of its own (one in a direct call, one per other
// participant through the SFU), and a read sums them.
type mixer struct {
	mu      sync.Mutex
	buffers []*playout.Buffer
	scratch []int16
}

func (m *mixer) add() *playout.Buffer {
	b := playout.New(opusRate)
	m.mu.Lock()
	m.buffers = append(m.buffers, b)
	m.mu.Unlock()
	return b
}

func (m *mixer) remove(b *playout.Buffer) {
	m.mu.Lock()
	m.buffers = slices.DeleteFunc(m.buffers, func(x *playout.Buffer) bool { return x == b })
	m.mu.Unlock()
}

// read fills dst with the sum of every buffer, clipped, and returns how
// many samples of it hold sound (the longest run any buffer gave).
func (m *mixer) read(dst []int16) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch len(m.buffers) {
	case 0:
		clear(dst)
		return 0
	case 1:
		return m.buffers[0].Read(dst)
	}
	if cap(m.scratch) < len(dst) {
		m.scratch = make([]int16, len(dst))
	}
	one := m.scratch[:len(dst)]
	real := m.buffers[0].Read(dst)
	for _, b := range m.buffers[1:] {
		real = max(real, b.Read(one))
		for i, v := range one {
			dst[i] = clip(int32(dst[i]) + int32(v))
		}
	}
	return real
}

func clip(v int32) int16 {
	return int16(min(max(v, -32768), 32767))
}
