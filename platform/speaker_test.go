package platform

import (
	"errors"
	"testing"
)

// A Speaker opens on a machine with sound and fails with ErrNoSpeaker on
// one without (like CI's): either way it never takes the process down.
func TestOpenSpeaker(t *testing.T) {
	pulled := make(chan int, 1)
	s, err := OpenSpeaker("", func(pcm []int16) int {
		select {
		case pulled <- len(pcm):
		default:
		}
		return 0
	})
	if err != nil {
		if !errors.Is(err, ErrNoSpeaker) {
			t.Fatalf("OpenSpeaker: %v, want ErrNoSpeaker", err)
		}
		t.Logf("no speaker here: %v", err)
		return
	}
	if n := <-pulled; n <= 0 {
		t.Errorf("pull asked for %d samples", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close() // twice is fine
}

func TestOpenSpeakerUnknownDevice(t *testing.T) {
	_, err := OpenSpeaker("no such device", func([]int16) int { return 0 })
	if !errors.Is(err, ErrNoSpeaker) {
		t.Fatalf("OpenSpeaker(unknown) = %v, want ErrNoSpeaker", err)
	}
}

func TestSpeakersHideNull(t *testing.T) {
	names, err := Speakers()
	if err != nil {
		t.Logf("no audio system here: %v", err)
		return
	}
	for _, n := range names {
		if discards(n) {
			t.Errorf("Speakers lists %q, which plays nothing", n)
		}
	}
}
