package app

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// The test runs in a synctest bubble: its clock moves only when every
// goroutine of the test waits, so a busy machine cannot stretch the gaps
// between busy spells past settle.
func TestIdleMemoryReleasesOnceSettled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const settle = 100 * time.Millisecond
		var released atomic.Int32
		m := &idleMemory{settle: settle, release: func() { released.Add(1) }}
		// Busy spells closer together than settle push the release back.
		for range 5 {
			m.busy()
			time.Sleep(settle / 2)
		}
		synctest.Wait()
		if n := released.Load(); n != 0 {
			t.Fatalf("released %d times while still busy", n)
		}
		time.Sleep(settle)
		synctest.Wait()
		if n := released.Load(); n != 1 {
			t.Fatalf("released %d times after settling; want 1", n)
		}
		// Closed: busy arms nothing, and a pending release is called off.
		m.busy()
		m.close()
		m.busy()
		time.Sleep(2 * settle)
		synctest.Wait()
		if n := released.Load(); n != 1 {
			t.Errorf("released %d times after close; want still 1", n)
		}
	})
}
