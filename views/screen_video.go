package views

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// VideoScreen is a video call, laid out as TUICalling does: the remote
// video large, our preview small at its top right (tap to swap), the
// peer's name and the timer centred at the top, and round buttons with
// labels at the bottom. The bars hide while nobody moves the pointer or
// types; any key brings them back, whether the window or one of its
// controls has the keyboard.
type VideoScreen struct {
	Remote       *VideoSurface
	Local        *VideoSurface
	Timer        *canvas.Text
	Quality      *QualityIndicator
	Mute         *RoundButton
	Camera       *RoundButton
	Speaker      *RoundButton // the call's sound on or off on this device
	SwitchCamera *RoundButton // nil unless there are several cameras
	ToVoice      *RoundButton
	Hangup       *RoundButton
	Minimize     *KeyButton
	Muted        *canvas.Text // shown while the peer is muted
	Status       *canvas.Text
	Swapped      bool
	// ControlsIdle is how long the controls stay after the pointer last
	// moved over the call.
	ControlsIdle time.Duration

	peer, me     string
	clock        Clock
	remoteBox    *fyne.Container    // remote video, or the peer's avatar while their camera is off
	localBox     *fyne.Container    // our preview, or "Camera off" while ours is off
	stage        *fyne.Container    // the large picture and the small one
	bars         [2]*fyne.Container // top and bottom, over the video
	lastActivity time.Time
	hideTimer    Timer // pending hide, or nil
	onBar        bool  // the pointer was last seen over a bar
	held         bool  // the pointer went from a bar onto a control
	root         fyne.CanvasObject
}

// NewVideoScreen builds the screen of the video call snap, showing the
// remote and local surfaces; cameras is how many cameras this device has;
// clock times the controls' idle hiding. Close stops that timer.
func NewVideoScreen(snap CallSnapshot, remote, local *VideoSurface, cameras int, clock Clock, do CallActions) *VideoScreen {
	v := &VideoScreen{Remote: remote, Local: local, peer: snap.Peer(), me: snap.Me, clock: clock,
		ControlsIdle: 3 * time.Second, Timer: whiteText("", 14, false), Quality: NewQualityIndicator(),
		Muted: whiteText(T("Muted"), 12, false), Status: whiteText("", 12, false)}
	v.Mute = callButton("", nil, do.Mute)
	v.Camera = callButton("", nil, do.Camera)
	v.Speaker = callButton("", nil, do.ToggleSpeaker)
	v.ToVoice = callButton(T("Switch to voice"), callIcon, do.ToVoice)
	v.Hangup = hangupButton(T("Hang up"), do.Hangup)
	buttons := []fyne.CanvasObject{v.Mute, v.Camera, v.Speaker}
	if cameras > 1 {
		v.SwitchCamera = callButton(T("Switch camera"), theme.ViewRefreshIcon(), do.SwitchCamera)
		buttons = append(buttons, v.SwitchCamera)
	}
	buttons = append(buttons, v.ToVoice, v.Hangup)
	v.Minimize = NewKeyButton(theme.WindowMinimizeIcon(), do.Minimize)
	v.Minimize.Importance = widget.LowImportance
	// A key used while a control has the keyboard shows the controls, as
	// one used on the window does (CallScreens gives it the window's).
	v.Minimize.OnKey = v.keyUsed
	for _, b := range buttons {
		b.(*RoundButton).OnKey = v.keyUsed
	}
	// Every frame repaints the whole window, so what the window holds
	// besides the video costs with every frame (measured in
	// bench/desktop_bench_test.go): the video fits the window as the bare
	// recipe does, with no background under it (the window's own clear
	// colour is free), and the bars lie over it and hide while nobody
	// moves the pointer, as in other call apps.
	v.remoteBox = container.NewStack(v.Remote.Image)
	v.localBox = container.NewStack(v.Local.Image)
	v.stage = container.New(&previewLayout{}, v.remoteBox, NewTapArea(v.localBox, v.Swap))
	title := container.NewVBox(whiteText(v.peer, 16, true), v.Timer)
	top := container.NewBorder(nil, nil, v.Minimize, container.NewVBox(v.Quality.Object(), v.Muted), title)
	v.bars = [2]*fyne.Container{
		container.NewStack(barBackground(), container.NewPadded(top)),
		container.NewStack(barBackground(), container.NewVBox(v.Status, controlRow(buttons...)))}
	v.root = NewHoverArea(container.NewStack(v.stage, container.NewBorder(v.bars[0], v.bars[1], nil, nil)),
		v.ShowControls, v.pointerMoved, v.pointerOut)
	v.Update(snap)
	v.ShowControls()
	return v
}

// barBackground darkens the video under a bar, so that white text reads
// over any picture.
func barBackground() *canvas.Rectangle {
	return canvas.NewRectangle(color.NRGBA{0x20, 0x22, 0x25, 0xb0})
}

// Object is the screen's canvas object.
func (v *VideoScreen) Object() fyne.CanvasObject { return v.root }

// Update shows the timer, the status, our mute and camera, and the peer's.
func (v *VideoScreen) Update(snap CallSnapshot) {
	setText(v.Timer, &v.Timer.Text, snap.Time)
	status := snap.StatusText()
	if status != v.Status.Text {
		setText(v.Status, &v.Status.Text, status)
		if status != "" {
			v.ShowControls() // the status is in a bar
		}
	}
	label, icon := muteFace(snap.Muted)
	v.Mute.Set(label, icon, snap.Muted)
	label, icon = cameraFace(snap.CameraOff)
	v.Camera.Set(label, icon, snap.CameraOff)
	label, icon = speakerFace(snap.SpeakerOff)
	v.Speaker.Set(label, icon, snap.SpeakerOff)
	peer := snap.PeerState()
	if v.Muted.Visible() != peer.Muted {
		showIf(v.Muted, peer.Muted)
		v.ShowControls() // the mark is in a bar
	}
	if v.RemoteCameraOff() != peer.CameraOff {
		v.remoteBox.Objects[0] = v.Remote.Image
		if peer.CameraOff {
			v.remoteBox.Objects[0] = cameraOffPicture(v.peer, 96)
		}
		v.remoteBox.Refresh()
	}
	if v.LocalCameraOff() != snap.CameraOff {
		v.localBox.Objects[0] = v.Local.Image
		if snap.CameraOff {
			v.localBox.Objects[0] = cameraOffPicture(v.me, 32)
		}
		v.localBox.Refresh()
	}
	if v.Quality.Level != snap.Quality {
		v.Quality.Set(snap.Quality)
	}
}

// cameraOffPicture stands for a camera that is off: the person's avatar
// over "Camera off".
func cameraOffPicture(user string, size float32) fyne.CanvasObject {
	return container.NewStack(darkBackground(), container.NewCenter(container.NewVBox(
		container.NewCenter(Avatar(user, size)), whiteText(T("Camera off"), 11, false))))
}

// RemoteCameraOff tells whether the peer's avatar shows instead of their
// video.
func (v *VideoScreen) RemoteCameraOff() bool { return v.remoteBox.Objects[0] != v.Remote.Image }

// LocalCameraOff tells whether our preview says our camera is off.
func (v *VideoScreen) LocalCameraOff() bool { return v.localBox.Objects[0] != v.Local.Image }

// ControlsShown tells whether the bars show.
func (v *VideoScreen) ControlsShown() bool { return v.bars[0].Visible() }

// ShowControls shows the bars until the pointer has rested for
// ControlsIdle.
func (v *VideoScreen) ShowControls() {
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
func (v *VideoScreen) hideIdleControls() {
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

// Fits tells whether the screen shows snap: a direct video call with
// media.
func (v *VideoScreen) Fits(snap CallSnapshot) bool {
	return inCallState(snap.State) && !snap.Call.Group && snap.Video()
}

// Close stops the idle timer: the call screens dropped the screen.
func (v *VideoScreen) Close() { stopTimer(&v.hideTimer) }

// TypedKey brings back hidden controls, so that a keyboard reaches them
// without a mouse: a key typed on the window.
func (v *VideoScreen) TypedKey(*fyne.KeyEvent) { v.ShowControls() }

// KeyDown is TypedKey for a key going down, which a desktop window tells
// of every key: Tab (which moves the keyboard to the next control) and
// the modifiers too.
func (v *VideoScreen) KeyDown(*fyne.KeyEvent) { v.ShowControls() }

// keyUsed is a key used while a control has the keyboard: it shows the
// controls and tells whether they were hidden.
func (v *VideoScreen) keyUsed() bool {
	hidden := !v.ControlsShown()
	v.ShowControls()
	return hidden
}

func (v *VideoScreen) pointerMoved(at fyne.Position) {
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
func (v *VideoScreen) pointerOut() { v.held = v.onBar }

// Swap exchanges the large and the small picture.
func (v *VideoScreen) Swap() {
	v.Swapped = !v.Swapped
	big, small := fyne.CanvasObject(v.remoteBox), fyne.CanvasObject(v.localBox)
	if v.Swapped {
		big, small = v.localBox, v.remoteBox
	}
	v.stage.Objects = []fyne.CanvasObject{big, NewTapArea(small, v.Swap)}
	v.stage.Refresh()
}

// previewLayout lays out the large picture over the whole area and the
// small one a quarter as wide at the top right of the large picture's
// video, as far as its frames' shape shows where that is.
type previewLayout struct{}

func (*previewLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(64, 48) }

func (*previewLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.NewPos(0, 0))
	video := fyne.NewSize(size.Width, size.Height)
	if aspect := frameAspect(objs[0]); aspect > 0 {
		video = fyne.NewSize(min(size.Width, size.Height*aspect), min(size.Height, size.Width/aspect))
	}
	w := video.Width / 4
	h := w * 3 / 4
	left := (size.Width-video.Width)/2 + video.Width - w - 8
	top := (size.Height-video.Height)/2 + 8
	objs[1].Resize(fyne.NewSize(w, h))
	objs[1].Move(fyne.NewPos(left, top))
}

// frameAspect is the width over the height of the frames a picture shows,
// or 0 when it shows none (an avatar).
func frameAspect(o fyne.CanvasObject) float32 {
	box, ok := o.(*fyne.Container)
	if !ok || len(box.Objects) == 0 {
		return 0
	}
	img, ok := box.Objects[0].(*canvas.Image)
	if !ok || img.Image == nil || img.Image.Bounds().Dy() == 0 {
		return 0
	}
	b := img.Image.Bounds()
	return float32(b.Dx()) / float32(b.Dy())
}
