package views

import (
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// Image snapshots of the invite window, the video call screen and the
// group call grid. The
// masters are testdata/*.png: test.AssertImageMatches writes a missing
// master on the first run and compares with it afterwards; a mismatch
// leaves the picture it got in testdata/failed/ (delete the master and run
// again to accept a deliberate change of look). Everything that could move
// is fixed: the test app and its theme, the window sizes, the countdown,
// the clock (a manualClock: the call timer and the controls' idle hiding
// move only when the test advances it), the network quality and the video
// frames.

// snapshotApp is a test app with a fixed theme, in English.
func snapshotApp(t *testing.T) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(test.Theme())
	SetLanguage(English)
	return a
}

// gradient is a synthetic remote video frame: red across, green down, a
// constant blue, and a white frame line, so that scaling and placement
// show in the picture.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / (w - 1)), uint8(y * 255 / (h - 1)), 0x80, 0xff}
			if x < 4 || y < 4 || x >= w-4 || y >= h-4 {
				c = color.RGBA{0xff, 0xff, 0xff, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// stripes is a synthetic local preview frame: diagonal bands.
func stripes(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0x30, 0x30, 0x38, 0xff}
			if (x+y)/12%2 == 0 {
				c = color.RGBA{0xf0, 0xc0, 0x40, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestSnapshotInviteWindow(t *testing.T) {
	s, _, _ := newScreens(snapshotApp(t), "bob")
	c := call(protocol.MediaVideo, "alice", protocol.CallRinging)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, Call: c})
	t.Cleanup(func() { s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c}) })
	s.HandleEvent(callcore.Event{Type: callcore.EventCountdown, SecondsLeft: 27, Call: c})
	iw := s.Invite()
	if iw == nil {
		t.Fatalf("no invite window; screen %q", s.Screen())
	}
	if got := iw.Window.Canvas().Size(); got != fyne.NewSize(300, 320) {
		t.Fatalf("invite window is %v, want 300x320", got)
	}
	test.AssertImageMatches(t, "invite_video_alice.png", iw.Window.Canvas().Capture())
}

func TestSnapshotVideoCallScreen(t *testing.T) {
	s, _, clk := newScreens(snapshotApp(t), "bob")
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	c.Participants[1].State = protocol.StateJoined
	t.Cleanup(func() { s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c}) })

	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	if s.Screen() != ScreenVideo || s.Video == nil {
		t.Fatalf("screen %q, want the video call", s.Screen())
	}
	clk.Advance(83 * time.Second)
	s.Video.ShowControls() // the pointer moves: the controls that hid as it rested show
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Call: c, Stats: media.Stats{Quality: media.QualityGood}})
	s.RemoteFrame(gradient(640, 480))
	s.LocalFrame(stripes(160, 120))
	if s.Remote.Frames() != 1 || s.Local.Frames() != 1 {
		t.Fatalf("frames shown: remote %d, local %d", s.Remote.Frames(), s.Local.Frames())
	}
	if s.Video.Timer.Text != "01:23" {
		t.Fatalf("timer shows %q", s.Video.Timer.Text)
	}
	w := s.Window()
	if got := w.Canvas().Size(); got != fyne.NewSize(520, 600) {
		t.Fatalf("call window is %v, want 520x600", got)
	}
	test.AssertImageMatches(t, "video_call_screen.png", w.Canvas().Capture())
}

func TestSnapshotGroupCallGrid(t *testing.T) {
	s, _, clk := newScreens(snapshotApp(t), "alice")
	c := groupCall(protocol.MediaVideo, "ua", "ub", "uc", "ud")
	c.Participants[2].Muted, c.Participants[2].CameraOff = true, true
	c.Participants[3].State = protocol.StateRinging
	t.Cleanup(func() { s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c}) })

	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	clk.Advance(83 * time.Second)
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Call: c, Stats: media.Stats{Quality: media.QualityGood}})
	s.HandleEvent(callcore.Event{Type: callcore.EventSpeaking, Call: c, Speakers: []string{"ua"}})
	s.UserFrame("ua", gradient(640, 480))
	s.LocalFrame(stripes(160, 120))
	if s.Group.Timer.Text != "01:23" {
		t.Fatalf("timer shows %q", s.Group.Timer.Text)
	}
	test.AssertImageMatches(t, "group_call_grid.png", s.Window().Canvas().Capture())
}
