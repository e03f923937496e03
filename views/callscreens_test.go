package views

import (
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

func call(media string, caller string, state string) protocol.Call {
	return protocol.Call{ID: "c1", Conversation: protocol.DirectConversation("alice", "bob"), Media: media, Caller: caller,
		State: state, Participants: []protocol.Participant{{User: caller, State: protocol.StateJoined},
			{User: map[string]string{"alice": "bob", "bob": "alice"}[caller], State: protocol.StateRinging}}}
}

// newScreens are me's call screens on a, on a manual clock.
func newScreens(a fyne.App, me string) (*CallScreens, *fakePhone, *manualClock) {
	ph, clk := newFakePhone(), newManualClock()
	s := NewCallScreens(a, me, ph)
	s.Clock = clk
	return s, ph, clk
}

func TestInviteWindowCountsDownAndAnswers(t *testing.T) {
	s, ph, _ := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "bob", protocol.CallRinging)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, Call: c})
	iw := s.Invite()
	if iw == nil || s.Current() != nil {
		t.Fatalf("invite %v, call window %T", iw, s.Current())
	}
	content := iw.Window.Content()
	for _, want := range []string{"bob", "bob invites you to a video call", "Accept", "Decline", "Answer with voice"} {
		if !shows(content, want) {
			t.Errorf("invite window lacks %q: %q", want, texts(content))
		}
	}
	for _, secs := range []int{30, 29, 28} {
		s.HandleEvent(callcore.Event{Type: callcore.EventCountdown, SecondsLeft: secs, Call: c})
		if iw.Countdown.Text != Tf("%d s", secs) {
			t.Fatalf("countdown shows %q at %d", iw.Countdown.Text, secs)
		}
	}
	test.Tap(iw.Accept)
	ph.expect(t, "accept full")
	test.Tap(iw.Voice)
	ph.expect(t, "accept voice")
	test.Tap(iw.Decline)
	ph.expect(t, "decline")
	iw.Window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	ph.expect(t, "accept full")
	iw.Window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	ph.expect(t, "decline")

	// Accepted: the invite window closes and the video screen shows.
	c.State = protocol.CallActive
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Connecting, Call: c})
	if _, ok := s.Current().(*VideoScreen); s.Invite() != nil || !ok {
		t.Fatalf("after accept: screen %T", s.Current())
	}
}

func TestInviteVoiceOnlyWithoutCamera(t *testing.T) {
	s, ph, _ := newScreens(test.NewTempApp(t), "alice")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, VoiceOnly: true,
		Call: call(protocol.MediaVideo, "bob", protocol.CallRinging)})
	iw := s.Invite()
	if iw.Accept != nil {
		t.Fatal("video accept offered without a camera")
	}
	iw.Window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	ph.expect(t, "accept voice")
}

// TestCallScreensEndTheirTimers follows a call's timers: the call timer
// ticks while the call is active, the video controls' hide goes with the
// video screen, and the ended call's window closes once it has shown how
// the call ended, unless the next call took the window.
func TestCallScreensEndTheirTimers(t *testing.T) {
	s, _, clk := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	state := func(st callcore.State, c protocol.Call) {
		s.HandleEvent(callcore.Event{Type: callcore.EventState, State: st, Call: c, Outcome: protocol.OutcomeCompleted})
	}
	state(callcore.Active, c)
	if n := clk.Pending(); n != 2 {
		t.Fatalf("%d timers pending in a video call, want the call timer's tick and the controls' hide", n)
	}
	// The call timer moves as each second of the call passes.
	clk.Advance(time.Second - time.Millisecond)
	if video(s).Timer.Text != "00:00" {
		t.Fatalf("timer %q before the first second", video(s).Timer.Text)
	}
	clk.Advance(time.Millisecond)
	if video(s).Timer.Text != "00:01" {
		t.Fatalf("timer %q at the first second", video(s).Timer.Text)
	}
	clk.Advance(time.Minute)
	if video(s).Timer.Text != "01:01" {
		t.Fatalf("timer %q after a minute more", video(s).Timer.Text)
	}
	video(s).ShowControls()
	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	if n := clk.Pending(); n != 1 {
		t.Fatalf("%d timers pending in a voice call, want the call timer's tick", n)
	}
	state(callcore.Ended, c)
	if n := clk.Pending(); n != 1 {
		t.Fatalf("%d timers pending after the call, want the close of its window", n)
	}
	clk.Advance(s.EndLinger - time.Millisecond)
	if !shows(s.Window().Content(), "Call ended") {
		t.Fatalf("the ended call shows %q", texts(s.Window().Content()))
	}
	clk.Advance(time.Millisecond)
	if shows(s.Window().Content(), "Call ended") || s.Current() != nil {
		t.Fatal("the ended call's window stays")
	}
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers outlive the call", n)
	}

	// The next call, placed while the last one's window shows how it
	// ended, keeps the window.
	c.Media = protocol.MediaVideo
	state(callcore.Active, c)
	state(callcore.Ended, c)
	state(callcore.Outgoing, call(protocol.MediaVideo, "alice", protocol.CallRinging))
	clk.Advance(s.EndLinger)
	if _, ok := s.Current().(*OutgoingScreen); !ok || !shows(s.Window().Content(), "Waiting for answer…") {
		t.Fatalf("the next call's window shows %q", texts(s.Window().Content()))
	}
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers pending while calling, want none", n)
	}
}

func TestVideoFramesReachTheSurface(t *testing.T) {
	test.NewTempApp(t)
	v := NewVideoSurface()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			v.Push(image.NewRGBA(image.Rect(0, 0, 64, 48)))
		}
	}()
	<-done
	if v.Frames() == 0 {
		t.Fatal("no frame shown")
	}
	if v.Image.ScaleMode != canvas.ImageScaleFastest {
		t.Fatal("video scaled smoothly")
	}
}

// video is the video screen that s shows.
func video(s *CallScreens) *VideoScreen { return s.Current().(*VideoScreen) }

func TestCallScreensFollowTheEngine(t *testing.T) {
	s, ph, clk := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "alice", protocol.CallRinging)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: c})
	out, ok := s.Current().(*OutgoingScreen)
	if !ok {
		t.Fatalf("screen %T", s.Current())
	}
	if !shows(s.Window().Content(), "Waiting for answer…") || !shows(s.Window().Content(), "bob") || out.Preview != s.Local {
		t.Fatalf("outgoing shows %q, preview %v", texts(s.Window().Content()), out.Preview)
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventCountdown, SecondsLeft: 12})
	if out.Countdown.Text != "12 s" {
		t.Fatalf("countdown %q", out.Countdown.Text)
	}
	test.Tap(out.ToVoice)
	ph.expect(t, "switch_to_audio")
	test.Tap(out.Cancel)
	ph.expect(t, "hangup")

	c.State = protocol.CallActive
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Connecting, Call: c})
	if !shows(s.Window().Content(), "Connecting…") {
		t.Fatalf("connecting shows %q", texts(s.Window().Content()))
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	clk.Advance(83 * time.Second)
	v := video(s)
	if v.Timer.Text != "01:23" || shows(s.Window().Content(), "Connecting…") {
		t.Fatalf("timer %q, shows %q", v.Timer.Text, texts(s.Window().Content()))
	}
	// The remote camera goes off: the avatar shows; the mute mark shows
	// the controls that hid while the pointer rested.
	if v.ControlsShown() {
		t.Fatal("controls stay while the pointer rests")
	}
	c.Participants[1].CameraOff, c.Participants[1].Muted = true, true
	s.HandleEvent(callcore.Event{Type: callcore.EventRemote, What: protocol.EventMediaState, Call: c, Remote: c.Participants[1]})
	if !v.RemoteCameraOff() || !v.Muted.Visible() || !v.ControlsShown() {
		t.Fatal("remote camera off and mute not shown")
	}
	// A key shows the controls too, for someone on the keyboard.
	clk.Advance(v.ControlsIdle)
	s.Window().Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	if !v.ControlsShown() {
		t.Fatal("a key does not show the hidden controls")
	}
	test.Tap(v.Mute)
	ph.expect(t, "muted on")
	test.Tap(v.Camera)
	ph.expect(t, "camera_off on")
	if v.Mute.Text != "Unmute" || !v.Mute.On || v.Camera.Text != "Camera on" || !v.LocalCameraOff() {
		t.Fatalf("after mute and camera off: %q %v, %q, own preview off %v", v.Mute.Text, v.Mute.On, v.Camera.Text, v.LocalCameraOff())
	}
	v.Swap()
	if !v.Swapped {
		t.Fatal("no swap")
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Stats: media.Stats{Quality: media.QualityGood}})
	if v.Quality.Level != media.QualityGood {
		t.Fatal("quality not shown")
	}
	// Switched to voice: the voice screen is connected and still muted.
	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	voice, ok := s.Current().(*VoiceScreen)
	if !ok || !shows(s.Window().Content(), "Hang up") {
		t.Fatalf("switched: screen %T", s.Current())
	}
	if voice.Timer.Text != "01:26" || voice.Status.Text != "" || voice.Mute.Text != "Unmute" {
		t.Fatalf("voice screen: timer %q, status %q, mute button %q", voice.Timer.Text, voice.Status.Text, voice.Mute.Text)
	}
	test.Tap(voice.Mute)
	ph.expect(t, "muted off")
	if voice.Mute.Text != "Mute" || voice.Mute.On {
		t.Fatalf("after unmute the button reads %q", voice.Mute.Text)
	}
	// Leaving the call screen keeps a mini window with mute and hang up;
	// a click returns.
	s.Minimize()
	m := s.Mini()
	if m == nil || m.Timer.Text != "01:26" {
		t.Fatal("no mini window with the timer")
	}
	test.Tap(m.Mute)
	ph.expect(t, "muted on")
	if !m.Mute.On || voice.Mute.Text != "Unmute" {
		t.Fatal("the mini window's mute does not show")
	}
	m.Tap()
	if s.Mini() != nil {
		t.Fatal("mini window stays")
	}
	test.Tap(voice.Hangup)
	ph.expect(t, "hangup")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Outcome: protocol.OutcomeCompleted, Call: c})
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Idle})
	clk.Advance(s.EndLinger)
	if s.Current() != nil {
		t.Fatalf("ended: screen %T", s.Current())
	}
}

// TestMuteFollowsTheEngine: the engine's call has the last word on our
// mute, on every screen built after it.
func TestMuteFollowsTheEngine(t *testing.T) {
	s, _, _ := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	c.Participants[0].Muted = true
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	if v := video(s); v.Mute.Text != "Unmute" {
		t.Fatalf("muted in the engine, the button reads %q", v.Mute.Text)
	}
	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	if v := s.Current().(*VoiceScreen); v.Mute.Text != "Unmute" || v.Status.Text != "" {
		t.Fatalf("voice: button %q, status %q", v.Mute.Text, v.Status.Text)
	}
}

func TestDeclinedCallShowsTheOutcomeAndCloses(t *testing.T) {
	s, _, clk := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaAudio, "alice", protocol.CallRinging)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: c})
	s.HandleEvent(callcore.Event{Type: callcore.EventRemote, What: protocol.EventDeclined, Call: c, Remote: c.Participants[1]})
	if !shows(s.Window().Content(), "Declined") {
		t.Fatalf("shows %q", texts(s.Window().Content()))
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Outcome: protocol.OutcomeDeclined, Call: c})
	clk.Advance(s.EndLinger)
	if s.Current() != nil {
		t.Fatal("the declined call's screen stays")
	}
}

func TestOutcomeTexts(t *testing.T) {
	for _, tc := range []struct{ outcome, want string }{
		{protocol.OutcomeCompleted, "Call ended"}, {protocol.OutcomeDeclined, "Declined"},
		{protocol.OutcomeNoAnswer, "No answer"}, {protocol.OutcomeBusy, "Line busy"},
		{protocol.OutcomeCancelled, "Canceled"}, {protocol.EventAnsweredElsewhere, "Answered on another device"},
		{"???", "Call failed"},
	} {
		if got := OutcomeText(tc.outcome); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.outcome, got, tc.want)
		}
	}
}

// The invite's round buttons take the keyboard: Tab reaches them in
// order, Enter presses the one that has it (Decline declines, rather than
// the window's Enter accepting), and Escape still declines.
func TestInviteButtonsTakeTheKeyboard(t *testing.T) {
	s, ph, _ := newScreens(test.NewTempApp(t), "alice")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, Call: call(protocol.MediaVideo, "bob", protocol.CallRinging)})
	iw := s.Invite()
	c := iw.Window.Canvas()
	for _, want := range []*RoundButton{iw.Decline, iw.Voice, iw.Accept} {
		c.FocusNext()
		if c.Focused() != want || !want.HasFocus() {
			t.Fatalf("Tab reaches %v, want %q", c.Focused(), want.Text)
		}
	}
	c.FocusNext() // round again
	key(c, fyne.KeyReturn)
	ph.expect(t, "decline")
	key(c, fyne.KeyTab)
	key(c, fyne.KeySpace)
	ph.expect(t, "accept voice")
	key(c, fyne.KeyEscape)
	ph.expect(t, "decline")
	ph.none(t)
}
