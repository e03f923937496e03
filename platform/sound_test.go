package platform

import (
	"slices"
	"testing"
)

func TestCursorLoops(t *testing.T) {
	c := &cursor{pcm: []int16{1, 2, 3}, loop: true, ended: make(chan struct{})}
	out := make([]int16, 7)
	if n := c.read(out); n != 7 || !slices.Equal(out, []int16{1, 2, 3, 1, 2, 3, 1}) {
		t.Fatalf("read = %d %v", n, out)
	}
	if n := c.read(out[:2]); n != 2 || !slices.Equal(out[:2], []int16{2, 3}) {
		t.Fatalf("read on = %d %v", n, out[:2])
	}
}

func TestCursorOnceEnds(t *testing.T) {
	c := &cursor{pcm: []int16{1, 2, 3}, ended: make(chan struct{})}
	out := make([]int16, 2)
	if n := c.read(out); n != 2 {
		t.Fatalf("first read = %d", n)
	}
	if n := c.read(out); n != 1 || out[0] != 3 {
		t.Fatalf("second read = %d %v", n, out)
	}
	select {
	case <-c.ended:
		t.Fatal("ended before the sound did")
	default:
	}
	if n := c.read(out); n != 0 {
		t.Fatalf("read past the end = %d", n)
	}
	<-c.ended
	c.read(out) // ending twice does not close twice
}

func TestSpeakerFillPadsWithSilence(t *testing.T) {
	s := &Speaker{pull: func(pcm []int16) int { pcm[0] = -2; return 1 }}
	out := []byte{9, 9, 9, 9, 9, 9}
	s.fill(out, nil, 3)
	if !slices.Equal(out, []byte{0xfe, 0xff, 0, 0, 0, 0}) {
		t.Fatalf("fill wrote % x", out)
	}
	s.pull = func([]int16) int { return 99 } // a source that overcounts
	s.fill(out, nil, 3)
}
