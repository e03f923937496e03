package media

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/wave"
)

// PreviewConfig configures StartPreview.
type PreviewConfig struct {
	// Camera names the camera, as Cameras lists it; empty: the default.
	Camera    string
	TestMedia bool
	// Width and Height of the capture; 320x240 when zero.
	Width, Height int
	// OnFrame receives up to 15 frames a second, each the receiver's to
	// keep. It runs on the capture goroutine and must return quickly.
	OnFrame func(*image.RGBA)
	// OnError hears of a chosen camera not used, or of capture that
	// stopped before stop.
	OnError func(error)
}

// LevelConfig configures StartLevelMeter.
type LevelConfig struct {
	// Microphone names the microphone, as Microphones lists it; empty:
	// the default.
	Microphone string
	TestMedia  bool
	// OnLevel receives the loudness up to 15 times a second, from 0
	// (-60 dBFS or less) to 1 (full scale), the RMS on a decibel scale.
	// It runs on the capture goroutine and must return quickly.
	OnLevel func(float64)
	OnError func(error)
	// VoiceProcessing cleans the sound before it is measured, as a call's
	// send path does; nil: the microphone's sound as it is.
	VoiceProcessing *VoiceProcessing
}

// levelInterval spaces the levels, as previewInterval spaces the frames.
const levelInterval = time.Second / 15

// StartPreview opens the camera, as a call would, and hands its frames to
// OnFrame until stop, which closes the camera and returns once the capture
// goroutine has ended. Without a camera the error is ErrNoCamera.
func StartPreview(cfg PreviewConfig) (stop func(), err error) {
	if cfg.Width == 0 || cfg.Height == 0 {
		cfg.Width, cfg.Height = 320, 240
	}
	mc := Config{Camera: cfg.Camera, TestMedia: cfg.TestMedia, Width: cfg.Width, Height: cfg.Height, FrameRate: 15, OnError: cfg.OnError}
	src, err := openVideo(&mc)
	if err != nil {
		return nil, err
	}
	onFrame := cfg.OnFrame
	if onFrame == nil {
		onFrame = func(*image.RGBA) {}
	}
	r := previewVideo(src.r, onFrame)
	return monitor(src.dev, "camera", cfg.OnError, func() error {
		_, release, err := r.Read()
		if err == nil {
			release()
		}
		return err
	}), nil
}

// StartLevelMeter opens the microphone, as a call would, and hands its
// level to OnLevel until stop, which closes the microphone and returns
// once the capture goroutine has ended. Without a microphone the error is
// ErrNoMicrophone.
func StartLevelMeter(cfg LevelConfig) (stop func(), err error) {
	voice, err := newVoicePath(cfg.VoiceProcessing)
	if err != nil {
		return nil, fmt.Errorf("media: voice processing: %w", err)
	}
	mc := Config{Microphone: cfg.Microphone, TestMedia: cfg.TestMedia, OnError: cfg.OnError}
	src, err := openAudio(&mc)
	if err != nil {
		voice.close()
		return nil, err
	}
	r := voice.capture(src.r)
	var sum float64
	var n int
	last := time.Now()
	stopMonitor := monitor(src.dev, "microphone", cfg.OnError, func() error {
		chunk, release, err := r.Read()
		if err != nil {
			return err
		}
		s, k := squares(chunk)
		release()
		sum, n = sum+s, n+k
		if time.Since(last) >= levelInterval && n > 0 {
			last = time.Now()
			if cfg.OnLevel != nil {
				cfg.OnLevel(Level(math.Sqrt(sum / float64(n))))
			}
			sum, n = 0, 0
		}
		return nil
	})
	return sync.OnceFunc(func() {
		stopMonitor()
		voice.close()
	}), nil
}

// Level maps an RMS amplitude (1 is full scale) to a meter's 0..1: -60
// dBFS and below are 0, linear in decibels up to 0 dBFS.
func Level(rms float64) float64 {
	if rms <= 0 {
		return 0
	}
	return min(1, max(0, (20*math.Log10(rms)+60)/60))
}

// squares sums the squared samples of a chunk, scaled to full scale 1,
// and counts them.
func squares(a wave.Audio) (sum float64, n int) {
	switch a := a.(type) {
	case *wave.Int16Interleaved:
		for _, v := range a.Data {
			f := float64(v) / 32768
			sum += f * f
		}
		return sum, len(a.Data)
	case *wave.Float32Interleaved:
		for _, v := range a.Data {
			sum += float64(v) * float64(v)
		}
		return sum, len(a.Data)
	}
	info := a.ChunkInfo()
	for i := range info.Len {
		for ch := range info.Channels {
			f := float64(wave.Int16SampleFormat.Convert(a.At(i, ch)).Int()) / 32768
			sum += f * f
		}
	}
	return sum, info.Len * info.Channels
}

// monitor runs read until it fails or stop; stop closes dev, waits for the
// goroutine, and may be called more than once. A driver panic ends the
// capture and goes to onError like any other failure.
func monitor(dev device, what string, onError func(error), read func() error) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	closeOnce := sync.OnceFunc(func() { closeDev(dev) })
	stopOnce := sync.OnceFunc(func() { close(stopped) })
	go func() {
		defer close(done)
		var err error
		func() {
			defer guard(what, &err)
			for err == nil {
				err = read()
			}
		}()
		select {
		case <-stopped:
			return
		default:
		}
		if onError != nil && !errors.Is(err, io.EOF) {
			onError(fmt.Errorf("%s capture stopped: %w", what, err))
		}
		closeOnce()
	}()
	return func() {
		stopOnce()
		closeOnce()
		<-done
	}
}

// closeDev closes a device, surviving its driver's panic.
func closeDev(d device) {
	defer func() { _ = recover() }()
	d.Close()
}
