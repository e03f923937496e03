package views

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
)

// MiniWindow is the small floating window that keeps a call in sight while
// the person is elsewhere: the remote video or the peer's avatar, the
// timer on a dark strip that reads over any video, mute and hang up. A
// click elsewhere on it returns to the call.
type MiniWindow struct {
	Window fyne.Window
	Timer  *canvas.Text
	Video  *canvas.Image // nil in a voice call
	Mute   *RoundButton
	Hangup *RoundButton
	remote *VideoSurface
	tap    *TapArea
}

// NewMiniWindow builds and shows the mini window of the call snap; video
// is the remote video to mirror, nil for a voice call.
func NewMiniWindow(a fyne.App, snap CallSnapshot, video *VideoSurface, do CallActions) *MiniWindow {
	m := &MiniWindow{Window: a.NewWindow(T(miniWindowTitle)), Timer: whiteText("", 14, true), remote: video}
	m.Mute = NewRoundButton("", nil, toggleColor, color.White, 32, do.Mute)
	m.Hangup = NewRoundButton("", callEndIcon, hangupColor, color.White, 32, do.Hangup)
	picture := container.NewCenter(Avatar(snap.Peer(), 48))
	if video != nil {
		m.Video = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 4, 3)))
		m.Video.FillMode, m.Video.ScaleMode = canvas.ImageFillContain, canvas.ImageScaleFastest
		m.Video.Image = video.Image.Image
		video.Mirrors = append(video.Mirrors[:0], m.Video)
		picture = container.NewStack(m.Video)
	}
	strip := tileLabel(container.NewHBox(container.NewPadded(m.Timer), layout.NewSpacer(), m.Mute, m.Hangup))
	content := container.NewStack(darkBackground(), picture, container.NewVBox(layout.NewSpacer(), strip))
	m.tap = NewTapArea(content, do.Restore)
	m.Window.SetContent(m.tap)
	m.Window.Resize(fyne.NewSize(220, 165))
	m.Update(snap)
	m.Window.Show()
	return m
}

// Update shows the timer and our mute.
func (m *MiniWindow) Update(snap CallSnapshot) {
	setText(m.Timer, &m.Timer.Text, snap.Time)
	_, icon := muteFace(snap.Muted)
	m.Mute.Set("", icon, snap.Muted)
}

// Close stops mirroring the video and closes the window.
func (m *MiniWindow) Close() {
	if m.remote != nil {
		m.remote.Mirrors = nil
	}
	m.Window.Close()
}

// Tap returns to the call, as a click does.
func (m *MiniWindow) Tap() { m.tap.Tapped(nil) }
