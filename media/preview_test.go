package media

import (
	"image"
	"testing"

	"github.com/pion/mediadevices/pkg/io/video"
)

func TestPreviewHandsOutRGBACopiesAtItsOwnPace(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	reads := 0
	r := video.ReaderFunc(func() (image.Image, func(), error) {
		reads++
		return src, func() {}, nil
	})
	var got []*image.RGBA
	p := previewVideo(r, func(img *image.RGBA) { got = append(got, img) })
	for i := 0; i < 10; i++ {
		img, _, err := p.Read()
		if err != nil || img != src {
			t.Fatalf("the encoder must get the captured frame itself: %v", err)
		}
	}
	// Ten reads in far less than previewInterval: one preview frame.
	if reads != 10 || len(got) != 1 || got[0].Bounds() != src.Bounds() {
		t.Fatalf("%d reads, %d preview frames", reads, len(got))
	}
	if previewVideo(r, nil) == nil {
		t.Fatal("no preview: the reader must pass through")
	}
}
