package views

import (
	"errors"
	"image"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// CallScreens follows the call engine's events and shows the screen that
// fits: the invite window, and in the call window the outgoing, voice,
// video or group screen, with the mini window while the person is away
// from it. It keeps no state of the call that the engine keeps: each
// screen shows a CallSnapshot of the engine's call. HandleEvent runs on
// the UI goroutine (the app calls it in fyne.Do); UserFrame, RemoteFrame
// and LocalFrame may be called from any goroutine.
type CallScreens struct {
	App     fyne.App
	Me      string
	Control CallControl
	// Members lists a group conversation's members ("Invite more").
	Members func(conv string) []string
	// Title names a conversation, for a group invite.
	Title func(conv string) string
	// Speakers lists playback devices; OnSpeaker picks one.
	Speakers  func() []string
	OnSpeaker func(string)
	// OnSpeakerOff silences (true) or plays again (false) the call's
	// sound on this device: the speaker button.
	OnSpeakerOff func(off bool)
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

	// Remote and Local are the video surfaces of every direct video call.
	Remote *VideoSurface
	Local  *VideoSurface

	// What the engine told, as of its latest event.
	state       callcore.State
	call        protocol.Call
	voiceOnly   bool
	secondsLeft int
	quality     media.Quality
	speakers    []string
	status      string // an error or how the call ended; "" for the state's words
	speakerOff  bool   // the speaker button: this device plays nothing of the call
	noSpeaker   bool   // the app found no speaker for the call's sound
	connectedAt time.Time
	// wantMuted and wantCameraOff are requests the engine has not
	// confirmed yet, shown meanwhile; nil once it has.
	wantMuted, wantCameraOff *bool

	invite *InviteWindow
	win    fyne.Window
	screen callWindowScreen // in the call window; nil while it shows none
	mini   *MiniWindow
	ticker Timer // the call timer's next tick, while a call is active
	linger Timer // the close of an ended call's window
	// grid is the group call's screen while it shows, nil otherwise:
	// where the frames go, read on the media goroutines.
	grid atomic.Pointer[GroupScreen]
}

// The titles of the call's windows, in English.
const (
	callWindowTitle   = "Parley call"
	miniWindowTitle   = "Call"
	inviteWindowTitle = "Incoming call"
)

// NewCallScreens is idle until the first event.
func NewCallScreens(a fyne.App, me string, control CallControl) *CallScreens {
	return &CallScreens{App: a, Me: me, Control: control, Clock: systemClock{}, EndLinger: 1500 * time.Millisecond,
		Remote: NewVideoSurface(), Local: NewVideoSurface(),
		Members: func(string) []string { return nil }, Title: groupName,
		Speakers: func() []string { return nil }, Cameras: func() int { return 1 }}
}

// Current is the screen in the call window, or nil.
func (s *CallScreens) Current() CallScreen {
	if s.screen == nil {
		return nil
	}
	return s.screen
}

// Invite is the open invite window, or nil.
func (s *CallScreens) Invite() *InviteWindow { return s.invite }

// Mini is the open mini window, or nil.
func (s *CallScreens) Mini() *MiniWindow { return s.mini }

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

// Snapshot is the call as the screens show it now.
func (s *CallScreens) Snapshot() CallSnapshot {
	snap := CallSnapshot{Me: s.Me, State: s.state, Call: s.call, VoiceOnly: s.voiceOnly, Title: s.Title(s.call.Conversation),
		SecondsLeft: s.secondsLeft, Quality: s.quality, Speakers: s.speakers, Status: s.status,
		SpeakerOff: s.speakerOff, NoSpeaker: s.noSpeaker}
	if p := s.call.Participant(s.Me); p != nil {
		snap.Muted, snap.CameraOff = p.Muted, p.CameraOff
	}
	if s.wantMuted != nil {
		snap.Muted = *s.wantMuted
	}
	if s.wantCameraOff != nil {
		snap.CameraOff = *s.wantCameraOff
	}
	if !s.connectedAt.IsZero() {
		snap.Time = DurationText(s.Clock.Now().Sub(s.connectedAt))
	}
	return snap
}

// HandleEvent shows what an engine event means.
func (s *CallScreens) HandleEvent(ev callcore.Event) {
	switch ev.Type {
	case callcore.EventState:
		s.state = ev.State
		if ev.State != callcore.Idle {
			s.call = ev.Call
		}
		switch ev.State {
		case callcore.Outgoing, callcore.Incoming:
			s.newCall(ev.VoiceOnly)
		case callcore.Connecting:
			s.closeInvite()
			s.status = ""
		case callcore.Active:
			s.closeInvite()
			s.status = ""
			s.connectedAt = s.Clock.Now()
			s.startTicker()
		case callcore.Ended:
			s.end(ev.Outcome)
			return
		case callcore.Idle:
			return
		}
		s.show()
	case callcore.EventCountdown:
		s.secondsLeft = ev.SecondsLeft
		s.refresh()
	case callcore.EventRemote:
		s.call = ev.Call
		if s.state == callcore.Outgoing && !s.call.Group && (ev.What == protocol.EventDeclined || ev.What == protocol.EventBusy) {
			s.status = OutcomeText(map[string]string{protocol.EventDeclined: protocol.OutcomeDeclined,
				protocol.EventBusy: protocol.OutcomeBusy}[ev.What])
		}
		s.refresh()
	case callcore.EventSwitched:
		s.call = ev.Call
		s.show() // a video screen gives way to the voice screen
	case callcore.EventStats:
		s.quality = ev.Stats.Quality
		s.refresh()
	case callcore.EventSpeaking:
		s.speakers = ev.Speakers
		s.refresh()
	case callcore.EventError:
		if ev.Err == nil {
			return
		}
		if s.screen == nil {
			s.fail(ev.Err)
			return
		}
		s.status = errorText(ev.Err)
		s.refresh()
	}
}

// SetSpeakerMissing says whether the app found a speaker to play the
// call's sound on (it opens one when media flows): without one the call
// screens say so, as they say a missing microphone or camera.
func (s *CallScreens) SetSpeakerMissing(missing bool) {
	if s.noSpeaker != missing {
		s.noSpeaker = missing
		s.refresh()
	}
}

// newCall forgets what the screens showed of the last call.
func (s *CallScreens) newCall(voiceOnly bool) {
	s.voiceOnly, s.secondsLeft, s.quality, s.speakers, s.status = voiceOnly, 0, media.QualityUnknown, nil, ""
	s.wantMuted, s.wantCameraOff = nil, nil
	s.speakerOff = false // each call starts with its sound on
	s.noSpeaker = false  // and tries the speaker anew
	s.closeInvite()
	s.dropScreen()
	if s.state == callcore.Incoming {
		s.invite = NewInviteWindow(s.App, s.Snapshot(), s.actions())
	}
}

// show puts the screen that fits the call in the call window: the one
// there if it fits, else a new one.
func (s *CallScreens) show() {
	if s.state == callcore.Incoming {
		s.refresh()
		return
	}
	snap := s.Snapshot()
	if s.screen != nil && s.screen.Fits(snap) {
		s.refresh()
		return
	}
	stopTimer(&s.linger) // the window shows a call again
	s.dropScreen()
	s.screen = s.newScreen(snap)
	if g, ok := s.screen.(*GroupScreen); ok {
		s.grid.Store(g)
	}
	if s.win == nil {
		s.win = s.App.NewWindow(T(callWindowTitle))
		s.win.SetCloseIntercept(s.Minimize)
		s.win.Resize(fyne.NewSize(520, 600))
		s.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
			if v, ok := s.screen.(*VideoScreen); ok {
				v.TypedKey(k)
			}
		})
		// A desktop window tells of every key going down while no control
		// has the keyboard, Tab and the modifiers included; the controls
		// tell of theirs (RoundButton.OnKey).
		if dc, ok := s.win.Canvas().(desktop.Canvas); ok {
			dc.SetOnKeyDown(func(k *fyne.KeyEvent) {
				if v, ok := s.screen.(*VideoScreen); ok {
					v.KeyDown(k)
				}
			})
		}
	}
	content := s.screen.Object()
	if _, video := s.screen.(*VideoScreen); !video { // the video screen has it in its bar
		leave := widget.NewButtonWithIcon("", theme.WindowMinimizeIcon(), s.Minimize)
		leave.Importance = widget.LowImportance
		content = container.NewStack(content, container.NewVBox(container.NewHBox(leave, layout.NewSpacer())))
	}
	s.win.SetContent(content)
	if s.mini == nil {
		s.win.Show()
		s.win.RequestFocus()
	} else {
		s.mini.Update(snap)
	}
}

// newScreen builds the call window's screen that fits snap.
func (s *CallScreens) newScreen(snap CallSnapshot) callWindowScreen {
	do := s.actions()
	switch {
	case snap.Call.Group:
		return NewGroupScreen(snap, s.Clock, do)
	case snap.State == callcore.Outgoing:
		return NewOutgoingScreen(snap, s.Local, do)
	case snap.Video():
		return NewVideoScreen(snap, s.Remote, s.Local, s.Cameras(), s.Clock, do)
	}
	return NewVoiceScreen(snap, s.Speakers(), do)
}

// refresh shows the call's snapshot on every screen that is open.
func (s *CallScreens) refresh() {
	s.confirmRequests()
	snap := s.Snapshot()
	if s.invite != nil {
		s.invite.Update(snap)
	}
	if s.screen != nil {
		s.screen.Update(snap)
	}
	if s.mini != nil {
		s.mini.Update(snap)
	}
}

// confirmRequests reads the engine's call, which has our own mute and
// camera before any event tells, and forgets the requests it confirms.
func (s *CallScreens) confirmRequests() {
	if s.Control != nil && (s.wantMuted != nil || s.wantCameraOff != nil) {
		if _, c := s.Control.State(); c.ID != "" && c.ID == s.call.ID {
			s.call = c
		}
	}
	if p := s.call.Participant(s.Me); p != nil {
		if s.wantMuted != nil && *s.wantMuted == p.Muted {
			s.wantMuted = nil
		}
		if s.wantCameraOff != nil && *s.wantCameraOff == p.CameraOff {
			s.wantCameraOff = nil
		}
	}
}

// end shows how the call ended, then closes its windows.
func (s *CallScreens) end(outcome string) {
	stopTimer(&s.ticker)
	s.grid.Store(nil)
	s.closeInvite()
	s.closeMini()
	s.connectedAt = time.Time{}
	if s.screen == nil {
		return
	}
	s.status = OutcomeText(outcome)
	s.refresh()
	stopTimer(&s.linger)
	s.linger = s.Clock.AfterFunc(s.EndLinger, func() {
		s.linger = nil
		s.dropScreen()
		if s.win != nil {
			s.win.Hide()
			s.win.SetContent(widget.NewLabel(""))
		}
	})
}

// dropScreen closes the call window's screen.
func (s *CallScreens) dropScreen() {
	if s.screen != nil {
		s.screen.Close()
		s.screen = nil
	}
	s.grid.Store(nil)
}

func (s *CallScreens) closeInvite() {
	if s.invite != nil {
		s.invite.Close()
		s.invite = nil
	}
}

func (s *CallScreens) fail(err error) {
	if s.OnError != nil {
		s.OnError(err)
	}
}

// inCall tells whether the call is connecting or connected.
func (s *CallScreens) inCall() bool {
	return s.state == callcore.Connecting || s.state == callcore.Active
}

// Tick updates the call timer.
func (s *CallScreens) Tick() {
	if !s.connectedAt.IsZero() {
		s.refresh()
	}
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

// Retitle names the call's windows in the current language.
func (s *CallScreens) Retitle() {
	if s.win != nil {
		s.win.SetTitle(T(callWindowTitle))
	}
	if s.mini != nil {
		s.mini.Window.SetTitle(T(miniWindowTitle))
	}
	if s.invite != nil {
		s.invite.Window.SetTitle(T(inviteWindowTitle))
	}
}

// Minimize leaves the call window for the mini window.
func (s *CallScreens) Minimize() {
	if s.win == nil || s.screen == nil || s.mini != nil || !(s.inCall() || s.state == callcore.Outgoing) {
		return
	}
	var video *VideoSurface
	if _, ok := s.screen.(*VideoScreen); ok {
		video = s.Remote
	}
	s.win.Hide()
	s.mini = NewMiniWindow(s.App, s.Snapshot(), video, s.actions())
}

// Restore returns from the mini window to the call window.
func (s *CallScreens) Restore() {
	s.closeMini()
	if s.win != nil && s.screen != nil {
		s.win.Show()
		s.win.RequestFocus()
	}
}

func (s *CallScreens) closeMini() {
	if s.mini != nil {
		s.mini.Close()
		s.mini = nil
	}
}

// hangup ends the call: cancels it while it rings, leaves it after.
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
