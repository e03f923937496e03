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

func TestHandoffPerUserKeepsEachUsersNewest(t *testing.T) {
	test.NewTempApp(t)
	shown := map[string][]int{}
	h := &newestPerUser[int]{show: func(u string, v int) { shown[u] = append(shown[u], v) }}
	// While ann's hand-over is on its way, her later value replaces the
	// waiting one; bob's waits on its own.
	h.put("ann", 0)
	h.users["ann"].pending = true
	h.put("ann", 1)
	h.put("ann", 2)
	h.users["bob"] = &newestHandoff[int]{show: func(v int) { h.show("bob", v) }, pending: true}
	h.put("bob", 7)
	h.users["ann"].handOver()
	h.users["bob"].handOver()
	if !slices.Equal(shown["ann"], []int{0, 2}) || !slices.Equal(shown["bob"], []int{7}) {
		t.Fatalf("shown %v", shown)
	}
}
