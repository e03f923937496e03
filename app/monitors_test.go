package app

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"parley/media"
)

// eventually polls cond with a generous deadline: the test sources run on
// the clock, the assertions do not.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func TestSettingsWindowRunsThePreviewAndTheLevel(t *testing.T) {
	a := New(test.NewTempApp(t), TestMedia(true))
	defer a.Close()
	a.showSettings()
	v := a.setView
	if !slices.Equal(v.Camera.Options, []string{media.TestCameraName}) || !slices.Equal(v.Microphone.Options, []string{media.TestMicrophoneName}) {
		t.Fatalf("lists %q %q", v.Camera.Options, v.Microphone.Options)
	}
	eventually(t, "a preview frame and a level", func() bool { return v.Preview.Frames() > 0 && v.Levels() > 0 })

	// A change of device restarts the preview.
	s := a.currentSettings()
	s.Camera = media.TestCameraName
	a.changeSettings(s)
	n := v.Preview.Frames()
	eventually(t, "frames of the new camera", func() bool { return v.Preview.Frames() > n })

	// A call takes the devices; its end gives them back.
	busy := &Session{}
	a.monitors.inCall(busy, true)
	a.monitors.wait()
	if a.monitors.cam.stop != nil || a.monitors.mic.stop != nil {
		t.Fatal("the preview holds the devices during a call")
	}
	a.monitors.inCall(busy, false)
	n = v.Preview.Frames()
	eventually(t, "the preview after the call", func() bool { return v.Preview.Frames() > n })

	// Closing the window releases them.
	a.setWin.Close()
	a.monitors.wait()
	if a.monitors.cam.stop != nil || a.monitors.mic.stop != nil || a.monitors.view.Load() != nil {
		t.Fatal("the devices stay open after the window closed")
	}
	if v.Level.Value <= 0 {
		t.Fatalf("level %v", v.Level.Value)
	}
}
