package views

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestHandoffShowsOnlyTheNewestValue(t *testing.T) {
	var shown []int
	h := &newestHandoff[int]{show: func(v int) { shown = append(shown, v) }}
	// While a hand-over is on its way, later values replace the waiting one
	// and schedule nothing more.
	h.pending = true
	h.put(1)
	h.put(2)
	h.handOver()
	if !slices.Equal(shown, []int{2}) {
		t.Fatalf("shown %v", shown)
	}

	test.NewTempApp(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.put(3)
	}()
	<-done
	if !slices.Equal(shown, []int{2, 3}) {
		t.Fatalf("shown %v after a put from another goroutine", shown)
	}
}
