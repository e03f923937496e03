package views

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// TestSpeakerButtonTurnsTheCallsSoundOffAndOn: the video and the voice
// screen have a Speaker button; a tap says so on the button and asks the
// app to silence the call's sound on this device, the next tap to play it
// again; the state survives a switch to voice and a new call starts with
// the sound on. The engine is not asked: its fake phone sees nothing.
func TestSpeakerButtonTurnsTheCallsSoundOffAndOn(t *testing.T) {
	s, ph, _ := newScreens(test.NewTempApp(t), "alice")
	var asked []bool
	s.OnSpeakerOff = func(off bool) { asked = append(asked, off) }
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	v := video(s)
	if v.Speaker == nil || v.Speaker.Text != "Speaker off" || v.Speaker.On || !shows(s.Window().Content(), "Speaker off") {
		t.Fatalf("video screen's speaker button: %+v; shows %q", v.Speaker, texts(s.Window().Content()))
	}
	test.Tap(v.Speaker)
	if v.Speaker.Text != "Speaker on" || !v.Speaker.On || !s.Snapshot().SpeakerOff || len(asked) != 1 || !asked[0] {
		t.Fatalf("after a tap: button %q on %v, asked %v", v.Speaker.Text, v.Speaker.On, asked)
	}

	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	voice := s.Current().(*VoiceScreen)
	if voice.Speaker.Text != "Speaker on" || !voice.Speaker.On {
		t.Fatalf("voice screen after the switch: speaker button %q on %v", voice.Speaker.Text, voice.Speaker.On)
	}
	test.Tap(voice.Speaker)
	if voice.Speaker.Text != "Speaker off" || voice.Speaker.On || len(asked) != 2 || asked[1] {
		t.Fatalf("after the second tap: button %q on %v, asked %v", voice.Speaker.Text, voice.Speaker.On, asked)
	}
	test.Tap(voice.Speaker) // off again, then the call ends
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Outcome: protocol.OutcomeCompleted, Call: c})
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Idle})
	if len(ph.calls) != 0 {
		t.Fatalf("the speaker button asked the engine: %q", <-ph.calls)
	}

	c2 := call(protocol.MediaAudio, "alice", protocol.CallActive)
	c2.ID = "c2"
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: c2})
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c2})
	if voice := s.Current().(*VoiceScreen); voice.Speaker.Text != "Speaker off" || voice.Speaker.On {
		t.Fatalf("a new call's speaker button: %q on %v", voice.Speaker.Text, voice.Speaker.On)
	}
}

// TestNoSpeakerSaidDuringTheCall: when the app finds no speaker for the
// call's sound, the voice, video and group screens say so in words while
// the call lasts, after any other status (a missing microphone); the
// ended call shows its outcome alone, and the next call starts without it.
func TestNoSpeakerSaidDuringTheCall(t *testing.T) {
	const alone, short = "No speaker found: you cannot hear the others", "No speaker found"
	s, _, clk := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	v := video(s)
	if shows(s.Window().Content(), short) {
		t.Fatal("a speaker said missing before the app said so")
	}
	clk.Advance(v.ControlsIdle)
	s.SetSpeakerMissing(true)
	if v.Status.Text != alone || !shows(s.Window().Content(), alone) || !v.ControlsShown() {
		t.Fatalf("video screen: status %q, controls shown %v", v.Status.Text, v.ControlsShown())
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventError, Err: fmt.Errorf("audio: %w", media.ErrNoMicrophone)})
	if want := "No microphone found: the others cannot hear you · " + short; v.Status.Text != want {
		t.Fatalf("with no microphone either: %q, want %q", v.Status.Text, want)
	}

	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	voice := s.Current().(*VoiceScreen)
	if !strings.HasSuffix(voice.Status.Text, " · "+short) {
		t.Fatalf("voice screen: status %q", voice.Status.Text)
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Outcome: protocol.OutcomeCompleted, Call: c})
	if voice.Status.Text != "Call ended" {
		t.Fatalf("ended call: status %q", voice.Status.Text)
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Idle})

	// A group call: the grid's status line.
	g := groupCall(protocol.MediaVideo, "bob", "carol")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: g})
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: g})
	grid, ok := s.Current().(*GroupScreen)
	if !ok || shows(s.Window().Content(), short) {
		t.Fatalf("a new call: screen %T, says %q", s.Current(), texts(s.Window().Content()))
	}
	s.SetSpeakerMissing(true)
	if grid.Status.Text != alone {
		t.Fatalf("group screen: status %q", grid.Status.Text)
	}
	s.SetSpeakerMissing(false) // a speaker was found after all
	if grid.Status.Text != "" {
		t.Fatalf("group screen with a speaker: status %q", grid.Status.Text)
	}
}
