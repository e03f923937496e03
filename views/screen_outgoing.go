package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"parley/callcore"

	"fyne.io/fyne/v2/canvas"
)

// OutgoingScreen is "calling…": the callee, "Waiting for answer…" with the
// countdown, Cancel and, for video, "Switch to voice"; in a video call our
// own camera fills the screen behind, so we see ourselves before the
// callee does.
type OutgoingScreen struct {
	Countdown *Countdown
	Status    *canvas.Text
	Cancel    *RoundButton
	ToVoice   *RoundButton // nil in a voice call
	Preview   *VideoSurface
	root      fyne.CanvasObject
}

// NewOutgoingScreen builds the screen of the call snap, which we placed;
// local is our camera's surface.
func NewOutgoingScreen(snap CallSnapshot, local *VideoSurface, do CallActions) *OutgoingScreen {
	v := &OutgoingScreen{Countdown: NewCountdown(), Status: whiteText("", 14, false)}
	v.Cancel = hangupButton(T("Cancel"), do.Hangup)
	buttons := []fyne.CanvasObject{v.Cancel}
	if snap.Video() {
		v.ToVoice = callButton(T("Switch to voice"), callIcon, do.ToVoice)
		buttons = append(buttons, v.ToVoice)
	}
	body := container.NewVBox(layout.NewSpacer(), container.NewCenter(Avatar(snap.Peer(), 96)),
		whiteText(snap.Peer(), 20, true), v.Status, v.Countdown, layout.NewSpacer(), controlRow(buttons...))
	back := fyne.CanvasObject(darkBackground())
	if snap.Video() {
		v.Preview = local
		back = container.NewStack(back, local.Image)
	}
	v.root = container.NewStack(back, container.NewPadded(body))
	v.Update(snap)
	return v
}

// Object is the screen's canvas object.
func (v *OutgoingScreen) Object() fyne.CanvasObject { return v.root }

// Update shows the status and the seconds left.
func (v *OutgoingScreen) Update(snap CallSnapshot) {
	setText(v.Status, &v.Status.Text, snap.StatusText())
	if snap.SecondsLeft > 0 && v.Countdown.Seconds != snap.SecondsLeft {
		v.Countdown.Set(snap.SecondsLeft)
	}
}

// Fits tells whether the screen shows snap: a direct call ringing, of
// the same media.
func (v *OutgoingScreen) Fits(snap CallSnapshot) bool {
	return snap.State == callcore.Outgoing && !snap.Call.Group && snap.Video() == (v.ToVoice != nil)
}

// Close has nothing to stop.
func (v *OutgoingScreen) Close() {}
