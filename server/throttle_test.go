package server

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	const s = time.Second
	type step struct {
		after time.Duration // the clock moves on this much first
		give  bool          // give back instead of take
		key   string
		wait  time.Duration // what take returns
	}
	cases := []struct {
		name  string
		steps []step
		kept  []string // the keys tracked at the end, newest first
	}{
		{"burst, then one per interval", []step{
			{0, false, "a", 0}, {0, false, "a", 0}, {0, false, "a", 0},
			{0, false, "a", 10 * s},
			{4 * s, false, "a", 6 * s},
			{6 * s, false, "a", 0},
			{0, false, "a", 10 * s},
		}, []string{"a"}},
		{"keys are counted apart", []step{
			{0, false, "a", 0}, {0, false, "a", 0}, {0, false, "a", 0}, {0, false, "a", 10 * s},
			{0, false, "b", 0},
		}, []string{"b", "a"}},
		{"refused attempts cost nothing", []step{
			{0, false, "a", 0}, {0, false, "a", 0}, {0, false, "a", 0},
			{0, false, "a", 10 * s}, {0, false, "a", 10 * s},
			{10 * s, false, "a", 0},
		}, []string{"a"}},
		{"successes are given back", []step{
			{0, false, "a", 0}, {0, false, "a", 0}, {0, true, "a", 0},
			{0, false, "a", 0}, {0, true, "a", 0}, {0, false, "a", 0}, {0, true, "a", 0},
			{0, false, "a", 0},
		}, []string{"a"}},
		{"a full bucket is forgotten", []step{
			{0, false, "a", 0}, {0, true, "a", 0},
		}, nil},
		{"refilled buckets expire", []step{
			{0, false, "a", 0}, {0, false, "a", 0},
			{10 * s, false, "b", 0},
			{20 * s, false, "c", 0},
		}, []string{"c", "b"}},
		{"the oldest makes room", []step{
			{0, false, "a", 0}, {0, false, "a", 0}, {0, false, "a", 0},
			{s, false, "b", 0}, {s, false, "c", 0},
			{0, false, "d", 0},
			{0, false, "a", 0}, // forgotten: a starts afresh
		}, []string{"a", "d", "c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			th := newThrottle(3, 10*s, 3)
			th.now = func() time.Time { return now }
			for i, st := range tc.steps {
				now = now.Add(st.after)
				if st.give {
					th.give(st.key)
				} else if got := th.take(st.key); got != st.wait {
					t.Fatalf("step %d: take(%s) = %v, want %v", i, st.key, got, st.wait)
				}
			}
			var kept []string
			for el := th.recent.Front(); el != nil; el = el.Next() {
				kept = append(kept, el.Value.(*bucketEntry).key)
			}
			if !slices.Equal(kept, tc.kept) || len(th.keys) != len(kept) {
				t.Fatalf("kept %v (map of %d), want %v", kept, len(th.keys), tc.kept)
			}
		})
	}
}

// TestThrottleAtOnce: attempts sent together get no more than the burst.
func TestThrottleAtOnce(t *testing.T) {
	th := newThrottle(10, time.Hour, 100)
	var passed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if th.take("alice") == 0 {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := passed.Load(); n != 10 {
		t.Fatalf("%d attempts passed, want 10", n)
	}
}
