package views

import (
	"image"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// callButton is a round-ish control button of the call screens.
func callButton(label string, icon fyne.Resource, tap func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, tap)
	return b
}

func hangupButton(label string, tap func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, theme.CancelIcon(), tap)
	b.Importance = widget.DangerImportance
	return b
}

func darkBackground() *canvas.Rectangle {
	return canvas.NewRectangle(color.NRGBA{0x20, 0x22, 0x25, 0xff})
}

func whiteText(s string, size float32, bold bool) *canvas.Text {
	t := canvas.NewText(s, color.White)
	t.TextSize = size
	t.TextStyle.Bold = bold
	t.Alignment = fyne.TextAlignCenter
	return t
}

// OutgoingView is "calling…": the callee, "Waiting for answer…" with the
// countdown, Cancel and, for video, "Switch to voice".
type OutgoingView struct {
	Countdown *Countdown
	Status    *canvas.Text
	Cancel    *widget.Button
	ToVoice   *widget.Button
	root      fyne.CanvasObject
}

// NewOutgoingView builds the screen of a call we placed.
func NewOutgoingView(callee string, video bool, onCancel, onToVoice func()) *OutgoingView {
	v := &OutgoingView{Countdown: NewCountdown(), Status: whiteText(T("Waiting for answer…"), 14, false)}
	v.Cancel = hangupButton(T("Cancel"), onCancel)
	controls := container.NewHBox(layout.NewSpacer(), v.Cancel)
	if video {
		v.ToVoice = callButton(T("Switch to voice"), theme.VolumeUpIcon(), onToVoice)
		controls.Add(v.ToVoice)
	}
	controls.Add(layout.NewSpacer())
	body := container.NewVBox(layout.NewSpacer(), container.NewCenter(Avatar(callee, 96)),
		whiteText(callee, 20, true), v.Status, v.Countdown, layout.NewSpacer(), controls)
	v.root = container.NewStack(darkBackground(), container.NewPadded(body))
	return v
}

// Object is the view's canvas object.
func (v *OutgoingView) Object() fyne.CanvasObject { return v.root }

// VoiceCallView is a voice call: the other person, the timer, the remote
// muted mark, the network quality, mute, the speaker choice and hang up.
type VoiceCallView struct {
	Timer   *canvas.Text
	Muted   *canvas.Text // shown when the other side muted
	Quality *QualityIndicator
	Mute    *widget.Button
	Speaker *widget.Select
	Hangup  *widget.Button
	Status  *canvas.Text
	root    fyne.CanvasObject
}

// NewVoiceCallView builds the screen of a voice call with peer. speakers
// lists the playback devices; onSpeaker gets the one picked.
func NewVoiceCallView(peer string, speakers []string, onMute func(), onSpeaker func(string), onHangup func()) *VoiceCallView {
	v := &VoiceCallView{Timer: whiteText("00:00", 16, false), Quality: NewQualityIndicator(),
		Muted: whiteText(T("Muted"), 12, false), Status: whiteText(T("Connecting…"), 12, false)}
	v.Muted.Hide()
	v.Mute = callButton(T("Mute"), theme.VolumeMuteIcon(), onMute)
	v.Hangup = hangupButton(T("Hang up"), onHangup)
	controls := container.NewHBox(layout.NewSpacer(), v.Mute, v.Hangup)
	if len(speakers) > 0 {
		v.Speaker = widget.NewSelect(speakers, onSpeaker)
		v.Speaker.PlaceHolder = T("Speaker")
		controls.Add(v.Speaker)
	}
	controls.Add(layout.NewSpacer())
	body := container.NewVBox(container.NewHBox(layout.NewSpacer(), v.Quality.Object()), layout.NewSpacer(),
		container.NewCenter(Avatar(peer, 96)), whiteText(peer, 20, true), v.Muted, v.Timer, v.Status,
		layout.NewSpacer(), controls)
	v.root = container.NewStack(darkBackground(), container.NewPadded(body))
	return v
}

// Object is the view's canvas object.
func (v *VoiceCallView) Object() fyne.CanvasObject { return v.root }

// VideoCallView is a video call: the remote video large, the local preview
// small in a corner (tap to swap), an avatar when the remote camera is off,
// and the controls.
type VideoCallView struct {
	Remote       *VideoSurface
	Local        *VideoSurface
	Timer        *canvas.Text
	Quality      *QualityIndicator
	Mute         *widget.Button
	Camera       *widget.Button
	SwitchCamera *widget.Button // nil unless there are several cameras
	ToVoice      *widget.Button
	Hangup       *widget.Button
	Minimize     *widget.Button
	Muted        *canvas.Text
	Status       *canvas.Text
	Swapped      bool
	// ControlsIdle is how long the controls stay after the pointer last
	// moved over the call.
	ControlsIdle time.Duration

	peer         string
	clock        Clock
	remoteBox    *fyne.Container    // remote video, or the avatar when its camera is off
	stage        *fyne.Container    // the large picture
	corner       *fyne.Container    // the small one, above the bottom bar
	bars         [2]*fyne.Container // top and bottom, over the video
	lastActivity time.Time
	hideTimer    Timer // pending hide, or nil
	onBar        bool  // the pointer was last seen over a bar
	held         bool  // the pointer went from a bar onto a control
	root         fyne.CanvasObject
}

// VideoActions are what the video call's buttons do.
type VideoActions struct {
	Mute, Camera, SwitchCamera, ToVoice, Hangup, Minimize func()
}

// NewVideoCallView builds the screen of a video call with peer, showing
// the remote and local surfaces; cameras is how many cameras this device
// has; clock times the controls' idle hiding. Close stops that timer.
func NewVideoCallView(peer string, remote, local *VideoSurface, cameras int, clock Clock, do VideoActions) *VideoCallView {
	v := &VideoCallView{Remote: remote, Local: local, peer: peer, clock: clock, ControlsIdle: 3 * time.Second,
		Timer: whiteText("00:00", 14, false), Quality: NewQualityIndicator(),
		Muted: whiteText(T("Muted"), 12, false), Status: whiteText(T("Connecting…"), 12, false)}
	v.Muted.Hide()
	v.Mute = callButton(T("Mute"), theme.VolumeMuteIcon(), do.Mute)
	v.Camera = callButton(T("Camera off"), theme.VisibilityOffIcon(), do.Camera)
	v.ToVoice = callButton(T("Switch to voice"), theme.VolumeUpIcon(), do.ToVoice)
	v.Hangup = hangupButton(T("Hang up"), do.Hangup)
	controls := container.NewHBox(layout.NewSpacer(), v.Mute, v.Camera)
	if cameras > 1 {
		v.SwitchCamera = callButton(T("Switch camera"), theme.ViewRefreshIcon(), do.SwitchCamera)
		controls.Add(v.SwitchCamera)
	}
	controls.Add(v.ToVoice)
	controls.Add(v.Hangup)
	controls.Add(layout.NewSpacer())
	v.Minimize = callButton("", theme.WindowMinimizeIcon(), do.Minimize)
	// Every frame repaints the whole window, so what the window holds
	// besides the video costs with every frame (measured in
	// bench/desktop_bench_test.go): the video fits the window as the bare
	// recipe does, with no background under it (the window's own clear
	// colour is free), and the bars lie over it and hide while nobody
	// moves the pointer, as in other call apps.
	v.remoteBox = container.NewStack(v.Remote.Image)
	v.stage = container.NewStack(v.remoteBox)
	v.corner = container.New(cornerLayout{}, NewTapArea(v.Local.Image, v.Swap))
	top := container.NewHBox(v.Minimize, v.Quality.Object(), layout.NewSpacer(), v.Muted, v.Timer)
	v.bars = [2]*fyne.Container{
		container.NewStack(darkBackground(), container.NewPadded(top)),
		container.NewStack(darkBackground(), container.NewVBox(v.Status, controls))}
	v.root = NewHoverArea(container.NewStack(v.stage, container.NewBorder(v.bars[0], v.bars[1], nil, nil, v.corner)),
		v.ShowControls, v.pointerMoved, v.pointerOut)
	v.ShowControls()
	return v
}

// Object is the view's canvas object.
func (v *VideoCallView) Object() fyne.CanvasObject { return v.root }

// ControlsShown tells whether the bars show.
func (v *VideoCallView) ControlsShown() bool { return v.bars[0].Visible() }

// ShowControls shows the bars until the pointer has rested for
// ControlsIdle.
func (v *VideoCallView) ShowControls() {
	v.held = false
	v.lastActivity = v.clock.Now()
	if !v.ControlsShown() {
		for _, b := range v.bars {
			b.Show()
		}
	}
	if v.hideTimer == nil { // a pending hide looks at lastActivity when it runs
		v.hideTimer = v.clock.AfterFunc(v.ControlsIdle, v.hideIdleControls)
	}
}

// hideIdleControls hides the bars unless the pointer moved since, or rests
// on a control.
func (v *VideoCallView) hideIdleControls() {
	v.hideTimer = nil
	if v.held {
		return // the next move over the call shows them again
	}
	if left := v.ControlsIdle - v.clock.Now().Sub(v.lastActivity); left > 0 {
		v.hideTimer = v.clock.AfterFunc(left, v.hideIdleControls)
		return
	}
	for _, b := range v.bars {
		b.Hide()
	}
}

// Close stops the idle timer: the call screens dropped the view.
func (v *VideoCallView) Close() { stopTimer(&v.hideTimer) }

func (v *VideoCallView) pointerMoved(at fyne.Position) {
	v.onBar = false
	for _, b := range v.bars {
		p, sz := b.Position(), b.Size()
		if b.Visible() && at.X >= p.X && at.Y >= p.Y && at.X < p.X+sz.Width && at.Y < p.Y+sz.Height {
			v.onBar = true
		}
	}
	v.ShowControls()
}

// pointerOut: the pointer left the call, for a button if it was last over
// a bar (the buttons take the pointer's moves), else for another window.
func (v *VideoCallView) pointerOut() { v.held = v.onBar }

// Swap exchanges the large and the small picture.
func (v *VideoCallView) Swap() {
	v.Swapped = !v.Swapped
	big, small := fyne.CanvasObject(v.remoteBox), fyne.CanvasObject(v.Local.Image)
	if v.Swapped {
		big, small = v.Local.Image, v.remoteBox
	}
	v.stage.Objects = []fyne.CanvasObject{big}
	v.corner.Objects = []fyne.CanvasObject{NewTapArea(small, v.Swap)}
	v.stage.Refresh()
	v.corner.Refresh()
}

// SetRemoteCameraOff shows the peer's avatar instead of their video.
func (v *VideoCallView) SetRemoteCameraOff(off bool) {
	if off {
		v.remoteBox.Objects = []fyne.CanvasObject{container.NewCenter(container.NewVBox(
			container.NewCenter(Avatar(v.peer, 96)), whiteText(T("Camera off"), 12, false)))}
	} else {
		v.remoteBox.Objects = []fyne.CanvasObject{v.Remote.Image}
	}
	v.remoteBox.Refresh()
}

// RemoteCameraOff tells whether the avatar shows instead of the video.
func (v *VideoCallView) RemoteCameraOff() bool { return v.remoteBox.Objects[0] != v.Remote.Image }

// MiniWindow is the small floating window that keeps a call in sight while
// the person is elsewhere: the remote video or the timer. A click returns
// to the call.
type MiniWindow struct {
	Window fyne.Window
	Timer  *canvas.Text
	Video  *canvas.Image
	tap    *TapArea
}

// NewMiniWindow builds the mini window; video may be nil (a voice call).
func NewMiniWindow(a fyne.App, peer string, video *VideoSurface, onReturn func()) *MiniWindow {
	m := &MiniWindow{Window: a.NewWindow(T("Call")), Timer: whiteText("00:00", 14, false)}
	var content fyne.CanvasObject
	if video != nil {
		m.Video = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 4, 3)))
		m.Video.FillMode, m.Video.ScaleMode = canvas.ImageFillContain, canvas.ImageScaleFastest
		m.Video.Image = video.Image.Image
		video.Mirrors = append(video.Mirrors[:0], m.Video)
		content = container.NewStack(darkBackground(), m.Video, container.NewVBox(layout.NewSpacer(), m.Timer))
	} else {
		content = container.NewStack(darkBackground(), container.NewCenter(container.NewVBox(
			container.NewCenter(Avatar(peer, 48)), m.Timer)))
	}
	m.tap = NewTapArea(content, onReturn)
	m.Window.SetContent(m.tap)
	m.Window.Resize(fyne.NewSize(200, 150))
	m.Window.Show()
	return m
}

// Tap returns to the call, as a click does.
func (m *MiniWindow) Tap() { m.tap.Tapped(nil) }
