package views

import (
	"errors"
	"image"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/callcore"
	"parley/protocol"
)

// Screens, as CallScreens.Screen names them.
const (
	ScreenNone     = ""
	ScreenInvite   = "invite"
	ScreenOutgoing = "outgoing"
	ScreenVoice    = "voice"
	ScreenVideo    = "video"
	ScreenGroup    = "group"
)

// CallScreens follows the call engine's events and shows the screen that
// fits: the invite window, the outgoing screen, the voice, video or group
// call in the call window, and the mini window when the person leaves the
// call window. HandleEvent runs on the UI goroutine (the app calls it in
// fyne.Do); UserFrame, RemoteFrame and LocalFrame may be called from any
// goroutine.
type CallScreens struct {
	App     fyne.App
	Me      string
	Control CallControl
	// Members lists a group conversation's members ("Invite more").
	Members func(conv string) []string
	// Speakers lists playback devices; OnSpeaker picks one.
	Speakers  func() []string
	OnSpeaker func(string)
	// Cameras counts this device's cameras; OnSwitchCamera moves to the
	// next.
	Cameras        func() int
	OnSwitchCamera func()
	OnError        func(error)
	// Clock times the call timer, the video controls' idle hiding and
	// EndLinger: how long the call window shows how a call ended before
	// it closes. Set it before the first event.
	Clock     Clock
	EndLinger time.Duration

	// Remote and Local are the video surfaces of every video call.
	Remote *VideoSurface
	Local  *VideoSurface

	screen      string
	call        protocol.Call
	invite      *InviteWindow
	win         fyne.Window
	Outgoing    *OutgoingView
	Voice       *VoiceCallView
	Video       *VideoCallView
	Group       *GroupCallView
	Mini        *MiniWindow
	status      *canvas.Text
	connectedAt time.Time
	muted       bool
	cameraOff   bool
	ticker      Timer // the call timer's next tick, while a call is active
	linger      Timer // the close of an ended call's window
	// grid is the group call's grid while it shows, nil otherwise: where
	// the frames go, read on the media goroutines.
	grid atomic.Pointer[GroupCallView]
}

// NewCallScreens is idle until the first event.
func NewCallScreens(a fyne.App, me string, control CallControl) *CallScreens {
	return &CallScreens{App: a, Me: me, Control: control, Clock: systemClock{}, EndLinger: 1500 * time.Millisecond,
		Remote: NewVideoSurface(), Local: NewVideoSurface(),
		Members: func(string) []string { return nil }, Speakers: func() []string { return nil },
		Cameras: func() int { return 1 }}
}

// Screen names what is showing.
func (s *CallScreens) Screen() string { return s.screen }

// Invite is the open invite window, or nil.
func (s *CallScreens) Invite() *InviteWindow { return s.invite }

// Window is the call window, or nil.
func (s *CallScreens) Window() fyne.Window { return s.win }

// UserFrame shows a decoded video frame of user's camera: on their tile
// in a group call, else as the remote video; any goroutine.
func (s *CallScreens) UserFrame(user string, img *image.RGBA) {
	if g := s.grid.Load(); g != nil {
		g.PushFrame(user, img)
		return
	}
	s.RemoteFrame(img)
}

// RemoteFrame shows a decoded frame of the other party's video in a direct
// call; any goroutine.
func (s *CallScreens) RemoteFrame(img *image.RGBA) { s.Remote.Push(img) }

// LocalFrame shows a frame of the local preview, on our own tile in a
// group call; any goroutine.
func (s *CallScreens) LocalFrame(img *image.RGBA) {
	if g := s.grid.Load(); g != nil {
		g.PushFrame(s.Me, img)
		return
	}
	s.Local.Push(img)
}

// peer is the other person of a 1:1 call.
func (s *CallScreens) peer() string {
	if s.call.Caller != s.Me {
		return s.call.Caller
	}
	for _, p := range s.call.Participants {
		if p.User != s.Me {
			return p.User
		}
	}
	return ""
}

// HandleEvent shows what an engine event means.
func (s *CallScreens) HandleEvent(ev callcore.Event) {
	switch ev.Type {
	case callcore.EventState:
		if ev.State != callcore.Idle {
			s.call = ev.Call
		}
		switch ev.State {
		case callcore.Outgoing:
			s.muted, s.cameraOff = false, false
			s.showOutgoing()
		case callcore.Incoming:
			s.muted, s.cameraOff = false, false
			s.showInvite(ev.VoiceOnly)
		case callcore.Connecting:
			s.closeInvite()
			s.showInCall()
			s.setStatus(T("Connecting…"))
		case callcore.Active:
			s.closeInvite()
			s.showInCall()
			s.setStatus("")
			s.connectedAt = s.Clock.Now()
			s.startTicker()
			s.Tick()
		case callcore.Ended:
			s.end(ev.Outcome)
		}
	case callcore.EventCountdown:
		if s.invite != nil {
			s.invite.Countdown.Set(ev.SecondsLeft)
		}
		if s.Outgoing != nil && s.screen == ScreenOutgoing {
			s.Outgoing.Countdown.Set(ev.SecondsLeft)
		}
	case callcore.EventRemote:
		s.call = ev.Call
		s.remote(ev)
	case callcore.EventSwitched:
		s.call = ev.Call
		switch s.screen {
		case ScreenVideo, ScreenOutgoing:
			s.screen = ScreenNone // rebuild without the video controls
			s.show()
		case ScreenGroup:
			s.Group.SetCall(s.call)
		}
	case callcore.EventStats:
		switch s.screen {
		case ScreenVoice:
			s.Voice.Quality.Set(ev.Stats.Quality)
		case ScreenVideo:
			s.Video.Quality.Set(ev.Stats.Quality)
		case ScreenGroup:
			s.Group.SetQuality(ev.Stats.Quality)
		}
	case callcore.EventSpeaking:
		if s.screen == ScreenGroup {
			s.Group.SetSpeaking(ev.Speakers)
		}
	case callcore.EventError:
		if ev.Err == nil {
			return
		}
		if s.screen == ScreenNone || s.screen == ScreenInvite {
			s.fail(ev.Err)
		} else {
			s.setStatus(ev.Err.Error())
		}
	}
}

func (s *CallScreens) fail(err error) {
	if s.OnError != nil {
		s.OnError(err)
	}
}

// remote shows what another participant did.
func (s *CallScreens) remote(ev callcore.Event) {
	p := ev.Remote
	switch s.screen {
	case ScreenVoice:
		if p.User == s.peer() {
			s.Voice.Muted.Hidden = !p.Muted
			s.Voice.Muted.Refresh()
		}
	case ScreenVideo:
		if p.User == s.peer() {
			if s.Video.Muted.Hidden == p.Muted {
				s.Video.Muted.Hidden = !p.Muted
				s.Video.Muted.Refresh()
				s.Video.ShowControls() // the mark is in a bar
			}
			if s.Video.RemoteCameraOff() != p.CameraOff {
				s.Video.SetRemoteCameraOff(p.CameraOff)
			}
		}
	case ScreenGroup:
		s.Group.SetCall(s.call)
	case ScreenOutgoing:
		switch ev.What {
		case protocol.EventDeclined:
			s.setStatus(T("Declined"))
		case protocol.EventBusy:
			s.setStatus(T("Line busy"))
		case protocol.EventRinging:
			s.setStatus(T("Waiting for answer…"))
		}
	}
}

// show puts the screen that fits the call's state and media in the call
// window.
func (s *CallScreens) show() {
	want := ScreenVoice
	switch {
	case s.call.Group:
		want = ScreenGroup
	case s.call.State == protocol.CallRinging && s.call.Caller == s.Me:
		want = ScreenOutgoing
	case s.call.Media == protocol.MediaVideo:
		want = ScreenVideo
	}
	if want == s.screen && s.win != nil {
		if want == ScreenGroup {
			s.Group.SetCall(s.call)
		}
		return
	}
	stopTimer(&s.linger) // the window shows a call again
	s.closeVideo()
	s.status = whiteText("", 12, false)
	var content fyne.CanvasObject
	video := s.call.Media == protocol.MediaVideo
	switch want {
	case ScreenOutgoing:
		s.Outgoing = NewOutgoingView(s.peer(), video, s.hangup, s.toVoice)
		s.status = s.Outgoing.Status
		content = s.Outgoing.Object()
	case ScreenVoice:
		s.Voice = NewVoiceCallView(s.peer(), s.Speakers(), s.toggleMute, s.OnSpeaker, s.hangup)
		s.status = s.Voice.Status
		content = s.Voice.Object()
	case ScreenVideo:
		s.Video = NewVideoCallView(s.peer(), s.Remote, s.Local, s.Cameras(), s.Clock, VideoActions{
			Mute: s.toggleMute, Camera: s.toggleCamera, SwitchCamera: s.OnSwitchCamera,
			ToVoice: s.toVoice, Hangup: s.hangup, Minimize: s.Minimize})
		s.status = s.Video.Status
		if p := s.call.Participant(s.peer()); p != nil && p.CameraOff {
			s.Video.SetRemoteCameraOff(true)
		}
		content = s.Video.Object()
	case ScreenGroup:
		s.Group = NewGroupCallView(s.Me, GroupActions{Mute: s.toggleMute, Camera: s.toggleCamera,
			Invite: s.inviteMore, Hangup: s.hangup})
		s.Group.SetCall(s.call)
		content = container.NewBorder(nil, s.status, nil, nil, s.Group.Object())
	}
	s.screen = want
	if want == ScreenGroup {
		s.grid.Store(s.Group)
	} else {
		s.grid.Store(nil)
	}
	if s.win == nil {
		s.win = s.App.NewWindow(T("Parley call"))
		s.win.SetCloseIntercept(s.Minimize)
		s.win.Resize(fyne.NewSize(520, 600))
		// A key brings back the video call's hidden controls, so that a
		// keyboard reaches them without a mouse.
		s.win.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) {
			if s.screen == ScreenVideo {
				s.Video.ShowControls()
			}
		})
	}
	if want != ScreenVideo { // the video call has it in its bar
		leave := widget.NewButtonWithIcon("", theme.WindowMinimizeIcon(), s.Minimize)
		leave.Importance = widget.LowImportance
		content = container.NewBorder(container.NewHBox(leave, layout.NewSpacer()), nil, nil, nil, content)
	}
	s.win.SetContent(content)
	s.Tick() // a rebuilt screen's timer shows the call's time at once
	if s.Mini == nil {
		s.win.Show()
		s.win.RequestFocus()
	}
}

func (s *CallScreens) setStatus(text string) {
	if s.status != nil {
		s.status.Text = text
		s.status.Refresh()
	}
	if text != "" && s.screen == ScreenVideo {
		s.Video.ShowControls() // the status is in a bar
	}
}

// end shows how the call ended, then closes its windows.
func (s *CallScreens) end(outcome string) {
	stopTimer(&s.ticker)
	s.grid.Store(nil)
	s.closeInvite()
	s.closeMini()
	s.connectedAt = time.Time{}
	if s.screen == ScreenNone || s.win == nil {
		s.screen = ScreenNone
		return
	}
	s.setStatus(OutcomeText(outcome))
	s.screen = ScreenNone
	stopTimer(&s.linger)
	s.linger = s.Clock.AfterFunc(s.EndLinger, func() {
		s.linger = nil
		s.closeWindow()
	})
}

func (s *CallScreens) closeWindow() {
	if s.win != nil {
		s.win.Hide()
		s.win.SetContent(widget.NewLabel(""))
	}
	s.closeVideo()
	s.Outgoing, s.Voice, s.Group = nil, nil, nil
}

// closeVideo drops the video call view and stops its timer.
func (s *CallScreens) closeVideo() {
	if s.Video != nil {
		s.Video.Close()
		s.Video = nil
	}
}

// OutcomeText says how a call ended, on the call screen.
func OutcomeText(outcome string) string {
	switch outcome {
	case protocol.OutcomeCompleted, protocol.EventLeft:
		return T("Call ended")
	case protocol.EventAnsweredElsewhere:
		return T("Answered on another device")
	}
	return uncompletedOutcomeText(outcome)
}

// hangup ends the call; like toVoice, it is a button of the outgoing
// screen as well as of the in-call screens.
func (s *CallScreens) hangup() {
	c := s.Control
	background(func() error {
		err := c.Hangup()
		if errors.Is(err, callcore.ErrNoCall) {
			return nil
		}
		return err
	}, s.fail)
}

func (s *CallScreens) toVoice() {
	c := s.Control
	background(c.SwitchToAudio, s.fail)
}
