package server

import (
	"container/list"
	"sync"
	"time"
)

// throttle limits failed attempts per key (a user name, a client address)
// with a token bucket for each: burst attempts in a row, then one more per
// interval. An attempt takes its token before it is tried, so that a
// hundred guesses sent at once cannot all start before the first has
// failed; one that succeeds gives it back.
//
// Memory is bounded: only keys with tokens missing are kept, at most size
// of them. An entry goes once its bucket would be full again, or, when the
// table is full, the entry whose last attempt is the oldest makes room.
// (Evicting forgets failures; that is the price of the bound.)
type throttle struct {
	burst    float64
	interval time.Duration
	size     int
	now      func() time.Time // a seam for tests

	mu     sync.Mutex
	keys   map[string]*list.Element // of *bucketEntry
	recent list.List                // newest attempt first
}

type bucketEntry struct {
	key    string
	tokens float64 // as of at
	at     time.Time
}

func newThrottle(burst int, interval time.Duration, size int) *throttle {
	return &throttle{burst: float64(burst), interval: interval, size: size,
		now: time.Now, keys: make(map[string]*list.Element)}
}

// take takes an attempt for key. It returns 0 when the attempt may go
// ahead, else how long until it may.
func (t *throttle) take(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.expire(now)
	el := t.keys[key]
	if el == nil {
		if len(t.keys) >= t.size {
			t.remove(t.recent.Back())
		}
		el = t.recent.PushFront(&bucketEntry{key: key, tokens: t.burst, at: now})
		t.keys[key] = el
	}
	e := el.Value.(*bucketEntry)
	tokens := t.level(e, now)
	if tokens < 1 {
		return time.Duration((1 - tokens) * float64(t.interval))
	}
	e.tokens, e.at = tokens-1, now
	t.recent.MoveToFront(el)
	return 0
}

// give gives back the token of an attempt by key that succeeded.
func (t *throttle) give(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el := t.keys[key]
	if el == nil {
		return
	}
	now := t.now()
	e := el.Value.(*bucketEntry)
	if e.tokens, e.at = t.level(e, now)+1, now; e.tokens >= t.burst {
		t.remove(el)
		return
	}
	t.recent.MoveToFront(el)
}

// level is how many tokens e has at now.
func (t *throttle) level(e *bucketEntry, now time.Time) float64 {
	return min(t.burst, e.tokens+float64(now.Sub(e.at))/float64(t.interval))
}

// expire drops the entries that are full again. Entries are in the order
// of their last attempt, and none takes longer than burst intervals to
// fill, so the oldest are looked at until one is too recent.
func (t *throttle) expire(now time.Time) {
	full := time.Duration(t.burst * float64(t.interval))
	for el := t.recent.Back(); el != nil && now.Sub(el.Value.(*bucketEntry).at) >= full; el = t.recent.Back() {
		t.remove(el)
	}
}

func (t *throttle) remove(el *list.Element) {
	delete(t.keys, el.Value.(*bucketEntry).key)
	t.recent.Remove(el)
}
