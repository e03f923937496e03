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

// newestPerUser is a newestHandoff per user: each user's newest value
// waits and is handed over on its own, so that one user's values never
// replace another's, and at most one fyne.Do per user is on its way.
type newestPerUser[T any] struct {
	show func(user string, v T) // on the UI goroutine

	mu    sync.Mutex
	users map[string]*newestHandoff[T]
}

// put makes v the value to show next for user; any goroutine.
func (h *newestPerUser[T]) put(user string, v T) {
	h.mu.Lock()
	u := h.users[user]
	if u == nil {
		u = &newestHandoff[T]{show: func(v T) { h.show(user, v) }}
		if h.users == nil {
			h.users = map[string]*newestHandoff[T]{}
		}
		h.users[user] = u
	}
	h.mu.Unlock()
	u.put(v)
}
