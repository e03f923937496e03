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

// RoundButton is a round icon button with its label under it. It takes
// the keyboard (Tab moves to it; Space or Enter taps it, a ring shows it
// has the keyboard) and hands the keys it does not use to its window.
type RoundButton struct {
	widget.BaseWidget
	Text     string
	Icon     fyne.Resource
	OnTapped func()
	// On shows a toggle that is on: the light fill, a dark icon.
	On bool
	// OnKey, when set, hears every key used while the button has the
	// keyboard; see keyUse.
	OnKey func() bool

	fill       color.Color
	labelColor color.Color
	size       float32
	focused    bool
	keys       keyUse
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

// FocusGained implements fyne.Focusable: the ring shows.
func (b *RoundButton) FocusGained() {
	b.focused = true
	b.Refresh()
}

// FocusLost implements fyne.Focusable.
func (b *RoundButton) FocusLost() {
	b.focused = false
	b.keys.revealed = false
	b.Refresh()
}

// HasFocus tells whether the button has the keyboard.
func (b *RoundButton) HasFocus() bool { return b.focused }

// KeyDown implements desktop.Keyable: a key goes down, before it is typed.
func (b *RoundButton) KeyDown(*fyne.KeyEvent) { b.keys.down(b.OnKey) }

// KeyUp implements desktop.Keyable.
func (b *RoundButton) KeyUp(*fyne.KeyEvent) {}

// TypedRune implements fyne.Focusable.
func (b *RoundButton) TypedRune(rune) { b.keys.typed(b.OnKey) }

// TypedKey implements fyne.Focusable: Space and Enter tap the button; the
// window has the other keys (Escape on the invite declines).
func (b *RoundButton) TypedKey(ev *fyne.KeyEvent) {
	if b.keys.typed(b.OnKey) {
		return
	}
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(b); c != nil && c.OnTypedKey() != nil {
		c.OnTypedKey()(ev)
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
		label: canvas.NewText("", b.labelColor), ring: canvas.NewCircle(color.Transparent)}
	// The ring is in the label's colour, which reads on the background.
	r.ring.StrokeColor, r.ring.StrokeWidth = b.labelColor, 2
	r.icon.FillMode = canvas.ImageFillContain
	r.label.Alignment = fyne.TextAlignCenter
	r.label.TextSize = 12
	r.Refresh()
	return r
}

type roundButtonRenderer struct {
	b      *RoundButton
	ring   *canvas.Circle // around the button while it has the keyboard
	circle *canvas.Circle
	icon   *canvas.Image
	label  *canvas.Text
}

func (r *roundButtonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.ring, r.circle, r.icon, r.label}
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
	r.ring.Resize(fyne.NewSquareSize(d + 6))
	r.ring.Move(fyne.NewPos(left-3, -3))
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
	r.ring.Hidden = !r.b.focused
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *roundButtonRenderer) Destroy() {}

// keyUse is how a control of a screen whose controls hide (the video
// screen) tells it of the keys used while the control has the keyboard:
// onKey shows the controls and tells whether they were hidden. The key
// that brings them back does nothing else, so that a key pressed while
// nothing shows cannot tap a control unseen.
type keyUse struct {
	revealed bool // the key that went down brought the controls back
}

// down is a key going down (desktop.Keyable).
func (k *keyUse) down(onKey func() bool) { k.revealed = onKey != nil && onKey() }

// typed is a key or a character typed; it tells whether the key only
// brought the controls back.
func (k *keyUse) typed(onKey func() bool) bool {
	revealed := k.revealed
	k.revealed = false
	if onKey != nil && onKey() {
		revealed = true
	}
	return revealed
}

// KeyButton is a widget.Button that tells OnKey of the keys used while it
// has the keyboard, as RoundButton does: the video screen's minimise
// button.
type KeyButton struct {
	widget.Button
	OnKey func() bool
	keys  keyUse
}

// NewKeyButton is a button with icon and no text.
func NewKeyButton(icon fyne.Resource, tap func()) *KeyButton {
	b := &KeyButton{}
	b.Icon, b.OnTapped = icon, tap
	b.ExtendBaseWidget(b)
	return b
}

// KeyDown implements desktop.Keyable.
func (b *KeyButton) KeyDown(*fyne.KeyEvent) { b.keys.down(b.OnKey) }

// KeyUp implements desktop.Keyable.
func (b *KeyButton) KeyUp(*fyne.KeyEvent) {}

// TypedRune implements fyne.Focusable.
func (b *KeyButton) TypedRune(r rune) {
	if !b.keys.typed(b.OnKey) {
		b.Button.TypedRune(r)
	}
}

// TypedKey implements fyne.Focusable.
func (b *KeyButton) TypedKey(ev *fyne.KeyEvent) {
	if !b.keys.typed(b.OnKey) {
		b.Button.TypedKey(ev)
	}
}

// FocusLost implements fyne.Focusable.
func (b *KeyButton) FocusLost() {
	b.keys.revealed = false
	b.Button.FocusLost()
}

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
