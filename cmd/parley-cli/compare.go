package main

import (
	"fmt"
	"image"
	"math"
	"sync"

	"parley/media/clip"
	"parley/media/y4m"
)

// comparer measures the decoded remote video against the clip it was
// made from (--compare): each frame's marker says which source frame it
// is, and the PSNR of its luma against that frame is summed.
type comparer struct {
	src *y4m.File

	mu    sync.Mutex
	frame *image.YCbCr // the source frame being compared
	sum   float64
	n     int64
}

func openComparer(path string) (*comparer, error) {
	src, err := y4m.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("--compare: %w", err)
	}
	return &comparer{src: src, frame: src.Header().NewImage()}, nil
}

// compare is an OnFrame: it runs on media's goroutines, one a sender,
// each of which skips pictures while the one before is compared.
// Pictures without a marker to read, or of no frame of the file, are not
// counted.
func (c *comparer) compare(_ string, img *image.RGBA) {
	n, ok := clip.ReadMark(img)
	if !ok || n >= c.src.Len() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.src.Frame(n, c.frame) != nil {
		return
	}
	c.sum += clip.PSNR(c.frame, img)
	c.n++
}

// result is the mean PSNR in dB, to 0.01 dB, and the frames compared.
func (c *comparer) result() (psnr float64, frames int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		return 0, 0
	}
	return math.Round(c.sum/float64(c.n)*100) / 100, c.n
}

func (c *comparer) close() { c.src.Close() }
