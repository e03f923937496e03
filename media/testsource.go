package media

import (
	"image"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"

	"parley/media/audioproc/audiotest"
)

// The test sources stand in for a camera and a microphone when
// Config.TestMedia asks for them. They are mediadevices devices like the
// real ones but, unlike mediadevices' videotest and audiotest drivers, are
// not registered with its driver manager, so nothing can pick them for a
// person by accident; each Session gets its own (those drivers are
// process-wide singletons that open once); and a Read ends promptly when
// the source closes (videotest's blocks for ever on a stopped ticker).

// pacer releases one tick per interval until closed.
type pacer struct {
	closeOnce sync.Once
	closed    chan struct{}
	next      time.Time
}

func (p *pacer) open() { p.closed = make(chan struct{}) }

func (p *pacer) close() { p.closeOnce.Do(func() { close(p.closed) }) }

// wait sleeps until the next tick, or returns io.EOF once closed.
func (p *pacer) wait(interval time.Duration) error {
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > interval {
		p.next = now // late, or first: do not burst to catch up
	}
	t := time.NewTimer(time.Until(p.next))
	defer t.Stop()
	select {
	case <-p.closed:
		return io.EOF
	case <-t.C:
		p.next = p.next.Add(interval)
		return nil
	}
}

// testVideo draws scrolling colour bars with a patch of sensor-like noise,
// so that every frame differs and the encoder does real work, as with a
// camera. The noise is cut from a table made once, at a new offset each
// frame: drawing a frame costs a few copies.
type testVideo struct{ pacer }

func (t *testVideo) Open() error  { t.open(); return nil }
func (t *testVideo) Close() error { t.close(); return nil }

func (t *testVideo) Properties() []prop.Media { return nil } // it takes any size

// testNoiseAmp is the amplitude of the noise, in luma steps either way: a
// camera's grain in a lit room, not the snow of a dead channel.
const testNoiseAmp = 6

func (t *testVideo) VideoRecord(p prop.Media) (video.Reader, error) {
	w, h := p.Width, p.Height
	interval := time.Duration(float64(time.Second) / float64(p.FrameRate))
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	// Two periods of the bars, so that any window of width w is one slice.
	bars := [...][3]byte{{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {107, 202, 222}, {82, 90, 240}, {41, 240, 110}}
	rowY, rowCb, rowCr := make([]byte, 2*w), make([]byte, w), make([]byte, w)
	for x := range rowY {
		rowY[x] = bars[(x%w)*len(bars)/w][0]
	}
	for x := range rowCb {
		c := bars[(2*x%w)*len(bars)/w]
		rowCb[x], rowCr[x] = c[1], c[2]
	}
	// The patch: the bottom right quarter in each direction, mid grey
	// plus noise; the table holds twice its pixels.
	px, py := w*3/4, h*3/4
	pw := w - px
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 2*pw*(h-py))
	for i := range noise {
		noise[i] = byte(128 - testNoiseAmp + rng.IntN(2*testNoiseAmp+1))
	}
	var n int
	return video.ReaderFunc(func() (image.Image, func(), error) {
		if err := t.wait(interval); err != nil {
			return nil, func() {}, err
		}
		shift := (n * 4) % w
		n++
		off := rng.IntN(len(noise) / 2)
		for y := range h {
			row := img.Y[y*img.YStride : y*img.YStride+w]
			copy(row, rowY[shift:shift+w])
			if y >= py {
				copy(row[px:], noise[off+(y-py)*pw:])
			}
		}
		for y := range (h + 1) / 2 {
			copy(img.Cb[y*img.CStride:], rowCb)
			copy(img.Cr[y*img.CStride:], rowCr)
		}
		return img, func() {}, nil
	}), nil
}

// testAudio plays a speech-like voice (words and pauses, audiotest.Speech)
// in 20 ms chunks of 48 kHz mono: a steady tone would be taken for noise
// and removed by the send path's noise suppression, and would never pause.
type testAudio struct{ loopedSound }

func (t *testAudio) Open() error  { t.samples = testVoice(); t.open(); return nil }
func (t *testAudio) Close() error { t.close(); return nil }

func (t *testAudio) Properties() []prop.Media { return nil }

// testVoice is the voice every test source plays, looped: made once, it
// is read only.
var testVoice = sync.OnceValue(func() []int16 { return audiotest.Speech(1, 8, 140) })

// loopedSound plays samples (mono, at the rate asked for) in chunks of the
// asked latency, from the start again after the end.
type loopedSound struct {
	pacer
	samples []int16
}

func (s *loopedSound) AudioRecord(p prop.Media) (audio.Reader, error) {
	pos := 0
	n := int(int64(p.SampleRate) * int64(p.Latency) / int64(time.Second))
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		if err := s.wait(p.Latency); err != nil {
			return nil, func() {}, err
		}
		a := wave.NewInt16Interleaved(wave.ChunkInfo{Len: n, Channels: 1, SamplingRate: p.SampleRate})
		for i := range n {
			a.Data[i] = s.samples[pos]
			pos = (pos + 1) % len(s.samples)
		}
		return a, func() {}, nil
	}), nil
}
