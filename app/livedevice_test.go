package app

import (
	"sync"
	"sync/atomic"
	"testing"
)

// A quick on, off, on ends on, whatever order the goroutines run in;
// asking twice for on opens once; and whatever opened is closed again.
func TestLiveDeviceLatestRequestWins(t *testing.T) {
	var opened, closed atomic.Int64
	open := func() (func(), error) {
		opened.Add(1)
		return func() { closed.Add(1) }, nil
	}
	var wg sync.WaitGroup
	for range 200 {
		var l liveDevice
		l.ensure(&wg, open, func(error) {})
		l.halt(&wg)
		l.ensure(&wg, open, func(error) {})
		wg.Wait()
		if l.stop == nil {
			t.Fatal("closed after on, off, on")
		}
		l.halt(&wg)
		wg.Wait()
		if l.stop != nil {
			t.Fatal("open after off")
		}
	}
	if opened.Load() != closed.Load() {
		t.Fatalf("%d opened, %d closed", opened.Load(), closed.Load())
	}

	var l liveDevice
	before := opened.Load()
	l.ensure(&wg, open, func(error) {})
	wg.Wait()
	l.ensure(&wg, open, func(error) {})
	wg.Wait()
	if n := opened.Load() - before; n != 1 {
		t.Fatalf("on twice opened %d times", n)
	}
	l.halt(&wg)
	wg.Wait()
}
