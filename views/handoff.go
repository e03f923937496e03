package views

import (
	"sync"

	"fyne.io/fyne/v2"
)

// newestHandoff carries a stream of values from any goroutine to show, on
// the UI goroutine. The newest value waits and one fyne.Do at a time hands
// it over, so a slow UI skips values instead of queuing them.
type newestHandoff[T any] struct {
	show func(T) // on the UI goroutine

	mu      sync.Mutex
	value   T
	pending bool // a fyne.Do is on its way to hand value over
}

// put makes v the value to show next; any goroutine.
func (h *newestHandoff[T]) put(v T) {
	h.mu.Lock()
	h.value = v
	schedule := !h.pending
	h.pending = true
	h.mu.Unlock()
	if schedule {
		fyne.Do(h.handOver)
	}
}

func (h *newestHandoff[T]) handOver() {
	h.mu.Lock()
	v := h.value
	h.pending = false
	h.mu.Unlock()
	h.show(v)
}
