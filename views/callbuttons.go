package views

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The call screens' look: round icon buttons with a label under each, as
// TUICalling draws them, white text on a dark background.

// Fill colours of round buttons. White on each is above WCAG AA's 4.5:1
// (accept 5.1:1, hang up 5.6:1, the others more), so the icons read.
var (
	acceptColor = color.NRGBA{0x1b, 0x7f, 0x3b, 0xff}
	hangupColor = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	toggleColor = color.NRGBA{0x4a, 0x4d, 0x52, 0xff}
	// toggleOnColor marks a toggle that is on (muted, camera off): light,
	// with a dark icon.
	toggleOnColor = color.NRGBA{0xf1, 0xf3, 0xf4, 0xff}
)

// RoundButton is a round icon button with its label under it.
type RoundButton struct {
	widget.BaseWidget
	Text     string
	Icon     fyne.Resource
	OnTapped func()
	// On shows a toggle that is on: the light fill, a dark icon.
	On bool

	fill       color.Color
	labelColor color.Color
	size       float32
}

// NewRoundButton is a button of diameter size; labelColor is its label's,
// for the background it stands on.
func NewRoundButton(label string, icon fyne.Resource, fill, labelColor color.Color, size float32, tap func()) *RoundButton {
	b := &RoundButton{Text: label, Icon: icon, OnTapped: tap, fill: fill, labelColor: labelColor, size: size}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped implements fyne.Tappable.
func (b *RoundButton) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

// Set changes what the button says and whether it shows as on; it
// refreshes only on a change, as the screens call it every second.
func (b *RoundButton) Set(label string, icon fyne.Resource, on bool) {
	if b.Text == label && b.Icon == icon && b.On == on {
		return
	}
	b.Text, b.Icon, b.On = label, icon, on
	b.Refresh()
}

// Cursor implements desktop.Cursorable: a hand, as over any button.
func (b *RoundButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (b *RoundButton) CreateRenderer() fyne.WidgetRenderer {
	r := &roundButtonRenderer{b: b, circle: canvas.NewCircle(b.fill), icon: canvas.NewImageFromResource(nil),
		label: canvas.NewText("", b.labelColor)}
	r.icon.FillMode = canvas.ImageFillContain
	r.label.Alignment = fyne.TextAlignCenter
	r.label.TextSize = 12
	r.Refresh()
	return r
}

type roundButtonRenderer struct {
	b      *RoundButton
	circle *canvas.Circle
	icon   *canvas.Image
	label  *canvas.Text
}

func (r *roundButtonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.circle, r.icon, r.label}
}

func (r *roundButtonRenderer) MinSize() fyne.Size {
	l := r.label.MinSize()
	return fyne.NewSize(max(r.b.size, l.Width), r.b.size+theme.Padding()+l.Height)
}

// Layout keeps the circle round and centred over the label, whatever room
// the row gives.
func (r *roundButtonRenderer) Layout(size fyne.Size) {
	d := r.b.size
	left := (size.Width - d) / 2
	r.circle.Resize(fyne.NewSquareSize(d))
	r.circle.Move(fyne.NewPos(left, 0))
	r.icon.Resize(fyne.NewSquareSize(d / 2))
	r.icon.Move(fyne.NewPos(left+d/4, d/4))
	r.label.Resize(fyne.NewSize(size.Width, r.label.MinSize().Height))
	r.label.Move(fyne.NewPos(0, d+theme.Padding()))
}

func (r *roundButtonRenderer) Refresh() {
	fill, iconColor := r.b.fill, theme.ColorNameForegroundOnPrimary
	if r.b.On {
		fill, iconColor = toggleOnColor, theme.ColorNameBackground
	}
	r.circle.FillColor = fill
	if r.b.Icon != nil {
		r.icon.Resource = theme.NewColoredResource(r.b.Icon, iconColor)
	}
	r.label.Text = r.b.Text
	r.label.Hidden = r.b.Text == ""
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *roundButtonRenderer) Destroy() {}

// callButton is a round button of the call screens, on their dark
// background.
func callButton(label string, icon fyne.Resource, tap func()) *RoundButton {
	return NewRoundButton(label, icon, toggleColor, color.White, 56, tap)
}

func hangupButton(label string, tap func()) *RoundButton {
	return NewRoundButton(label, callEndIcon, hangupColor, color.White, 56, tap)
}

// controlRow is a call screen's row of buttons, centred, with room
// between them.
func controlRow(buttons ...fyne.CanvasObject) *fyne.Container {
	row := container.NewHBox()
	for _, b := range buttons {
		row.Add(container.NewPadded(b))
	}
	return container.NewCenter(row)
}

// muteFace is what the mute button shows: the microphone struck through
// while muted, and the word for what a tap does.
func muteFace(muted bool) (string, fyne.Resource) {
	if muted {
		return T("Unmute"), micOffIcon
	}
	return T("Mute"), micIcon
}

// speakerFace is what the speaker button shows: what a tap does, as the
// mute button says.
func speakerFace(off bool) (string, fyne.Resource) {
	if off {
		return T("Speaker on"), theme.VolumeMuteIcon()
	}
	return T("Speaker off"), theme.VolumeUpIcon()
}

// cameraFace is what the camera button shows.
func cameraFace(off bool) (string, fyne.Resource) {
	if off {
		return T("Camera on"), theme.VisibilityOffIcon()
	}
	return T("Camera off"), theme.MediaVideoIcon()
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
