package app

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"parley/callcore"
	"parley/platform"
	"parley/protocol"
	"parley/views"
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

// TestNoSpeakerShownOnTheCallScreen: the call's sound opens the speaker
// when media flows; on a machine without one (the platform answers
// ErrNoSpeaker) the call screen says so in words, and on one with a
// speaker it says nothing of it. The speaker closes when the call is over.
func TestNoSpeakerShownOnTheCallScreen(t *testing.T) {
	const notice = "No speaker found: you cannot hear the others"
	for _, tc := range []struct {
		name    string
		missing bool
	}{{"without a speaker", true}, {"with a speaker", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ui := newUILoop(t)
			a := New(ui, TestMedia(true))
			s := testSession(t, ui, a)
			var opened, closed atomic.Int32
			a.openSpeaker = func(device string, pull func([]int16) int) (func(), error) {
				opened.Add(1)
				if tc.missing {
					return nil, fmt.Errorf("%w (no backend)", platform.ErrNoSpeaker)
				}
				return func() { closed.Add(1) }, nil
			}
			c := protocol.Call{ID: "c1", Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaAudio,
				Caller: "alice", State: protocol.CallActive, Participants: []protocol.Participant{
					{User: "alice", State: protocol.StateJoined}, {User: "bob", State: protocol.StateJoined}}}
			s.callEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: c})
			s.callEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
			var voice *views.VoiceScreen
			ui.eventually(t, "the voice screen, the speaker tried", func() bool {
				voice, _ = s.screens.Current().(*views.VoiceScreen)
				return voice != nil && opened.Load() == 1
			})
			s.devices.Wait()
			ui.run()
			if got := voice.Status.Text; (got == notice) != tc.missing || (!tc.missing && got != "") {
				t.Fatalf("status %q", got)
			}
			s.callEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c, Outcome: protocol.OutcomeCompleted})
			s.callEvent(callcore.Event{Type: callcore.EventState, State: callcore.Idle})
			s.devices.Wait()
			ui.run()
			if voice.Status.Text != "Call ended" {
				t.Fatalf("ended call: status %q", voice.Status.Text)
			}
			if want := int32(map[bool]int{true: 0, false: 1}[tc.missing]); closed.Load() != want {
				t.Fatalf("speaker closed %d times, want %d", closed.Load(), want)
			}
		})
	}
}
