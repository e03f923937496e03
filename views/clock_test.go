package views

import (
	"slices"
	"time"
)

// manualClock is a Clock that moves only when the test advances it. Its
// timers run inside Advance, on the test's goroutine, which is the UI
// goroutine of Fyne's test driver: no timer of the views runs on a
// goroutine of its own in the tests.
type manualClock struct {
	now    time.Time
	timers []*manualTimer // pending, in the order they were set
}

type manualTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (t *manualTimer) Stop() { t.stopped = true }

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time { return c.now }

func (c *manualClock) AfterFunc(d time.Duration, f func()) Timer {
	t := &manualTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock on by d. Each timer that falls due on the way
// runs with the clock at its deadline, earliest first (in the order they
// were set when due together), including timers that those set.
func (c *manualClock) Advance(d time.Duration) {
	end := c.now.Add(d)
	for {
		c.timers = slices.DeleteFunc(c.timers, func(t *manualTimer) bool { return t.stopped })
		i := -1
		for j, t := range c.timers {
			if !t.at.After(end) && (i < 0 || t.at.Before(c.timers[i].at)) {
				i = j
			}
		}
		if i < 0 {
			break
		}
		t := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		c.now = t.at
		t.f()
	}
	c.now = end
}

// Pending is how many timers are set and not yet run or stopped.
func (c *manualClock) Pending() int {
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}
