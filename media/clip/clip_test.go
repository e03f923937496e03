package clip

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/draw"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"parley/media/audioproc/wav"
	"parley/media/y4m"
)

func small(t *testing.T) *Video {
	t.Helper()
	v, err := NewVideo(320, 240, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSameEveryRun(t *testing.T) {
	sum := func() [32]byte {
		var b bytes.Buffer
		if err := small(t).WriteY4M(&b); err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b.Bytes())
	}
	if sum() != sum() {
		t.Fatal("two runs made different clips")
	}
}

func TestWritesY4M(t *testing.T) {
	v := small(t)
	var b bytes.Buffer
	if err := v.WriteY4M(&b); err != nil {
		t.Fatal(err)
	}
	f, err := y4m.Open(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if h := f.Header(); f.Len() != 20 || h.Width != 320 || h.Height != 240 || h.FrameRate() != 10 {
		t.Fatalf("%d frames, %+v", f.Len(), h)
	}
	got, want := f.Header().NewImage(), v.NewImage()
	for n := range f.Len() {
		if err := f.Frame(n, got); err != nil {
			t.Fatal(err)
		}
		v.Frame(n, want)
		if !bytes.Equal(got.Y, want.Y) || !bytes.Equal(got.Cb, want.Cb) {
			t.Fatalf("frame %d differs from Frame(%d)", n, n)
		}
	}
}

// The picture moves like a camera's: consecutive frames are alike, but a
// second later the scene has moved well beyond the sensor's noise.
func TestMoves(t *testing.T) {
	v, err := NewVideo(320, 240, 30, 10)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(n int) *image.YCbCr { img := v.NewImage(); v.Frame(n, img); return img }
	for _, n := range []int{0, 75, 150} {
		f := frame(n)
		p1, p30 := PSNR(f, frame(n+1)), PSNR(f, frame(n+30))
		t.Logf("frame %d against the next: %.1f dB, a second later: %.1f dB", n, p1, p30)
		if p1 < 20 || p1 >= MaxPSNR {
			t.Errorf("frames %d and %d: %.1f dB; want alike, not the same", n, n+1, p1)
		}
		if p30 > p1-3 {
			t.Errorf("frames %d and %d: %.1f dB; want the scene to have moved", n, n+30, p30)
		}
	}
}

// degrade is what a call might do to a frame: noise, a blur of the
// block edges by scaling down and up, a conversion to RGBA.
func degrade(img *image.YCbCr, rng *rand.Rand, w, h int) image.Image {
	noisy := image.NewYCbCr(img.Rect, img.SubsampleRatio)
	for i, y := range img.Y {
		noisy.Y[i] = byte(max(0, min(255, int(y)+rng.IntN(41)-20)))
	}
	copy(noisy.Cb, img.Cb)
	copy(noisy.Cr, img.Cr)
	scaled := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			scaled.Set(x, y, noisy.At(x*img.Rect.Dx()/w, y*img.Rect.Dy()/h))
		}
	}
	return scaled
}

func TestMarkReadsBack(t *testing.T) {
	v := small(t)
	img := v.NewImage()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range v.Len() {
		v.Frame(n, img)
		if got, ok := ReadMark(img); !ok || got != n {
			t.Fatalf("frame %d reads as %d, %v", n, got, ok)
		}
		for _, size := range [][2]int{{320, 240}, {200, 150}, {640, 480}} {
			if got, ok := ReadMark(degrade(img, rng, size[0], size[1])); !ok || got != n {
				t.Fatalf("frame %d degraded to %v reads as %d, %v", n, size, got, ok)
			}
		}
	}
	// Every number reads back, up to the marker's 16 bits.
	for _, n := range []int{0, 1, 0x5a5a, 0xffff} {
		Mark(img, n)
		if got, ok := ReadMark(img); !ok || got != n {
			t.Fatalf("%#x reads as %#x, %v", n, got, ok)
		}
	}
}

func TestNoMarkNoNumber(t *testing.T) {
	img := small(t).NewImage()
	for _, grey := range []byte{black, white, 128} {
		for i := range img.Y {
			img.Y[i] = grey
		}
		if n, ok := ReadMark(img); ok {
			t.Errorf("a plain grey %d reads as frame %d", grey, n)
		}
	}
	Mark(img, 1234)
	img.Y[img.YOffset(16*5+8, 8)] = 0 // one cell's middle damaged, not enough to flip it
	if n, ok := ReadMark(img); !ok || n != 1234 {
		t.Fatalf("reads %d, %v", n, ok)
	}
	// A cell that flipped: the check sees it.
	x0, x1, h := cell(3, img.Rect.Dx())
	for y := range h {
		for x := x0; x < x1; x++ {
			img.Y[img.YOffset(x, y)] ^= black ^ white
		}
	}
	if n, ok := ReadMark(img); ok {
		t.Fatalf("a flipped cell reads as frame %d", n)
	}
}

func TestPSNR(t *testing.T) {
	v := small(t)
	img := v.NewImage()
	v.Frame(3, img)
	rgba := image.NewRGBA(img.Rect)
	draw.Draw(rgba, rgba.Rect, img, image.Point{}, draw.Src)
	if p := PSNR(img, rgba); p < 48 {
		t.Fatalf("a frame against its RGBA copy: %.1f dB", p)
	}
	if p := PSNR(img, img); p != MaxPSNR {
		t.Fatalf("a frame against itself: %.1f dB", p)
	}
	// Each luma sample below the marker off by 4: 10·log10(255²/16).
	off := image.NewYCbCr(img.Rect, img.SubsampleRatio)
	copy(off.Y, img.Y)
	_, _, top := cell(0, img.Rect.Dx())
	for i := top * off.YStride; i < len(off.Y); i++ {
		off.Y[i] = byte(int(off.Y[i]) ^ 4)
	}
	if p, want := PSNR(img, off), 10*math.Log10(255*255/16.0); math.Abs(p-want) > 0.01 {
		t.Fatalf("off by 4: %.2f dB, want %.2f", p, want)
	}
}

func TestRejectsSizes(t *testing.T) {
	for _, c := range [][4]float64{{318, 240, 30, 1}, {320, 238, 30, 1}, {321, 240, 30, 1}, {640, 480, 0, 1}, {640, 480, 30, 0}, {640, 480, 30, 3600}, {8192, 480, 30, 1}} {
		if _, err := NewVideo(int(c[0]), int(c[1]), int(c[2]), c[3]); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
}

func TestWAV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteWAV(&b, 1.5); err != nil {
		t.Fatal(err)
	}
	s, rate, err := wav.Read(&b)
	if err != nil || rate != 48000 || !slices.Equal(s, Voice(1.5)) || len(s) != 72000 {
		t.Fatalf("%d samples at %d Hz, %v", len(s), rate, err)
	}
}
