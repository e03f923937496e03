package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestShapesKeepTheirAspect lays avatars, the presence dot and round
// buttons out in cells far taller or wider than they are: every circle
// stays round.
func TestShapesKeepTheirAspect(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		name  string
		shape fyne.CanvasObject
		cell  fyne.Size
	}{
		{"avatar in a tall row", Avatar("bob", 28), fyne.NewSize(28, 90)},
		{"avatar in a wide cell", Avatar("bob", 96), fyne.NewSize(400, 96)},
		{"presence dot", container.New(&fixedSize{size: fyne.NewSquareSize(10)}, canvas.NewCircle(presenceColor(true))), fyne.NewSize(10, 40)},
		{"round button", callButton("Mute", micIcon, nil), fyne.NewSize(120, 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := container.NewHBox(tc.shape)
			row.Resize(tc.cell)
			tc.shape.Resize(fyne.NewSize(tc.shape.MinSize().Width, tc.cell.Height))
			test.LaidOutObjects(row)
			n := 0
			for _, o := range test.LaidOutObjects(row) {
				if c, ok := o.(*canvas.Circle); ok {
					n++
					if sz := c.Size(); sz.Width != sz.Height || sz.Width == 0 {
						t.Errorf("circle %v is not round", sz)
					}
				}
			}
			if n == 0 {
				t.Fatal("no circle")
			}
		})
	}
}
