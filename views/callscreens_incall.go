package views

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// The in-call screens: the voice, video and group call in the call window,
// with their timer and buttons.

func (s *CallScreens) showInCall() {
	s.show()
}

// Tick updates the call timer.
func (s *CallScreens) Tick() {
	if s.connectedAt.IsZero() {
		return
	}
	t := DurationText(s.Clock.Now().Sub(s.connectedAt))
	for _, txt := range []*canvas.Text{s.inCall().Timer, s.miniTimer()} {
		if txt != nil && txt.Text != t {
			txt.Text = t
			txt.Refresh()
		}
	}
}

// inCallControls are the parts of an in-call screen that CallScreens keeps
// up to date itself; nil where the screen has none.
type inCallControls struct {
	Timer  *canvas.Text
	Mute   *widget.Button
	Camera *widget.Button
}

// inCall is the controls of the in-call screen that shows; none on the
// other screens.
func (s *CallScreens) inCall() inCallControls {
	switch s.screen {
	case ScreenVoice:
		return inCallControls{Timer: s.Voice.Timer, Mute: s.Voice.Mute}
	case ScreenVideo:
		return inCallControls{Timer: s.Video.Timer, Mute: s.Video.Mute, Camera: s.Video.Camera}
	case ScreenGroup:
		return inCallControls{Timer: s.Group.Timer, Mute: s.Group.Mute, Camera: s.Group.Camera}
	}
	return inCallControls{}
}

// startTicker updates the call timer at each whole second of the call,
// when its text changes.
func (s *CallScreens) startTicker() {
	stopTimer(&s.ticker)
	next := time.Second - s.Clock.Now().Sub(s.connectedAt)%time.Second
	s.ticker = s.Clock.AfterFunc(next, func() {
		s.Tick()
		s.startTicker()
	})
}

func (s *CallScreens) toggleMute() {
	s.muted = !s.muted
	label, icon := T("Mute"), theme.VolumeMuteIcon()
	if s.muted {
		label, icon = T("Unmute"), theme.VolumeUpIcon()
	}
	relabel(s.inCall().Mute, label, icon)
	c, m := s.Control, s.muted
	background(func() error { return c.SetMuted(m) }, s.fail)
}

func (s *CallScreens) toggleCamera() {
	s.cameraOff = !s.cameraOff
	label, icon := T("Camera off"), theme.VisibilityOffIcon()
	if s.cameraOff {
		label, icon = T("Camera on"), theme.VisibilityIcon()
	}
	relabel(s.inCall().Camera, label, icon)
	c, off := s.Control, s.cameraOff
	background(func() error { return c.SetCameraOff(off) }, s.fail)
}

// relabel makes a toggle button say what it does now; b may be nil, on a
// screen without that button.
func relabel(b *widget.Button, label string, icon fyne.Resource) {
	if b != nil {
		b.SetText(label)
		b.SetIcon(icon)
	}
}

// inviteMore rings more group members into the call.
func (s *CallScreens) inviteMore() {
	in := map[string]bool{}
	for _, p := range s.call.Participants {
		if inCall(p) {
			in[p.User] = true
		}
	}
	var free []string
	for _, u := range s.Members(s.call.Conversation) {
		if !in[u] && u != s.Me {
			free = append(free, u)
		}
	}
	room := protocol.MaxCallSize - len(in)
	if len(free) == 0 || room <= 0 || s.win == nil {
		s.setStatus(T("Nobody else to invite"))
		return
	}
	c := s.Control
	ShowMemberPicker(s.win, T("Invite more"), free, room, func(users []string) {
		background(func() error { return c.AddToCall(users) }, s.fail)
	})
}
