package app

import (
	"sync"
	"sync/atomic"
)

// liveDevice is a device (a camera preview, a microphone level, a speaker)
// opened and closed off the caller's goroutine, which is the UI's or the
// call engine's event delivery and must not wait for a driver. Operations
// run one at a time, each on a goroutine that the caller's WaitGroup owns
// and that ends with the operation. The latest request wins whatever order
// those goroutines run in: a quick on, off, on ends on.
type liveDevice struct {
	mu   sync.Mutex // serialises opening and closing
	stop func()     // closes what is open; nil when nothing is
	gen  atomic.Int64
}

// restart closes the device and opens it anew with open (a change of
// camera), telling opened the outcome unless a later request superseded
// it.
func (l *liveDevice) restart(wg *sync.WaitGroup, open func() (func(), error), opened func(error)) {
	l.request(wg, true, open, opened)
}

// ensure opens the device with open unless it is open already: asking
// twice opens once.
func (l *liveDevice) ensure(wg *sync.WaitGroup, open func() (func(), error), opened func(error)) {
	l.request(wg, false, open, opened)
}

// halt closes the device.
func (l *liveDevice) halt(wg *sync.WaitGroup) { l.request(wg, true, nil, nil) }

// request closes what is open if reopen is set, then opens with open
// unless open is nil or the device is still open. Only the latest request
// acts: one that a later request superseded does nothing, since the later
// one, before or after it, sets the device as it should be.
func (l *liveDevice) request(wg *sync.WaitGroup, reopen bool, open func() (func(), error), opened func(error)) {
	gen := l.gen.Add(1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.gen.Load() != gen {
			return
		}
		if reopen {
			l.stopLocked()
		}
		if open == nil || l.stop != nil {
			return
		}
		stop, err := open()
		if l.gen.Load() != gen {
			// Superseded while opening: close it again, and let the
			// later request, waiting for the lock, decide.
			if stop != nil {
				stop()
			}
			return
		}
		l.stop = stop
		opened(err)
	}()
}

func (l *liveDevice) stopLocked() {
	if l.stop != nil {
		l.stop()
		l.stop = nil
	}
}
