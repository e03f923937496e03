package views

import (
	"time"

	"fyne.io/fyne/v2"
)

// Clock is where views read the time and set timers, so that tests can
// drive time: the app runs on systemClock, tests on a clock they advance.
// Views use it on the UI goroutine only, and a timer's function runs
// there too, so what a timer does needs no lock.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f on the UI goroutine once d has passed, unless the
	// timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop calls the timer off: its function does not run after Stop
	// returns.
	Stop()
}

// systemClock is the wall clock; its timers reach the UI goroutine
// through fyne.Do.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer {
	t := &systemTimer{}
	t.timer = time.AfterFunc(d, func() {
		fyne.Do(func() {
			if !t.stopped {
				f()
			}
		})
	})
	return t
}

// systemTimer drops a run that was already queued for the UI goroutine
// when Stop came.
type systemTimer struct {
	timer   *time.Timer
	stopped bool // UI goroutine only
}

func (t *systemTimer) Stop() {
	t.stopped = true
	t.timer.Stop()
}

// stopTimer stops the timer *t, if any, and forgets it.
func stopTimer(t *Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}
