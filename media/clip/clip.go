// Package clip makes the test clip of the media benchmarks: a camera-like
// video (a textured background that pans slowly, a talking head that
// moves, sensor noise) and a speech-like voice, the same on every run, for
// Parley's file sources and Chromium's fake capture alike. Each frame
// carries its number in a marker that survives VP8 and scaling, so that a
// receiver can tell which source frame it decoded and measure its quality
// (ReadMark, PSNR).
package clip

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"

	"parley/media/audioproc"
	"parley/media/audioproc/audiotest"
	"parley/media/audioproc/wav"
	"parley/media/y4m"
)

// MinWidth is the narrowest clip: its marker cells are 16 pixels wide at
// least, one VP8 macroblock.
const MinWidth = markCells * 16

// Video is a clip's picture: frames of Width x Height, FPS a second, that
// loop without a jump after Len frames.
type Video struct {
	Width, Height, FPS int
	frames             int
	bg                 plane3 // the background, larger than a frame by the pan
	panX, panY         int
}

// plane3 is a picture at full resolution in each of Y, Cb and Cr, so that
// any window of it can be cut out at any even offset.
type plane3 struct {
	w, h      int
	y, cb, cr []byte
}

// NewVideo is a clip of seconds at width x height and fps.
func NewVideo(width, height, fps int, seconds float64) (*Video, error) {
	frames := int(math.Round(seconds * float64(fps)))
	switch {
	case width < MinWidth || height < 240 || width > y4m.MaxSide || height > y4m.MaxSide || width%2 != 0 || height%2 != 0:
		return nil, fmt.Errorf("clip: size %dx%d: want even numbers from %dx240 to %dx%d", width, height, MinWidth, y4m.MaxSide, y4m.MaxSide)
	case fps < 1 || fps > 120:
		return nil, fmt.Errorf("clip: %d frames a second: want 1 to 120", fps)
	case frames < 1 || frames >= 1<<markBits:
		return nil, fmt.Errorf("clip: %g s: want from one frame to %d frames", seconds, 1<<markBits-1)
	}
	v := &Video{Width: width, Height: height, FPS: fps, frames: frames, panX: width / 16 * 2, panY: height / 32 * 2}
	v.bg = background(width+2*v.panX, height+2*v.panY)
	return v, nil
}

// Len is the number of frames.
func (v *Video) Len() int { return v.frames }

// NewImage is a frame of the clip's size.
func (v *Video) NewImage() *image.YCbCr {
	return image.NewYCbCr(image.Rect(0, 0, v.Width, v.Height), image.YCbCrSubsampleRatio420)
}

// Frame draws frame n (0 ≤ n < Len) into img, made by NewImage. Every
// frame depends on n only.
func (v *Video) Frame(n int, img *image.YCbCr) {
	// The camera pans along a figure, slowly.
	ox := even(float64(v.panX) * (1 + v.wave(n, 0.1, 0)))
	oy := even(float64(v.panY) * (1 + v.wave(n, 0.2, 1)))
	for y := range v.Height {
		copy(img.Y[y*img.YStride:][:v.Width], v.bg.y[(oy+y)*v.bg.w+ox:])
	}
	for y := range v.Height / 2 {
		for x := range v.Width / 2 {
			i := (oy+2*y)*v.bg.w + ox + 2*x
			img.Cb[y*img.CStride+x], img.Cr[y*img.CStride+x] = v.bg.cb[i], v.bg.cr[i]
		}
	}
	v.head(img, n)
	grain(img, uint64(n))
	Mark(img, n)
}

// wave is a sine of about hz at frame n, with a whole number of periods
// in the clip, so that the clip loops without a jump.
func (v *Video) wave(n int, hz, offset float64) float64 {
	turns := max(1, math.Round(hz*float64(v.frames)/float64(v.FPS)))
	return math.Sin(2*math.Pi*turns*float64(n)/float64(v.frames) + offset)
}

func even(f float64) int { return int(math.Round(f/2)) * 2 }

// WriteY4M writes the whole clip as a Y4M stream.
func (v *Video) WriteY4M(w io.Writer) error {
	yw, err := y4m.NewWriter(w, y4m.Header{Width: v.Width, Height: v.Height, RateNum: v.FPS, RateDen: 1})
	if err != nil {
		return err
	}
	img := v.NewImage()
	for n := range v.frames {
		v.Frame(n, img)
		if err := yw.Write(img); err != nil {
			return err
		}
	}
	return nil
}

// Voice is seconds of the clip's speech-like sound, 16-bit mono at
// AudioRate: the voice of the generated test source.
func Voice(seconds float64) []int16 { return audiotest.Speech(1, seconds, 140) }

// AudioRate is the sample rate of Voice.
const AudioRate = audioproc.Rate

// WriteWAV writes seconds of Voice as a WAV file.
func WriteWAV(w io.Writer, seconds float64) error {
	if seconds <= 0 {
		return errors.New("clip: no sound to write")
	}
	return wav.Write(w, Voice(seconds), AudioRate)
}

// hash is a well-mixed 64-bit value of its inputs (splitmix64's finaliser).
func hash(a, b, c uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 ^ b*0xbf58476d1ce4e5b9 ^ c*0x94d049bb133111eb
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// noise is smooth value noise in [0, 1) with features cell pixels apart.
func noise(x, y, cell int, seed uint64) float64 {
	cx, cy := x/cell, y/cell
	fx, fy := float64(x%cell)/float64(cell), float64(y%cell)/float64(cell)
	fx, fy = fx*fx*(3-2*fx), fy*fy*(3-2*fy)
	at := func(i, j int) float64 { return float64(hash(uint64(i), uint64(j), seed)>>11) / (1 << 53) }
	top := at(cx, cy) + (at(cx+1, cy)-at(cx, cy))*fx
	bot := at(cx, cy+1) + (at(cx+1, cy+1)-at(cx, cy+1))*fx
	return top + (bot-top)*fy
}

// background is a room behind the speaker: a wall lit from above with
// blotches and a fine texture, and shelves of books with hard edges.
func background(w, h int) plane3 {
	p := plane3{w: w, h: h, y: make([]byte, w*h), cb: make([]byte, w*h), cr: make([]byte, w*h)}
	shelfLeft, shelfRight := w*3/5, w*3/5+w/4
	for y := range h {
		for x := range w {
			light := 0.75 - 0.25*float64(y)/float64(h)
			blotch := noise(x, y, 96, 1)
			fine := noise(x, y, 6, 2)
			l := 255 * light * (0.8 + 0.25*blotch + 0.1*fine)
			cb, cr := 120+12*noise(x, y, 160, 3), 136+10*noise(x, y, 160, 4)
			if x >= shelfLeft && x < shelfRight && y > h/8 {
				// Books: spines of random colours on five shelves.
				row := y * 5 / h
				spine := (x - shelfLeft) / (9 + 2*row)
				k := hash(uint64(row), uint64(spine), 6)
				l = float64(50 + k%130)
				cb, cr = float64(90+(k>>8)%80), float64(90+(k>>16)%80)
				if y%(h/5) < 6 { // the shelf board
					l, cb, cr = 70, 118, 140
				}
			}
			i := y*w + x
			p.y[i], p.cb[i], p.cr[i] = clamp(l), clamp(cb), clamp(cr)
		}
	}
	return p
}

func clamp(f float64) byte { return byte(max(0, min(255, math.Round(f)))) }

// head draws a talking head with shoulders, moving on a slow figure of
// eight, with soft edges.
func (v *Video) head(img *image.YCbCr, n int) {
	w, h := float64(v.Width), float64(v.Height)
	cx := w*0.4 + w*0.12*v.wave(n, 0.2, 0.3)
	cy := h*0.45 + h*0.05*v.wave(n, 0.3, 0)
	rx, ry := w/10, h/5
	tilt := 0.08 * v.wave(n, 0.5, 0)
	mouth := 0.5 + 0.5*v.wave(n, 3.7, 0) // opens and closes as it talks
	// The shoulders: a dark jumper below the face.
	v.ellipse(img, cx, cy+ry*2.1, rx*2.6, ry*1.3, 0, func(float64, float64) (float64, float64, float64) { return 60, 135, 118 })
	v.ellipse(img, cx, cy, rx, ry, tilt, func(u, t float64) (float64, float64, float64) {
		l := 175 - 45*(u*u+t*t) // rounder than flat: lit in front
		eye := math.Hypot((math.Abs(u)-0.38)/0.14, (t+0.2)/0.07)
		mouthD := math.Hypot(u/0.3, (t-0.45)/(0.03+0.08*mouth))
		switch {
		case eye < 1:
			l = 40
		case mouthD < 1:
			l = 70
		}
		return l, 110, 152
	})
}

// ellipse blends a shape centred at cx, cy with radii rx, ry, turned by
// tilt radians, into img; colour gives Y, Cb, Cr at a point inside, in
// the shape's own coordinates (-1 to 1 each way).
func (v *Video) ellipse(img *image.YCbCr, cx, cy, rx, ry, tilt float64, colour func(u, t float64) (float64, float64, float64)) {
	const soft = 3.0 // pixels of the edge
	r := max(rx, ry) + soft
	x0, x1 := max(0, int(cx-r)), min(v.Width, int(cx+r)+1)
	y0, y1 := max(0, int(cy-r)), min(v.Height, int(cy+r)+1)
	sin, cos := math.Sincos(tilt)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			u, t := (dx*cos+dy*sin)/rx, (-dx*sin+dy*cos)/ry
			e := math.Hypot(u, t)
			a := min(1, (1-e)*min(rx, ry)/soft)
			if a <= 0 {
				continue
			}
			l, cb, cr := colour(u, t)
			i := y*img.YStride + x
			img.Y[i] = clamp(float64(img.Y[i])*(1-a) + l*a)
			if x%2 == 0 && y%2 == 0 {
				j := y/2*img.CStride + x/2
				img.Cb[j] = clamp(float64(img.Cb[j])*(1-a) + cb*a)
				img.Cr[j] = clamp(float64(img.Cr[j])*(1-a) + cr*a)
			}
		}
	}
}

// grain adds a camera sensor's noise to the luma: up to ±3, different in
// every frame.
func grain(img *image.YCbCr, seed uint64) {
	s := hash(seed, 7, 8) | 1
	for y := range img.Rect.Dy() {
		row := img.Y[y*img.YStride:][:img.Rect.Dx()]
		for x := range row {
			s ^= s << 13 // xorshift64: cheap, and fine for grain
			s ^= s >> 7
			s ^= s << 17
			row[x] = byte(max(0, min(255, int(row[x])+int(s%7)-3)))
		}
	}
}

// WriteFile makes the file name with what fill writes (a clip's video or
// sound), buffered; a file left half written is removed.
func WriteFile(name string, fill func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
