package app

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// uiLoop is Fyne's test app with a UI goroutine. The test driver runs
// fyne.Do at once on the goroutine that calls it, so a device's goroutine
// would change the views while the test reads them; here fyne.Do queues,
// and the test's goroutine runs the queue, as the real event loop does.
type uiLoop struct {
	fyne.App
	driver *uiLoopDriver
}

type uiLoopDriver struct {
	fyne.Driver
	mu    sync.Mutex
	queue []func()
}

// newUILoop makes a test app with a UI loop the current app.
func newUILoop(t *testing.T) *uiLoop {
	a := test.NewTempApp(t)
	ui := &uiLoop{App: a, driver: &uiLoopDriver{Driver: a.Driver()}}
	fyne.SetCurrentApp(ui)
	return ui
}

func (ui *uiLoop) Driver() fyne.Driver { return ui.driver }

// DoFromGoroutine queues f for the test's goroutine.
func (d *uiLoopDriver) DoFromGoroutine(f func(), wait bool) {
	done := make(chan struct{})
	d.mu.Lock()
	d.queue = append(d.queue, func() { f(); close(done) })
	d.mu.Unlock()
	if wait {
		<-done
	}
}

// run runs what is queued for the UI, on the caller's goroutine.
func (ui *uiLoop) run() {
	for {
		d := ui.driver
		d.mu.Lock()
		queue := d.queue
		d.queue = nil
		d.mu.Unlock()
		if len(queue) == 0 {
			return
		}
		for _, f := range queue {
			f()
		}
	}
}

// eventually runs the UI and polls cond until it holds, with a generous
// deadline: the test sources run on the clock, the assertions do not.
func (ui *uiLoop) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		ui.run()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
