package views

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/callcore"
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
