package app

import (
	"slices"
	"testing"

	"parley/media"
)

func TestSettingsWindowRunsThePreviewAndTheLevel(t *testing.T) {
	ui := newUILoop(t)
	a := New(ui, TestMedia(true))
	defer a.Close()
	a.showSettings()
	v := a.setView
	if !slices.Equal(v.Camera.Options, []string{media.TestCameraName}) || !slices.Equal(v.Microphone.Options, []string{media.TestMicrophoneName}) {
		t.Fatalf("lists %q %q", v.Camera.Options, v.Microphone.Options)
	}
	ui.eventually(t, "a preview frame and a level", func() bool { return v.Preview.Frames() > 0 && v.Levels() > 0 })

	// A change of device restarts the preview.
	s := a.currentSettings()
	s.Camera = media.TestCameraName
	a.changeSettings(s)
	n := v.Preview.Frames()
	ui.eventually(t, "frames of the new camera", func() bool { return v.Preview.Frames() > n })

	// A call takes the devices; its end gives them back.
	busy := &Session{}
	a.monitors.inCall(busy, true)
	a.monitors.wait()
	if a.monitors.cam.live.stop != nil || a.monitors.mic.live.stop != nil {
		t.Fatal("the preview holds the devices during a call")
	}
	a.monitors.inCall(busy, false)
	n = v.Preview.Frames()
	ui.eventually(t, "the preview after the call", func() bool { return v.Preview.Frames() > n })

	// The test voice speaks between pauses: the meter shows it.
	ui.eventually(t, "the microphone's level", func() bool { return v.Level.Value > 0 })

	// Closing the window releases them.
	a.setWin.Close()
	a.monitors.wait()
	if a.monitors.cam.live.stop != nil || a.monitors.mic.live.stop != nil || a.monitors.view.Load() != nil {
		t.Fatal("the devices stay open after the window closed")
	}
}
