package views

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"parley/protocol"
)

// recordIconPixels draws a call record of media on the dark theme and
// returns its icon as drawn.
func recordIconPixels(t *testing.T, media string) *image.NRGBA {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DarkTheme())
	b := CallRecordBubble(protocol.Message{Type: protocol.KindCallRecord, Media: media, Outcome: protocol.OutcomeCompleted}, false)
	w := test.NewWindow(b)
	defer w.Close()
	var icon *canvas.Image
	for _, o := range test.LaidOutObjects(b) {
		if img, ok := o.(*canvas.Image); ok {
			icon = img
		}
	}
	if icon == nil {
		t.Fatal("the record has no icon")
	}
	shot := w.Canvas().Capture()
	scale := float32(shot.Bounds().Dx()) / w.Canvas().Size().Width
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(icon)
	r := image.Rect(int(at.X*scale), int(at.Y*scale), int((at.X+icon.Size().Width)*scale), int((at.Y+icon.Size().Height)*scale))
	out := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		for x := range r.Dx() {
			out.Set(x, y, shot.At(r.Min.X+x, r.Min.Y+y))
		}
	}
	return out
}

// darkShare is the share of pixels that stand out dark on the light
// bubble.
func darkShare(img *image.NRGBA) float64 {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if y := color.GrayModel.Convert(color.NRGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], 0xff}).(color.Gray).Y; y < 0x80 {
			n++
		}
	}
	return float64(n) / float64(len(img.Pix)/4)
}

func TestCallRecordIconsShowOnTheDarkTheme(t *testing.T) {
	voice, video := recordIconPixels(t, protocol.MediaAudio), recordIconPixels(t, protocol.MediaVideo)
	for name, img := range map[string]*image.NRGBA{"voice": voice, "video": video} {
		if share := darkShare(img); share < 0.15 {
			t.Errorf("the %s record's icon is %.0f%% drawn: not visible on its bubble", name, share*100)
		}
	}
	differ := 0
	for i := range voice.Pix {
		if i < len(video.Pix) && voice.Pix[i] != video.Pix[i] {
			differ++
		}
	}
	if differ < len(voice.Pix)/10 {
		t.Fatal("voice and video records have the same icon")
	}
}
