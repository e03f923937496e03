package views

import (
	"image"
	"image/color"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"parley/media"
)

// TapArea makes any object tappable.
type TapArea struct {
	widget.BaseWidget
	Content fyne.CanvasObject
	OnTap   func()
}

// NewTapArea wraps content; onTap runs when it is tapped.
func NewTapArea(content fyne.CanvasObject, onTap func()) *TapArea {
	t := &TapArea{Content: content, OnTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *TapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.Content) }

// Tapped implements fyne.Tappable.
func (t *TapArea) Tapped(*fyne.PointEvent) {
	if t.OnTap != nil {
		t.OnTap()
	}
}

// HoverArea is a TapArea that also tells where the pointer moves over it
// and when it leaves, even over its content that is not hoverable itself.
type HoverArea struct {
	TapArea
	OnMove func(at fyne.Position)
	OnOut  func()
}

// NewHoverArea wraps content.
func NewHoverArea(content fyne.CanvasObject, onTap func(), onMove func(fyne.Position), onOut func()) *HoverArea {
	h := &HoverArea{TapArea: TapArea{Content: content, OnTap: onTap}, OnMove: onMove, OnOut: onOut}
	h.ExtendBaseWidget(h)
	return h
}

// MouseIn implements desktop.Hoverable.
func (h *HoverArea) MouseIn(e *desktop.MouseEvent) { h.MouseMoved(e) }

// MouseMoved implements desktop.Hoverable.
func (h *HoverArea) MouseMoved(e *desktop.MouseEvent) {
	if h.OnMove != nil {
		h.OnMove(e.Position)
	}
}

// MouseOut implements desktop.Hoverable.
func (h *HoverArea) MouseOut() {
	if h.OnOut != nil {
		h.OnOut()
	}
}

// VideoSurface shows a video stream. Frames arrive off the UI goroutine
// (Push) and reach the UI through a newestHandoff, so a slow UI drops
// frames instead of queuing them.
type VideoSurface struct {
	Image *canvas.Image
	// Mirrors show the same frames elsewhere (the mini window); UI
	// goroutine only.
	Mirrors []*canvas.Image

	frames newestHandoff[*image.RGBA]
	shown  atomic.Int64 // frames shown, for tests
}

// NewVideoSurface is an empty (black) surface.
func NewVideoSurface() *VideoSurface {
	img := canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 4, 3)))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleFastest
	img.SetMinSize(fyne.NewSize(64, 48))
	v := &VideoSurface{Image: img}
	v.frames.show = v.showFrame
	return v
}

// Push hands a frame over from any goroutine. The surface keeps it.
func (v *VideoSurface) Push(frame *image.RGBA) { v.frames.put(frame) }

func (v *VideoSurface) showFrame(frame *image.RGBA) {
	if frame == nil {
		return
	}
	v.shown.Add(1)
	v.Image.Image = frame
	v.Image.Refresh()
	for _, m := range v.Mirrors {
		m.Image = frame
		m.Refresh()
	}
}

// Frames is how many frames were shown.
func (v *VideoSurface) Frames() int { return int(v.shown.Load()) }

// QualityIndicator shows the network quality as bars and a word.
type QualityIndicator struct {
	bars  [4]*canvas.Rectangle
	label *canvas.Text
	box   *fyne.Container
	Level media.Quality
}

// NewQualityIndicator starts at "unknown".
func NewQualityIndicator() *QualityIndicator {
	q := &QualityIndicator{label: canvas.NewText("", color.NRGBA{0x9e, 0x9e, 0x9e, 0xff})}
	q.label.TextSize = 11
	row := container.NewHBox()
	for i := range q.bars {
		r := canvas.NewRectangle(color.NRGBA{0x9e, 0x9e, 0x9e, 0x80})
		r.SetMinSize(fyne.NewSize(4, float32(4+3*i)))
		q.bars[i] = r
		row.Add(container.NewVBox(r))
	}
	q.box = container.NewHBox(row, q.label)
	q.Set(media.QualityUnknown)
	return q
}

// Object is the indicator's canvas object.
func (q *QualityIndicator) Object() fyne.CanvasObject { return q.box }

// QualityText names a quality level.
func QualityText(l media.Quality) string {
	switch l {
	case media.QualityExcellent:
		return T("Excellent")
	case media.QualityGood:
		return T("Good")
	case media.QualityPoor:
		return T("Poor")
	case media.QualityBad:
		return T("Bad")
	case media.QualityVeryBad:
		return T("Very bad")
	case media.QualityDown:
		return T("No connection")
	}
	return ""
}

// Set shows a level.
func (q *QualityIndicator) Set(l media.Quality) {
	q.Level = l
	lit := 0
	on := color.NRGBA{0x43, 0xa0, 0x47, 0xff}
	switch l {
	case media.QualityExcellent:
		lit = 4
	case media.QualityGood:
		lit = 3
	case media.QualityPoor:
		lit, on = 2, color.NRGBA{0xfb, 0x8c, 0x00, 0xff}
	case media.QualityBad, media.QualityVeryBad:
		lit, on = 1, color.NRGBA{0xe5, 0x39, 0x35, 0xff}
	}
	for i, b := range q.bars {
		if i < lit {
			b.FillColor = on
		} else {
			b.FillColor = color.NRGBA{0x9e, 0x9e, 0x9e, 0x80}
		}
		b.Refresh()
	}
	q.label.Text = QualityText(l)
	q.label.Refresh()
}

// Countdown is the seconds an invite has left, as a label.
type Countdown struct {
	widget.Label
	Seconds int
}

// NewCountdown shows nothing until the first Set.
func NewCountdown() *Countdown {
	c := &Countdown{Seconds: -1}
	c.ExtendBaseWidget(c)
	c.Alignment = fyne.TextAlignCenter
	return c
}

// Set shows secs left.
func (c *Countdown) Set(secs int) {
	c.Seconds = secs
	c.SetText(Tf("%d s", secs))
}

// cornerLayout puts its objects small in the bottom-right corner, a
// quarter of the area's width.
type cornerLayout struct{}

func (cornerLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

func (cornerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := size.Width / 4
	h := w * 3 / 4
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(size.Width-w-8, size.Height-h-8))
	}
}
