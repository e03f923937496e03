package views

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/protocol"
)

// videoCallInWindow shows a video call with bob in a 520×600 window, on
// clk; move moves the pointer over it.
func videoCallInWindow(t *testing.T, clk Clock, do CallActions) (v *VideoScreen, move func(x, y float32)) {
	t.Helper()
	snap := CallSnapshot{Me: "alice", State: callcore.Active, Call: call(protocol.MediaVideo, "alice", protocol.CallActive)}
	v = NewVideoScreen(snap, NewVideoSurface(), NewVideoSurface(), 1, clk, do)
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
	v, move := videoCallInWindow(t, clk, CallActions{Hangup: func() { ph.rec("hangup") }})
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
	v, move := videoCallInWindow(t, clk, CallActions{})
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

// key is a key press as the desktop driver delivers it to the control
// that has the keyboard: down, then typed (Tab moves the keyboard on
// instead of being typed).
func key(c fyne.Canvas, name fyne.KeyName) {
	f := c.Focused()
	ev := &fyne.KeyEvent{Name: name}
	if k, ok := f.(desktop.Keyable); ok {
		k.KeyDown(ev)
	}
	if name == fyne.KeyTab {
		c.FocusNext()
		return
	}
	f.TypedKey(ev)
}

// TestVideoCallControlsShowOnKeysInAControl: while a control of the video
// screen has the keyboard, any key shows the hidden controls (the window's
// key handler does not hear it); the key that brings them back does
// nothing else, so nothing is tapped unseen; once they show, Space and
// Enter tap the control and Tab moves to the next.
func TestVideoCallControlsShowOnKeysInAControl(t *testing.T) {
	ph, clk := newFakePhone(), newManualClock()
	v, _ := videoCallInWindow(t, clk, CallActions{Minimize: func() { ph.rec("minimize") },
		Mute: func() { ph.rec("mute") }, Camera: func() { ph.rec("camera") }})
	c := fyne.CurrentApp().Driver().CanvasForObject(v.Object())
	c.SetOnTypedKey(func(k *fyne.KeyEvent) { v.TypedKey(k) }) // as CallScreens does
	hide := func() {
		t.Helper()
		clk.Advance(v.ControlsIdle)
		if v.ControlsShown() {
			t.Fatal("the controls stay while nothing moves")
		}
	}
	c.FocusNext()
	if c.Focused() != v.Minimize {
		t.Fatalf("Tab reaches %T first, want the minimise button", c.Focused())
	}
	hide()
	key(c, fyne.KeySpace)
	if !v.ControlsShown() {
		t.Fatal("Space on the minimise button does not show the controls")
	}
	ph.none(t)
	key(c, fyne.KeySpace)
	ph.expect(t, "minimize")

	key(c, fyne.KeyTab)
	if c.Focused() != v.Mute || !v.Mute.HasFocus() {
		t.Fatalf("Tab moves to %T, want Mute", c.Focused())
	}
	for _, name := range []fyne.KeyName{fyne.KeyLeft, fyne.KeyEscape, fyne.KeyA, fyne.KeyReturn} {
		hide()
		key(c, name)
		if !v.ControlsShown() {
			t.Fatalf("%s on Mute does not show the controls", name)
		}
		ph.none(t)
	}
	hide()
	v.Mute.TypedRune('a') // a character alone, as a driver without key-down events types it
	if !v.ControlsShown() {
		t.Fatal("a character typed on Mute does not show the controls")
	}
	key(c, fyne.KeyReturn)
	ph.expect(t, "mute")
	hide()
	key(c, fyne.KeyTab) // Tab shows them and moves on
	if !v.ControlsShown() || c.Focused() != v.Camera || v.Mute.HasFocus() {
		t.Fatalf("Tab on hidden controls: shown %v, focus on %T", v.ControlsShown(), c.Focused())
	}
	key(c, fyne.KeySpace)
	ph.expect(t, "camera")
	v.Close()
}

// keyWindow is a window whose canvas, as a desktop one, tells of every
// key going down while no control has the keyboard.
type keyWindow struct {
	fyne.Window
	canvas *keyCanvas
}

type keyCanvas struct {
	fyne.Canvas
	down, up func(*fyne.KeyEvent)
}

func (w *keyWindow) Canvas() fyne.Canvas                 { return w.canvas }
func (c *keyCanvas) OnKeyDown() func(*fyne.KeyEvent)     { return c.down }
func (c *keyCanvas) SetOnKeyDown(f func(*fyne.KeyEvent)) { c.down = f }
func (c *keyCanvas) OnKeyUp() func(*fyne.KeyEvent)       { return c.up }
func (c *keyCanvas) SetOnKeyUp(f func(*fyne.KeyEvent))   { c.up = f }
func (a keyApp) NewWindow(title string) fyne.Window      { return newKeyWindow(a.App.NewWindow(title)) }
func newKeyWindow(w fyne.Window) *keyWindow              { return &keyWindow{w, &keyCanvas{Canvas: w.Canvas()}} }

// keyApp makes keyWindows.
type keyApp struct{ fyne.App }

// The call window of a desktop shows the video call's controls on any key
// going down while no control has the keyboard: Tab and Ctrl too, which
// are never typed.
func TestVideoCallControlsShowOnKeyDownInTheWindow(t *testing.T) {
	s, _, clk := newScreens(keyApp{test.NewTempApp(t)}, "alice")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: call(protocol.MediaVideo, "alice", protocol.CallActive)})
	v := video(s)
	c := s.Window().Canvas().(*keyCanvas)
	for _, name := range []fyne.KeyName{fyne.KeyTab, desktop.KeyControlLeft, desktop.KeyShiftLeft} {
		clk.Advance(v.ControlsIdle)
		if v.ControlsShown() {
			t.Fatal("the controls stay while nothing moves")
		}
		if c.down == nil {
			t.Fatal("the call window hears no key going down")
		}
		c.down(&fyne.KeyEvent{Name: name})
		if !v.ControlsShown() {
			t.Fatalf("%s does not show the controls", name)
		}
	}
}
