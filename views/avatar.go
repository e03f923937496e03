package views

import (
	"hash/fnv"
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// avatarColors are the backgrounds of avatars, picked by name.
var avatarColors = []color.NRGBA{
	{0x1e, 0x88, 0xe5, 0xff}, {0x43, 0xa0, 0x47, 0xff}, {0xfb, 0x8c, 0x00, 0xff},
	{0x8e, 0x24, 0xaa, 0xff}, {0xe5, 0x39, 0x35, 0xff}, {0x00, 0x89, 0x7b, 0xff},
	{0x5e, 0x35, 0xb1, 0xff}, {0x6d, 0x4c, 0x41, 0xff},
}

// Avatar is a person's round picture: their initial on a colour of their
// own.
func Avatar(name string, size float32) fyne.CanvasObject {
	h := fnv.New32a()
	h.Write([]byte(name))
	circle := canvas.NewCircle(avatarColors[h.Sum32()%uint32(len(avatarColors))])
	r, _ := utf8.DecodeRuneInString(name)
	initial := strings.ToUpper(string(r))
	if name == "" {
		initial = "?"
	}
	text := canvas.NewText(initial, color.White)
	text.TextSize = size * 0.45
	text.TextStyle.Bold = true
	text.Alignment = fyne.TextAlignCenter
	box := container.NewStack(circle, container.NewCenter(text))
	return container.New(&fixedSize{size: fyne.NewSquareSize(size)}, box)
}

// fixedSize lays its objects out at one size, centred in whatever room
// the parent gives: a row or a list stretches its cells, and a circle
// stretched with them would become a pill.
type fixedSize struct{ size fyne.Size }

func (f *fixedSize) MinSize([]fyne.CanvasObject) fyne.Size { return f.size }
func (f *fixedSize) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	at := fyne.NewPos((size.Width-f.size.Width)/2, (size.Height-f.size.Height)/2)
	for _, o := range objs {
		o.Resize(f.size)
		o.Move(at)
	}
}

var _ fyne.Layout = (*fixedSize)(nil)
