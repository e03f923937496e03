package media

import (
	"errors"
	"image"
	"math"
	"sync"
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

// The meter measures the microphone as it is, or cleaned as a call sends
// it; either way it shows the voice, and stop releases everything.
func TestLevelMeterDeliversLevelsAndStops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		voice *VoiceProcessing
	}{{"unprocessed", nil}, {"processed", &AllVoiceProcessing}, {"processing off", &VoiceProcessing{}}} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			var count atomic.Int32
			var loudest atomic.Uint64
			stop, err := StartLevelMeter(LevelConfig{TestMedia: true, VoiceProcessing: tc.voice, OnLevel: func(l float64) {
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
			stop() // twice is harmless
			if l := math.Float64frombits(loudest.Load()); l > 0.8 {
				t.Fatalf("level %.3f, louder than the voice", l)
			}
		})
	}
}

// With noise suppression the meter shows the cleaned sound: over the same
// seconds of the test voice its mean level is lower than the microphone's
// own, as the suppressor takes off what it judges noise.
func TestLevelMeterShowsTheProcessedSound(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const levels = 45 // 3 s
	type meter struct {
		mu     sync.Mutex
		levels []float64
	}
	mean := func(m *meter) float64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		sum := 0.0
		for _, l := range m.levels[:levels] {
			sum += l
		}
		return sum / levels
	}
	run := func(voice *VoiceProcessing) (*meter, func()) {
		m := &meter{}
		stop, err := StartLevelMeter(LevelConfig{TestMedia: true, VoiceProcessing: voice, OnLevel: func(l float64) {
			m.mu.Lock()
			m.levels = append(m.levels, l)
			m.mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		return m, stop
	}
	raw, stopRaw := run(nil)
	clean, stopClean := run(&VoiceProcessing{NoiseSuppress: true})
	for _, m := range []*meter{raw, clean} {
		waitFor(t, "three seconds of levels", func() bool { m.mu.Lock(); defer m.mu.Unlock(); return len(m.levels) >= levels })
	}
	stopRaw()
	stopClean()
	if r, c := mean(raw), mean(clean); c >= r {
		t.Fatalf("mean level %.3f with noise suppression, %.3f without", c, r)
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
