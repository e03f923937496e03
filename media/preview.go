package media

import (
	"image"
	"image/draw"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
)

// previewInterval spaces the frames of the local preview: a small corner
// picture needs no more than 15 a second, and each costs a conversion.
const previewInterval = time.Second / 15

// previewVideo hands captured frames to onFrame as RGBA copies, at most one
// per previewInterval. It sits before the sending gate, so the preview
// shows while the call rings and while it is muted.
func previewVideo(r video.Reader, onFrame func(*image.RGBA)) video.Reader {
	if onFrame == nil {
		return r
	}
	var last time.Time
	return video.ReaderFunc(func() (image.Image, func(), error) {
		img, release, err := r.Read()
		if err == nil && time.Since(last) >= previewInterval {
			last = time.Now()
			rgba := image.NewRGBA(img.Bounds())
			draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
			onFrame(rgba)
		}
		return img, release, err
	})
}
