package media

import (
	"errors"
	"image"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestPreviewDeliversFramesAndStops(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var frames atomic.Int32
	var size atomic.Value
	stop, err := StartPreview(PreviewConfig{TestMedia: true, Camera: TestCameraName, OnFrame: func(img *image.RGBA) {
		size.Store(img.Bounds())
		frames.Add(1)
	}, OnError: func(err error) { t.Errorf("OnError: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three frames", func() bool { return frames.Load() >= 3 })
	stop()
	stop() // twice is harmless
	if got := size.Load().(image.Rectangle); got != image.Rect(0, 0, 320, 240) {
		t.Fatalf("frame size %v", got)
	}
	n := frames.Load()
	time.Sleep(100 * time.Millisecond)
	if frames.Load() != n {
		t.Fatal("frames after stop")
	}
}

func TestLevelMeterDeliversLevelsAndStops(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var count atomic.Int32
	var loudest atomic.Uint64
	stop, err := StartLevelMeter(LevelConfig{TestMedia: true, OnLevel: func(l float64) {
		if l > math.Float64frombits(loudest.Load()) {
			loudest.Store(math.Float64bits(l))
		}
		count.Add(1)
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The test voice speaks at -20 dBFS (2/3 on the meter) between pauses.
	waitFor(t, "the voice", func() bool { return math.Float64frombits(loudest.Load()) > 0.55 })
	stop()
	if l := math.Float64frombits(loudest.Load()); l > 0.8 {
		t.Fatalf("level %.3f, louder than the voice", l)
	}
}

func TestLevelScale(t *testing.T) {
	for _, c := range []struct{ rms, want float64 }{{0, 0}, {1e-4, 0}, {1e-3, 0}, {0.1, 2.0 / 3}, {1, 1}, {2, 1}} {
		if got := Level(c.rms); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Level(%g) = %g, want %g", c.rms, got, c.want)
		}
	}
}

// This host (CI's) has no camera and no microphone: the monitors say so
// and never fall back on the test sources.
func TestMonitorsWithoutDevices(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	if len(Cameras(false)) == 0 {
		stop, err := StartPreview(PreviewConfig{Camera: "no such camera"})
		if !errors.Is(err, ErrNoCamera) || stop != nil {
			t.Fatalf("StartPreview without a camera: %v", err)
		}
	}
	if len(Microphones(false)) == 0 {
		stop, err := StartLevelMeter(LevelConfig{})
		if !errors.Is(err, ErrNoMicrophone) || stop != nil {
			t.Fatalf("StartLevelMeter without a microphone: %v", err)
		}
	}
}

// A capture that panics ends the monitor with an error, not the process.
func TestMonitorSurvivesADriverPanic(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	got := make(chan error, 1)
	dev := &testAudio{}
	dev.Open()
	stop := monitor(dev, "microphone", func(err error) { got <- err }, func() error { panic("boom") })
	if err := <-got; err == nil {
		t.Fatal("no error")
	}
	stop()
}
