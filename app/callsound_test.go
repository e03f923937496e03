package app

import (
	"slices"
	"testing"
)

// TestCallSoundSilencedWhileTheSpeakerIsOff: the playback device reads the
// call's sound through callSound; while the speaker is off it gets
// silence of the same length, and the call's sound is still read (nothing
// queues up to play later); back on, it gets the sound again.
func TestCallSoundSilencedWhileTheSpeakerIsOff(t *testing.T) {
	var c callSound
	reads := 0
	pull := c.pull(func(pcm []int16) int {
		reads++
		for i := range pcm[:3] {
			pcm[i] = int16(1000 * (i + 1))
		}
		return 3
	})
	buf := make([]int16, 4)
	if n := pull(buf); n != 3 || !slices.Equal(buf, []int16{1000, 2000, 3000, 0}) {
		t.Fatalf("speaker on: %d %v", n, buf)
	}
	c.off.Store(true) // the screens' OnSpeakerOff(true)
	if n := pull(buf); n != 3 || !slices.Equal(buf, []int16{0, 0, 0, 0}) || reads != 2 {
		t.Fatalf("speaker off: %d %v after %d reads; want 3 samples of silence, the sound read", n, buf, reads)
	}
	c.off.Store(false)
	if n := pull(buf); n != 3 || buf[0] != 1000 {
		t.Fatalf("speaker on again: %d %v", n, buf)
	}
}
