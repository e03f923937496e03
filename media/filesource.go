package media

import (
	"fmt"
	"image"
	"os"
	"time"

	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"parley/media/audioproc/wav"
	"parley/media/y4m"
)

// The file sources play a Y4M video and a WAV sound, looped, in real time
// as the test sources do (Config.VideoFile, Config.AudioFile): the same
// clip for Parley as for a browser's fake capture makes benchmarks fair
// and lets a receiver compare what it decodes with what was sent.

// fileVideo plays the frames of a Y4M file in order, at the rate asked
// for, from the first again after the last.
type fileVideo struct {
	pacer
	path string
	v    *y4m.File
}

func (s *fileVideo) Open() error {
	v, err := y4m.OpenFile(s.path)
	if err != nil {
		return err
	}
	s.v = v
	s.open()
	return nil
}

func (s *fileVideo) Close() error { s.close(); return s.v.Close() }

// Properties is the file's size, at any frame rate.
func (s *fileVideo) Properties() []prop.Media {
	h := s.v.Header()
	return []prop.Media{{Video: prop.Video{Width: h.Width, Height: h.Height, FrameRate: float32(h.FrameRate()), FrameFormat: frame.FormatI420}}}
}

func (s *fileVideo) VideoRecord(p prop.Media) (video.Reader, error) {
	interval := time.Duration(float64(time.Second) / float64(p.FrameRate))
	img := s.v.Header().NewImage()
	n := 0
	return video.ReaderFunc(func() (image.Image, func(), error) {
		if err := s.wait(interval); err != nil {
			return nil, func() {}, err
		}
		if err := s.v.Frame(n, img); err != nil {
			return nil, func() {}, err
		}
		n = (n + 1) % s.v.Len()
		return img, func() {}, nil
	}), nil
}

// fileAudio plays the samples of a 16-bit mono 48 kHz WAV file in 20 ms
// chunks, from the start again after the end.
type fileAudio struct {
	loopedSound
	path string
}

func (s *fileAudio) Open() error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
	sound, rate, err := wav.Read(f)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", s.path, err)
	case rate != opusRate:
		return fmt.Errorf("%s: %d Hz: want %d", s.path, rate, opusRate)
	case len(sound) == 0:
		return fmt.Errorf("%s: no sound", s.path)
	}
	s.samples = sound
	s.open()
	return nil
}

func (s *fileAudio) Close() error { s.close(); return nil }

func (s *fileAudio) Properties() []prop.Media {
	return []prop.Media{{Audio: prop.Audio{SampleRate: opusRate, ChannelCount: 1, Latency: 20 * time.Millisecond}}}
}
