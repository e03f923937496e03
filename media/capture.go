package media

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	_ "github.com/pion/mediadevices/pkg/driver/camera"     // registers the cameras
	_ "github.com/pion/mediadevices/pkg/driver/microphone" // registers the microphones
	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// device is what capture needs of a mediadevices driver; the generated
// test sources are devices too, so both take the same path.
type device interface {
	Open() error
	Close() error
	Properties() []prop.Media
}

// videoSource is an open camera giving I420 frames of p's size.
type videoSource struct {
	dev device
	r   video.Reader
	p   prop.Media
}

// audioSource is an open microphone.
type audioSource struct {
	dev device
	r   audio.Reader
	p   prop.Media
}

// guard turns a driver's panic into an error: drivers are cgo wrappers
// over odd hardware, and one bad device must not take the process down.
func guard(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: driver panicked: %v", what, r)
	}
}

// CheckDevices tells whether the devices a call needs are there, without
// opening them, so that the engine can refuse a call (or answer with voice
// only) before anything rings.
func CheckDevices(video, testMedia bool) error {
	if testMedia {
		return nil
	}
	if len(choices(driver.Microphone)) == 0 {
		return ErrNoMicrophone
	}
	if video && len(choices(driver.Camera)) == 0 {
		return ErrNoCamera
	}
	return nil
}

// drivers lists the registered devices of a type, the system default
// first.
func drivers(t driver.DeviceType) []driver.Driver {
	ds := driver.GetManager().Query(driver.FilterDeviceType(t))
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Info().Priority > ds[j].Info().Priority })
	return ds
}

func openVideo(cfg *Config) (videoSource, error) {
	want := prop.Media{Video: prop.Video{Width: cfg.Width, Height: cfg.Height, FrameRate: float32(cfg.FrameRate), FrameFormat: frame.FormatI420}}
	if cfg.VideoFile != "" { // at its own size, at the rate asked for
		return openVideoDevice(&fileVideo{path: cfg.VideoFile}, want, func(ps []prop.Media) (prop.Media, bool) {
			ps[0].FrameRate = want.FrameRate
			return ps[0], true
		})
	}
	if cfg.TestMedia {
		return openVideoDevice(&testVideo{}, want, func([]prop.Media) (prop.Media, bool) { return want, true })
	}
	c := prop.MediaConstraints{VideoConstraints: prop.VideoConstraints{
		Width: prop.Int(cfg.Width), Height: prop.Int(cfg.Height), FrameRate: prop.Float(cfg.FrameRate),
	}}
	ds, reason := ordered(driver.Camera, cfg.Camera)
	errs := []error{ErrNoCamera}
	for _, d := range ds {
		rec, ok := d.(driver.VideoRecorder)
		if !ok {
			continue
		}
		vs, err := openVideoDevice(struct {
			device
			driver.VideoRecorder
		}{d, rec}, want, func(ps []prop.Media) (prop.Media, bool) { return best(c, ps, nil) })
		if err == nil {
			cfg.report(cfg.Camera, reason, errs)
			return vs, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", d.Info().Label, err))
	}
	return videoSource{}, errors.Join(append(errs, reason)...)
}

// report tells OnError why the device that opened is not the one chosen:
// the choice is not here (reason), or devices before it failed (errs after
// the first, the sentinel).
func (cfg *Config) report(want string, reason error, errs []error) {
	if want == "" || cfg.OnError == nil {
		return
	}
	if len(errs) > 1 {
		reason = errors.Join(reason, fmt.Errorf("the chosen device does not open, using another: %w", errors.Join(errs[1:]...)))
	}
	if reason != nil {
		cfg.OnError(reason)
	}
}

func openVideoDevice(d interface {
	device
	driver.VideoRecorder
}, want prop.Media, choose func([]prop.Media) (prop.Media, bool)) (vs videoSource, err error) {
	defer guard("camera", &err)
	if err := d.Open(); err != nil {
		return vs, err
	}
	p, ok := choose(d.Properties())
	if !ok {
		d.Close()
		return vs, errors.New("no usable video format")
	}
	r, err := d.VideoRecord(p)
	if err != nil {
		d.Close()
		return vs, err
	}
	return videoSource{dev: d, r: video.ToI420(r), p: p}, nil
}

func openAudio(cfg *Config) (audioSource, error) {
	want := prop.Media{Audio: prop.Audio{SampleRate: opusRate, ChannelCount: 1, Latency: 20 * time.Millisecond}}
	if cfg.AudioFile != "" {
		return openAudioDevice(&fileAudio{path: cfg.AudioFile}, func([]prop.Media) (prop.Media, bool) { return want, true })
	}
	if cfg.TestMedia {
		return openAudioDevice(&testAudio{}, func([]prop.Media) (prop.Media, bool) { return want, true })
	}
	c := prop.MediaConstraints{AudioConstraints: prop.AudioConstraints{SampleRate: prop.Int(opusRate)}}
	// ALSA's "null" device reports no channels, and mediadevices panics on
	// it; such formats are not candidates.
	usable := func(p prop.Media) bool { return p.ChannelCount > 0 && p.SampleRate == opusRate }
	ds, reason := ordered(driver.Microphone, cfg.Microphone)
	errs := []error{ErrNoMicrophone}
	for _, d := range ds {
		rec, ok := d.(driver.AudioRecorder)
		if !ok {
			continue
		}
		as, err := openAudioDevice(struct {
			device
			driver.AudioRecorder
		}{d, rec}, func(ps []prop.Media) (prop.Media, bool) { return best(c, ps, usable) })
		if err == nil {
			cfg.report(cfg.Microphone, reason, errs)
			return as, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", d.Info().Label, err))
	}
	return audioSource{}, errors.Join(append(errs, reason)...)
}

func openAudioDevice(d interface {
	device
	driver.AudioRecorder
}, choose func([]prop.Media) (prop.Media, bool)) (as audioSource, err error) {
	defer guard("microphone", &err)
	if err := d.Open(); err != nil {
		return as, err
	}
	p, ok := choose(d.Properties())
	if !ok {
		d.Close()
		return as, errors.New("no usable audio format")
	}
	r, err := d.AudioRecord(p)
	if err != nil {
		d.Close()
		return as, err
	}
	return audioSource{dev: d, r: r, p: p}, nil
}

// best picks the property closest to the constraints, as mediadevices'
// own selection does, among those usable.
func best(c prop.MediaConstraints, ps []prop.Media, usable func(prop.Media) bool) (prop.Media, bool) {
	var found prop.Media
	bestDist, ok := 0.0, false
	for _, p := range ps {
		if usable != nil && !usable(p) {
			continue
		}
		d, fits := c.FitnessDistance(p)
		if fits && (!ok || d < bestDist) {
			found, bestDist, ok = p, d, true
		}
	}
	return found, ok
}
