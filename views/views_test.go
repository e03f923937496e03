package views

import (
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"parley/callcore"
	"parley/internal/harness"
	"parley/media"
	"parley/protocol"
)

func TestMain(m *testing.M) {
	// Fyne's log, collected so that a UI call from a wrong goroutine ("***
	// Error in Fyne call thread") fails the tests.
	fyneLog := &harness.LockedBuffer{}
	log.SetOutput(io.MultiWriter(os.Stderr, fyneLog))
	code := m.Run()
	if strings.Contains(fyneLog.String(), "Error in Fyne call thread") {
		os.Stderr.WriteString("FAIL: Fyne reported a call from the wrong goroutine\n")
		code = 1
	}
	os.Exit(code)
}

// fakePhone records what the views ask of the engine.
type fakePhone struct {
	calls chan string
}

func newFakePhone() *fakePhone { return &fakePhone{calls: make(chan string, 32)} }

func (f *fakePhone) rec(s string) { f.calls <- s }

func (f *fakePhone) Call(conv, media string, invitees []string, _ time.Duration) (protocol.Call, error) {
	f.rec("call " + conv + " " + media + " " + strings.Join(invitees, ","))
	return protocol.Call{}, nil
}
func (f *fakePhone) Join(id string) error { f.rec("join " + id); return nil }
func (f *fakePhone) Accept(voice bool) error {
	f.rec("accept " + map[bool]string{true: "voice", false: "full"}[voice])
	return nil
}
func (f *fakePhone) Decline() error { f.rec("decline"); return nil }
func (f *fakePhone) Hangup() error  { f.rec("hangup"); return nil }
func (f *fakePhone) SetMuted(m bool) error {
	f.rec("muted " + map[bool]string{true: "on", false: "off"}[m])
	return nil
}
func (f *fakePhone) SetCameraOff(o bool) error {
	f.rec("camera_off " + map[bool]string{true: "on", false: "off"}[o])
	return nil
}
func (f *fakePhone) SwitchToAudio() error { f.rec("switch_to_audio"); return nil }
func (f *fakePhone) AddToCall(users []string) error {
	f.rec("add " + strings.Join(users, ","))
	return nil
}
func (f *fakePhone) SendText(conv, text string) error { f.rec("send " + conv + " " + text); return nil }
func (f *fakePhone) CreateGroup(n string, m []string) (string, error) {
	f.rec("group " + n + " " + strings.Join(m, ","))
	return "g1", nil
}

// expect waits for the next request to the engine.
func (f *fakePhone) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-f.calls:
		if got != want {
			t.Fatalf("engine got %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("engine got nothing, want %q", want)
	}
}

func (f *fakePhone) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-f.calls:
		t.Fatalf("engine got %q, want nothing", got)
	case <-time.After(50 * time.Millisecond):
	}
}

// texts are the strings shown by o and everything in it.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		switch x := obj.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		}
	}
	return out
}

func shows(o fyne.CanvasObject, s string) bool {
	return slices.ContainsFunc(texts(o), func(t string) bool { return strings.Contains(t, s) })
}

func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		out = append(out, it.Label)
	}
	return out
}

func direct() Conversation {
	return Conversation{ID: protocol.DirectConversation("alice", "bob"), Title: "bob", Members: []string{"alice", "bob"}}
}

func TestMoreMenuShowsExactlyTheEnabledEntries(t *testing.T) {
	test.NewTempApp(t)
	for _, c := range []struct {
		e    CallEntries
		want []string
	}{
		{CallEntries{true, true}, []string{"Voice call", "Video call"}},
		{CallEntries{true, false}, []string{"Voice call"}},
		{CallEntries{false, true}, []string{"Video call"}},
		{CallEntries{false, false}, nil},
	} {
		w := test.NewWindow(nil)
		chat := NewChatView(w, "alice", direct(), newFakePhone(), newFakePhone(), c.e)
		w.SetContent(chat.Object())
		if got := menuLabels(chat.MoreMenu()); !slices.Equal(got, c.want) {
			t.Errorf("entries %+v: menu %q, want %q", c.e, got, c.want)
		}
		if chat.More.Visible() != (len(c.want) > 0) {
			t.Errorf("entries %+v: more button visible %v", c.e, chat.More.Visible())
		}
		if c.e.Voice && c.e.Video {
			test.Tap(chat.More)
			over := w.Canvas().Overlays().Top()
			if over == nil || !shows(over, "Voice call") || !shows(over, "Video call") {
				t.Errorf("tapping + shows no menu with both entries")
			}
		}
		chat.SetEntries(CallEntries{})
		if chat.More.Visible() {
			t.Errorf("more button visible with no entries")
		}
		w.Close()
	}
}

func TestMoreMenuAsksTheEngineForTheRightCall(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	chat := NewChatView(w, "alice", direct(), ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	m := chat.MoreMenu()
	m.Items[0].Action()
	ph.expect(t, "call direct:alice:bob audio ")
	m.Items[1].Action()
	ph.expect(t, "call direct:alice:bob video ")
}

func TestGroupCallEntryOpensTheMemberPicker(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	members := []string{"alice"}
	for i := range 10 {
		members = append(members, "u"+string(rune('a'+i)))
	}
	conv := Conversation{ID: "group:g1", Title: "team", Group: true, Members: members}
	chat := NewChatView(w, "alice", conv, ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	chat.MoreMenu().Items[1].Action()
	ph.none(t)
	p := chat.Picker
	if p == nil {
		t.Fatal("no member picker")
	}
	if slices.Contains(p.order, "alice") || len(p.order) != 10 {
		t.Fatalf("picker offers %v", p.order)
	}
	for _, u := range members[1:] {
		p.Toggle(u) // the 9th and 10th are refused
	}
	if got := p.Picked(); len(got) != MaxGroupCallInvitees {
		t.Fatalf("picked %d, want at most %d", len(got), MaxGroupCallInvitees)
	}
	p.Confirm()
	ph.expect(t, "call group:g1 video "+strings.Join(members[1:9], ","))
}

func TestJoinBanner(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	chat := NewChatView(w, "alice", Conversation{ID: "group:g1", Title: "team", Group: true}, ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	if chat.banner.Visible() {
		t.Fatal("banner without a call")
	}
	chat.SetGroupCall(&protocol.Call{ID: "c1", Group: true, Media: protocol.MediaAudio,
		Participants: []protocol.Participant{{User: "bob", State: protocol.StateJoined}, {User: "carol", State: protocol.StateJoined}}})
	if !chat.banner.Visible() || !shows(chat.banner, "2 joined") {
		t.Fatalf("banner: %v", texts(chat.banner))
	}
	var join *widget.Button
	for _, o := range test.LaidOutObjects(chat.banner) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Join" {
			join = b
		}
	}
	test.Tap(join)
	ph.expect(t, "join c1")
	chat.SetGroupCall(nil)
	if chat.banner.Visible() {
		t.Fatal("banner stays after the call")
	}
}

func TestSendingText(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	chat := NewChatView(w, "alice", direct(), ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	test.Type(chat.Input, "hello bob")
	chat.Input.OnSubmitted(chat.Input.Text)
	ph.expect(t, "send direct:alice:bob hello bob")
	if chat.Input.Text != "" {
		t.Fatalf("input keeps %q", chat.Input.Text)
	}
}

func TestCallRecordStrings(t *testing.T) {
	for _, c := range []struct {
		outcome string
		ms      int64
		want    string
	}{
		{protocol.OutcomeCompleted, 83_400, "Duration 01:23"},
		{protocol.OutcomeCancelled, 0, "Canceled"},
		{protocol.OutcomeDeclined, 0, "Declined"},
		{protocol.OutcomeNoAnswer, 0, "No answer"},
		{protocol.OutcomeBusy, 0, "Line busy"},
	} {
		m := protocol.Message{Type: protocol.KindCallRecord, Outcome: c.outcome, DurationMS: c.ms, Media: protocol.MediaVideo}
		if got := CallRecordText(m); got != c.want {
			t.Errorf("%s: %q, want %q", c.outcome, got, c.want)
		}
	}
}

func TestChatRendersCallRecords(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	at := time.Now().UnixMilli()
	msgs := []protocol.Message{
		{Seq: 1, From: "bob", Type: protocol.KindText, Text: "hi alice", TimeMS: at},
		{Seq: 2, From: "alice", Type: protocol.KindCallRecord, Media: protocol.MediaAudio, Outcome: protocol.OutcomeCompleted, DurationMS: 83_000, TimeMS: at},
		{Seq: 3, From: "bob", Type: protocol.KindCallRecord, Media: protocol.MediaVideo, Outcome: protocol.OutcomeBusy, TimeMS: at},
	}
	chat := NewChatView(w, "alice", direct(), ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	chat.SetMessages(msgs)
	if n := len(chat.Rows()); n != 3 {
		t.Fatalf("%d rows", n)
	}
	for i, want := range []string{"hi alice", "Duration 01:23", "Line busy"} {
		if !shows(chat.Rows()[i], want) {
			t.Errorf("row %d shows %q, want %q", i, texts(chat.Rows()[i]), want)
		}
	}
	chat.SetMessages(append(msgs, protocol.Message{Seq: 4, From: "bob", Type: protocol.KindCallRecord, Outcome: protocol.OutcomeDeclined}))
	if n := len(chat.Rows()); n != 4 || !shows(chat.Rows()[3], "Declined") {
		t.Fatalf("appending: %d rows", n)
	}

	group := NewChatView(w, "alice", Conversation{ID: "group:g1", Title: "team", Group: true}, ph, ph, CallEntries{true, true})
	group.SetMessages([]protocol.Message{{Seq: 1, From: "bob", Type: protocol.KindCallRecord, Media: protocol.MediaVideo,
		Outcome: protocol.OutcomeCompleted, DurationMS: 61_000}})
	if _, tip := group.Rows()[0].(*fyne.Container).Objects[0].(*canvas.Text); !tip || !shows(group.Rows()[0], "Video call · ended · 01:01") {
		t.Fatalf("group record: %q", texts(group.Rows()[0]))
	}
}

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
	if s.Screen() != ScreenInvite || iw == nil {
		t.Fatalf("screen %q", s.Screen())
	}
	content := iw.Window.Content()
	for _, want := range []string{"bob", "Video call", "Accept", "Decline", "Answer with voice"} {
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
	if s.Invite() != nil || s.Screen() != ScreenVideo {
		t.Fatalf("after accept: screen %q", s.Screen())
	}
}

func TestInviteVoiceOnlyWithoutCamera(t *testing.T) {
	s, ph, _ := newScreens(test.NewTempApp(t), "alice")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, VoiceOnly: true,
		Call: call(protocol.MediaVideo, "bob", protocol.CallRinging)})
	iw := s.Invite()
	if !iw.Accept.Disabled() {
		t.Fatal("video accept offered without a camera")
	}
	iw.Window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	ph.expect(t, "accept voice")
}

func TestCallScreensFollowTheEngine(t *testing.T) {
	s, ph, clk := newScreens(test.NewTempApp(t), "alice")
	c := call(protocol.MediaVideo, "alice", protocol.CallRinging)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Outgoing, Call: c})
	if s.Screen() != ScreenOutgoing {
		t.Fatalf("screen %q", s.Screen())
	}
	if !shows(s.Window().Content(), "Waiting for answer…") || !shows(s.Window().Content(), "bob") {
		t.Fatalf("outgoing shows %q", texts(s.Window().Content()))
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventCountdown, SecondsLeft: 12})
	if s.Outgoing.Countdown.Text != "12 s" {
		t.Fatalf("countdown %q", s.Outgoing.Countdown.Text)
	}
	test.Tap(s.Outgoing.ToVoice)
	ph.expect(t, "switch_to_audio")
	test.Tap(s.Outgoing.Cancel)
	ph.expect(t, "hangup")

	c.State = protocol.CallActive
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Connecting, Call: c})
	if s.Screen() != ScreenVideo {
		t.Fatalf("connecting: screen %q", s.Screen())
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	clk.Advance(83 * time.Second)
	if s.Video.Timer.Text != "01:23" {
		t.Fatalf("timer %q", s.Video.Timer.Text)
	}
	// The remote camera goes off: the avatar shows; the mute mark shows
	// the controls that hid while the pointer rested.
	if s.Video.ControlsShown() {
		t.Fatal("controls stay while the pointer rests")
	}
	c.Participants[1].CameraOff, c.Participants[1].Muted = true, true
	s.HandleEvent(callcore.Event{Type: callcore.EventRemote, What: protocol.EventMediaState, Call: c, Remote: c.Participants[1]})
	if !s.Video.RemoteCameraOff() || !s.Video.Muted.Visible() || !s.Video.ControlsShown() {
		t.Fatal("remote camera off and mute not shown")
	}
	// A key shows the controls too, for someone on the keyboard.
	clk.Advance(s.Video.ControlsIdle)
	if s.Video.ControlsShown() {
		t.Fatal("controls stay while the pointer rests")
	}
	s.Window().Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	if !s.Video.ControlsShown() {
		t.Fatal("a key does not show the hidden controls")
	}
	test.Tap(s.Video.Mute)
	ph.expect(t, "muted on")
	test.Tap(s.Video.Camera)
	ph.expect(t, "camera_off on")
	s.Video.Swap()
	if !s.Video.Swapped {
		t.Fatal("no swap")
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Stats: media.Stats{Quality: media.QualityGood}})
	if s.Video.Quality.Level != media.QualityGood {
		t.Fatal("quality not shown")
	}
	// Switched to voice.
	c.Media = protocol.MediaAudio
	s.HandleEvent(callcore.Event{Type: callcore.EventSwitched, Call: c})
	if s.Screen() != ScreenVoice || !shows(s.Window().Content(), "Hang up") {
		t.Fatalf("switched: screen %q", s.Screen())
	}
	if s.Voice.Timer.Text != "01:26" { // 83 s, then the pointer's 3 s of rest
		t.Fatalf("voice timer %q", s.Voice.Timer.Text)
	}
	// Leaving the call screen keeps a mini window; a click returns.
	s.Minimize()
	if s.Mini == nil || s.Mini.Timer.Text != "01:26" {
		t.Fatal("no mini window with the timer")
	}
	s.Mini.Tap()
	if s.Mini != nil {
		t.Fatal("mini window stays")
	}
	test.Tap(s.Voice.Hangup)
	ph.expect(t, "hangup")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Outcome: protocol.OutcomeCompleted, Call: c})
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Idle})
	if s.Screen() != ScreenNone {
		t.Fatalf("ended: screen %q", s.Screen())
	}
}

// videoCallInWindow shows a video call with bob in a 520×600 window, on
// clk; move moves the pointer over it.
func videoCallInWindow(t *testing.T, clk Clock, do VideoActions) (v *VideoCallView, move func(x, y float32)) {
	t.Helper()
	v = NewVideoCallView("bob", NewVideoSurface(), NewVideoSurface(), 1, clk, do)
	w := test.NewTempApp(t).NewWindow("call")
	w.SetContent(v.Object())
	w.Resize(fyne.NewSize(520, 600))
	area := v.Object().(*HoverArea)
	return v, func(x, y float32) {
		area.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, y)}})
	}
}

func TestVideoCallControlsHideWhileThePointerRests(t *testing.T) {
	ph, clk := newFakePhone(), newManualClock()
	v, move := videoCallInWindow(t, clk, VideoActions{Hangup: func() { ph.rec("hangup") }})
	area := v.Object().(*HoverArea)
	if !v.ControlsShown() {
		t.Fatal("controls hidden at the start")
	}
	clk.Advance(v.ControlsIdle - time.Millisecond)
	if !v.ControlsShown() {
		t.Fatal("controls hidden before their idle time")
	}
	clk.Advance(time.Millisecond)
	if v.ControlsShown() {
		t.Fatal("controls stay while the pointer rests")
	}
	move(260, 300)
	if !v.ControlsShown() {
		t.Fatal("a pointer move does not show the controls")
	}
	// A move while they show starts their idle time again.
	clk.Advance(v.ControlsIdle / 2)
	move(250, 300)
	clk.Advance(v.ControlsIdle - time.Millisecond)
	if !v.ControlsShown() {
		t.Fatal("controls hidden before their idle time since the last move")
	}
	clk.Advance(time.Millisecond)
	if v.ControlsShown() {
		t.Fatal("controls stay after their idle time since the last move")
	}
	// From the bottom bar onto a button: the controls stay under the pointer.
	move(260, 300)
	move(260, 590)
	area.MouseOut()
	clk.Advance(2 * v.ControlsIdle)
	if !v.ControlsShown() {
		t.Fatal("controls hidden under the pointer")
	}
	test.Tap(v.Hangup)
	ph.expect(t, "hangup")
	// Out of the window from the video: they hide.
	move(260, 300)
	area.MouseOut()
	clk.Advance(v.ControlsIdle)
	if v.ControlsShown() {
		t.Fatal("controls stay after the pointer left")
	}
	test.Tap(area) // a touch screen has no pointer to move
	if !v.ControlsShown() {
		t.Fatal("a tap does not show the controls")
	}
	v.Close()
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers outlive the view", n)
	}
}

// TestVideoCallControlsInAnyOrderOfEvents moves the pointer, leaves, taps
// and lets time pass in a long pseudo-random order, with an idle time so
// short that a timer that went around the clock would fire during the
// run and show up under -race. After every step the controls show as a
// model of the rules says, and one hide is pending exactly while they
// show and the pointer is not held on a control.
func TestVideoCallControlsInAnyOrderOfEvents(t *testing.T) {
	clk := newManualClock()
	v, move := videoCallInWindow(t, clk, VideoActions{})
	area := v.Object().(*HoverArea)
	const idle = time.Millisecond
	v.Close() // the hide set with the default idle time
	v.ControlsIdle = idle
	v.ShowControls()

	type spot struct {
		x, y  float32
		onBar bool
	}
	spots := []spot{{260, 300, false}, {100, 200, false}, {260, 10, true}, {260, 590, true}}
	steps := []time.Duration{0, idle / 3, idle - 1, idle, idle + 1, 3 * idle}
	// The model: when the pointer last moved, whether it rests on a bar
	// or was held there on leaving, and whether the controls show.
	shown, onBar, held, last := true, false, false, clk.Now()
	rnd := rand.New(rand.NewPCG(8, 1))
	for i := range 3000 {
		var did string
		switch op := rnd.IntN(8); {
		case op < 3:
			sp := spots[rnd.IntN(len(spots))]
			move(sp.x, sp.y)
			did = fmt.Sprintf("move to %v,%v", sp.x, sp.y)
			onBar = shown && sp.onBar // a hidden bar is not there to rest on
			shown, held, last = true, false, clk.Now()
		case op == 3:
			area.MouseOut()
			did = "out"
			held = onBar
		case op == 4:
			test.Tap(area)
			did = "tap"
			shown, held, last = true, false, clk.Now()
		default:
			d := steps[rnd.IntN(len(steps))]
			clk.Advance(d)
			did = fmt.Sprintf("wait %v", d)
			if shown && !held && !clk.Now().Before(last.Add(idle)) {
				shown = false
			}
		}
		if v.ControlsShown() != shown {
			t.Fatalf("step %d (%s): controls shown %v, want %v", i, did, v.ControlsShown(), shown)
		}
		want := 0
		if shown && !held {
			want = 1
		}
		if n := clk.Pending(); n != want && !(shown && held && n == 1) {
			t.Fatalf("step %d (%s): %d hides pending, want %d", i, did, n, want)
		}
	}
	v.Close()
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers outlive the view", n)
	}
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
	if s.Video.Timer.Text != "00:00" {
		t.Fatalf("timer %q before the first second", s.Video.Timer.Text)
	}
	clk.Advance(time.Millisecond)
	if s.Video.Timer.Text != "00:01" {
		t.Fatalf("timer %q at the first second", s.Video.Timer.Text)
	}
	clk.Advance(time.Minute)
	if s.Video.Timer.Text != "01:01" {
		t.Fatalf("timer %q after a minute more", s.Video.Timer.Text)
	}
	s.Video.ShowControls()
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
	if shows(s.Window().Content(), "Call ended") || s.Voice != nil {
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
	if s.Screen() != ScreenOutgoing || !shows(s.Window().Content(), "Waiting for answer…") {
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

func TestSwitchingLanguageChangesLabels(t *testing.T) {
	test.NewTempApp(t)
	if err := AddTranslations(SimplifiedChinese, []byte(`{"Voice call":"语音通话","Video call":"视频通话","Declined":"已拒绝"}`)); err != nil {
		t.Fatal(err)
	}
	defer SetLanguage(English)
	SetLanguage(SimplifiedChinese)
	if got := menuLabels(MoreMenu(CallEntries{true, true}, func(string) {})); !slices.Equal(got, []string{"语音通话", "视频通话"}) {
		t.Fatalf("zh menu %q", got)
	}
	if got := CallRecordText(protocol.Message{Outcome: protocol.OutcomeDeclined}); got != "已拒绝" {
		t.Fatalf("zh record %q", got)
	}
	SetLanguage(English)
	if got := menuLabels(MoreMenu(CallEntries{true, true}, func(string) {})); !slices.Equal(got, []string{"Voice call", "Video call"}) {
		t.Fatalf("en menu %q", got)
	}
}

func TestSettingsReportChanges(t *testing.T) {
	test.NewTempApp(t)
	var got Settings
	v := NewSettingsView(DefaultSettings(), DeviceLists{Speakers: []string{"a", "b"}}, func(s Settings) { got = s })
	v.VideoCall.SetChecked(false)
	if got.VideoCall || !got.VoiceCall {
		t.Fatalf("settings %+v", got)
	}
	v.Language.SetSelected("简体中文")
	if got.Language != SimplifiedChinese {
		t.Fatalf("language %q", got.Language)
	}
	v.Theme.SetSelected("Dark")
	v.Speaker.SetSelected("b")
	if got.Theme != ThemeDark || got.Speaker != "b" {
		t.Fatalf("settings %+v", got)
	}
}

func TestSignInRemembersAndValidates(t *testing.T) {
	test.NewTempApp(t)
	var got []SignInChoice
	s := NewSignIn(SignInChoice{Mode: ModeConnect, URL: "http://h:7000", User: "bob"}, func(c SignInChoice) { got = append(got, c) })
	if !s.URL.Disabled() == false && s.Choice(false).Mode != ModeConnect {
		t.Fatal("last choice not restored")
	}
	test.Tap(s.SignIn)
	if len(got) != 0 || s.Status.Text == "" {
		t.Fatal("signed in without a password")
	}
	test.Type(s.Password, "secret")
	test.Tap(s.Register)
	if len(got) != 1 || got[0] != (SignInChoice{Mode: ModeConnect, URL: "http://h:7000", User: "bob", Password: "secret", Register: true}) {
		t.Fatalf("choice %+v", got)
	}
	s.SetStatus(errors.New("wrong password"))
	if s.SignIn.Disabled() || s.Status.Text != "wrong password" {
		t.Fatal("status not shown")
	}
}

func TestMainViewListsAndOpens(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	v := NewMainView(w, "alice", ph, ph, CallEntries{true, true})
	w.SetContent(v.Object())
	w.Resize(fyne.NewSize(900, 600))
	var opened []string
	v.OnOpen = func(id string) { opened = append(opened, id) }
	conv := direct()
	conv.Last, conv.Unread, conv.Online = "see you", 3, true
	v.SetConversations([]Conversation{conv})
	row := test.WidgetRenderer(v.ConvList).Objects()
	_ = row
	if !shows(v.ConvList, "see you") || !shows(v.ConvList, "3") {
		t.Fatalf("conversation row: %q", texts(v.ConvList))
	}
	v.ConvList.Select(0)
	if len(opened) != 1 || v.Chat == nil || v.Chat.Conv.ID != conv.ID {
		t.Fatal("conversation not opened")
	}
	v.SetHistory([]HistoryEntry{{Conv: conv, Msg: protocol.Message{Type: protocol.KindCallRecord, Outcome: protocol.OutcomeNoAnswer}}})
	v.Tabs.SelectIndex(2)
	if !shows(v.HistoryList, "bob · No answer") {
		t.Fatalf("history: %q", texts(v.HistoryList))
	}
}

func TestSettingsShowDevicesPreviewAndLevel(t *testing.T) {
	test.NewTempApp(t)
	var got Settings
	cur := DefaultSettings()
	cur.Microphone = "Mic B"
	v := NewSettingsView(cur, DeviceLists{Cameras: []string{"Cam A", "Cam B"}, Microphones: []string{"Mic A", "Mic B"}},
		func(s Settings) { got = s })
	w := test.NewWindow(v.Object())
	defer w.Close()
	if !slices.Equal(v.Camera.Options, []string{"Cam A", "Cam B"}) || !slices.Equal(v.Microphone.Options, []string{"Mic A", "Mic B"}) {
		t.Fatalf("lists %q %q", v.Camera.Options, v.Microphone.Options)
	}
	if v.Camera.Selected != "" || v.Microphone.Selected != "Mic B" {
		t.Fatalf("selected %q %q", v.Camera.Selected, v.Microphone.Selected)
	}
	v.Camera.SetSelected("Cam B")
	if got.Camera != "Cam B" || got.Microphone != "Mic B" {
		t.Fatalf("settings %+v", got)
	}
	frame := image.NewRGBA(image.Rect(0, 0, 32, 24))
	done := make(chan struct{})
	go func() { // the capture goroutines
		defer close(done)
		v.Preview.Push(frame)
		v.SetLevel(0.25)
		v.SetLevel(0.75)
	}()
	<-done
	if v.Preview.Frames() != 1 || v.Preview.Image.Image != frame {
		t.Fatalf("%d frames shown", v.Preview.Frames())
	}
	if v.Level.Value != 0.75 || v.Level.TextFormatter() != "" {
		t.Fatalf("level %v %q", v.Level.Value, v.Level.TextFormatter())
	}
	if v.NoCamera.Visible() || v.NoMicrophone.Visible() {
		t.Fatal("a device reported missing")
	}
	v.SetCameraMissing(true)
	v.SetMicrophoneMissing(true)
	if !v.NoCamera.Visible() || v.NoCamera.Text != "No camera found" || v.Preview.Image.Visible() {
		t.Fatal("no \"No camera found\"")
	}
	if !v.NoMicrophone.Visible() || v.NoMicrophone.Text != "No microphone found" || v.Level.Visible() || v.Level.Value != 0 {
		t.Fatal("no \"No microphone found\"")
	}
	v.SetCameraMissing(false)
	if v.NoCamera.Visible() || !v.Preview.Image.Visible() {
		t.Fatal("the preview did not come back")
	}
}
