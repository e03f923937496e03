package app

import (
	"sync"
	"time"
)

// idleMemory gives the memory that a burst of work left behind back to
// the operating system once the app has settled: starting up parses the
// fonts and builds the windows, a video call decodes frames. Go keeps
// freed heap for reuse, up to about twice the live heap, and returns it
// only slowly; an app that mostly waits in the tray for the next call has
// no use for it. Each busy spell re-arms one timer; close stops it.
type idleMemory struct {
	settle  time.Duration // quiet time before release runs
	release func()        // debug.FreeOSMemory

	mu     sync.Mutex
	timer  *time.Timer
	closed bool
}

// busy says work just happened: release runs settle after the last busy.
func (m *idleMemory) busy() {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
	case m.timer == nil:
		m.timer = time.AfterFunc(m.settle, m.release)
	default:
		m.timer.Reset(m.settle)
	}
}

func (m *idleMemory) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.timer != nil {
		m.timer.Stop()
	}
}
