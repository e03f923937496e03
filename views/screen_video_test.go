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
