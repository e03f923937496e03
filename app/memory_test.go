package app

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestIdleMemoryReleasesOnceSettled(t *testing.T) {
	var released atomic.Int32
	m := &idleMemory{settle: 100 * time.Millisecond, release: func() { released.Add(1) }}
	// Busy spells closer together than settle push the release back.
	for range 5 {
		m.busy()
		time.Sleep(30 * time.Millisecond)
	}
	if n := released.Load(); n != 0 {
		t.Fatalf("released %d times while still busy", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for released.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := released.Load(); n != 1 {
		t.Fatalf("released %d times after settling; want 1", n)
	}
	// Closed: busy arms nothing, and a pending release is called off.
	m.busy()
	m.close()
	m.busy()
	time.Sleep(300 * time.Millisecond)
	if n := released.Load(); n != 1 {
		t.Errorf("released %d times after close; want still 1", n)
	}
}
