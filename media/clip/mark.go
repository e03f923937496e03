package clip

import (
	"image"
	"math"
)

// The marker is a row of markCells square cells across the top of a
// frame, black for 0 and white for 1: the frame number's markBits, most
// significant first, then checkBits of check. Its cells are a fixed share
// of the frame's width (a 32-pixel square, two macroblocks, at 640x480),
// so it reads back from a frame scaled to any size, and blocks that large
// survive any compression that leaves a picture worth measuring.
const (
	markBits  = 16
	checkBits = 4
	markCells = markBits + checkBits

	black, white = 16, 235
	// margin is how far from the middle grey a cell must read to count:
	// a frame that blurred its marker is better skipped than misread.
	margin = (white - black) / 4
)

// markCode is the bits the marker shows for frame n: n, then the XOR of
// its nibbles flipped by 0xa, so that an all-black or all-white band does
// not read as a frame.
func markCode(n int) uint32 {
	n &= 1<<markBits - 1
	check := (n^n>>4^n>>8^n>>12)&0xf ^ 0xa
	return uint32(n)<<checkBits | uint32(check)
}

// cell is the span of marker cell i in a frame w pixels wide, and the
// marker's height.
func cell(i, w int) (x0, x1, height int) {
	return i * w / markCells, (i + 1) * w / markCells, w / markCells
}

// Mark draws frame number n (modulo 2^16) over the top of img, in grey.
func Mark(img *image.YCbCr, n int) {
	r := img.Rect
	w := r.Dx()
	code := markCode(n)
	var height int
	for i := range markCells {
		var x0, x1 int
		x0, x1, height = cell(i, w)
		v := byte(black)
		if code>>(markCells-1-i)&1 == 1 {
			v = white
		}
		for y := range min(height, r.Dy()) {
			row := img.Y[img.YOffset(r.Min.X, r.Min.Y+y):]
			for x := x0; x < x1; x++ {
				row[x] = v
			}
		}
	}
	for y := 0; y < min(height, r.Dy()); y += 2 {
		for x := 0; x < w; x += 2 {
			i := img.COffset(r.Min.X+x, r.Min.Y+y)
			img.Cb[i], img.Cr[i] = 128, 128
		}
	}
}

// ReadMark reads the frame number Mark drew on img, which may have been
// compressed and scaled since; ok is false when there is no marker to
// read with confidence.
func ReadMark(img image.Image) (n int, ok bool) {
	b := img.Bounds()
	luma := lumaFunc(img)
	var code uint32
	for i := range markCells {
		x0, x1, height := cell(i, b.Dx())
		// The middle of the cell: its edges bleed into the neighbours.
		cx0, cx1 := x0+(x1-x0)/4, x1-(x1-x0)/4
		cy0, cy1 := height/4, height-height/4
		if cx1 <= cx0 || cy1 <= cy0 || cy1 > b.Dy() {
			return 0, false
		}
		sum := 0
		for y := cy0; y < cy1; y++ {
			for x := cx0; x < cx1; x++ {
				sum += luma(b.Min.X+x, b.Min.Y+y)
			}
		}
		mean := sum / ((cx1 - cx0) * (cy1 - cy0))
		if mean > (black+white)/2-margin && mean < (black+white)/2+margin {
			return 0, false
		}
		code <<= 1
		if mean > (black+white)/2 {
			code |= 1
		}
	}
	n = int(code >> checkBits)
	return n, markCode(n) == code
}

// lumaFunc is the luma of img at a point of its bounds.
func lumaFunc(img image.Image) func(x, y int) int {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) int { return int(m.Y[m.YOffset(x, y)]) }
	case *image.RGBA:
		return func(x, y int) int { return rgbLuma(m.Pix[m.PixOffset(x, y):]) }
	default:
		return func(x, y int) int {
			r, g, b, _ := m.At(x, y).RGBA()
			return rgbLuma([]byte{byte(r >> 8), byte(g >> 8), byte(b >> 8)})
		}
	}
}

// rgbLuma is the luma of the R, G, B at p[0:3], as image/color's
// RGBToYCbCr computes it: it undoes the conversion that made p from
// YCbCr.
func rgbLuma(p []byte) int {
	return (19595*int(p[0]) + 38470*int(p[1]) + 7471*int(p[2]) + 1<<15) >> 16
}

// MaxPSNR is what PSNR says of identical pictures.
const MaxPSNR = 100.0

// PSNR is the peak signal-to-noise ratio in dB of the luma of got against
// src, below the marker (which is easy to compress and would flatter the
// figure). got is scaled to src's size when it is not of that size.
func PSNR(src *image.YCbCr, got image.Image) float64 {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	_, _, top := cell(0, sw)
	if top >= sh {
		return 0
	}
	gb := got.Bounds()
	rgba, sameRGBA := got.(*image.RGBA)
	sameRGBA = sameRGBA && gb.Dx() == sw && gb.Dy() == sh
	luma := lumaFunc(got)
	var sse int64
	for y := top; y < sh; y++ {
		srow := src.Y[src.YOffset(src.Rect.Min.X, src.Rect.Min.Y+y):][:sw]
		if sameRGBA { // the common case, without a call a pixel
			grow := rgba.Pix[rgba.PixOffset(gb.Min.X, gb.Min.Y+y):]
			for x, s := range srow {
				d := int64(s) - int64(rgbLuma(grow[4*x:]))
				sse += d * d
			}
			continue
		}
		gy := gb.Min.Y + y*gb.Dy()/sh
		for x, s := range srow {
			d := int64(s) - int64(luma(gb.Min.X+x*gb.Dx()/sw, gy))
			sse += d * d
		}
	}
	if sse == 0 {
		return MaxPSNR
	}
	mse := float64(sse) / float64(sw*(sh-top))
	return min(MaxPSNR, 10*math.Log10(255*255/mse))
}
