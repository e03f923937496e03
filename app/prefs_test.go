package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/media"
	"parley/views"
)

// The sound switches of the settings window start on, and what a person
// switches off is what callcore gets at the next call (voiceProcessing is
// its Config.VoiceProcessing) and what the app remembers after a restart.
func TestSoundSwitchesReachCallsAndAreRemembered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		toggle func(*views.SettingsView)
		want   media.VoiceProcessing
	}{
		{name: "echo cancellation", toggle: func(v *views.SettingsView) { test.Tap(v.EchoCancel) },
			want: media.VoiceProcessing{NoiseSuppress: true, AutoGain: true}},
		{name: "noise suppression", toggle: func(v *views.SettingsView) { test.Tap(v.NoiseSuppress) },
			want: media.VoiceProcessing{EchoCancel: true, AutoGain: true}},
		{name: "automatic gain", toggle: func(v *views.SettingsView) { test.Tap(v.AutoGain) },
			want: media.VoiceProcessing{EchoCancel: true, NoiseSuppress: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ui := newUILoop(t)
			a := New(ui, TestMedia(true))
			if got := a.voiceProcessing(); got != media.AllVoiceProcessing {
				t.Fatalf("a fresh install asks %+v", got)
			}
			a.showSettings()
			v := a.setView
			if !v.EchoCancel.Checked || !v.NoiseSuppress.Checked || !v.AutoGain.Checked {
				t.Fatal("a sound switch starts off")
			}
			tc.toggle(v)
			if got := a.voiceProcessing(); got != tc.want {
				t.Fatalf("the next call gets %+v, want %+v", got, tc.want)
			}
			// The meter restarts on the cleaned sound and keeps showing it.
			n := v.Levels()
			ui.eventually(t, "levels after the switch", func() bool { return v.Levels() > n })
			a.Close()

			again := New(ui, TestMedia(true))
			defer again.Close()
			if got := again.voiceProcessing(); got != tc.want {
				t.Fatalf("after a restart the calls get %+v, want %+v", got, tc.want)
			}
			again.showSettings()
			w := again.setView
			if got := (media.VoiceProcessing{EchoCancel: w.EchoCancel.Checked, NoiseSuppress: w.NoiseSuppress.Checked,
				AutoGain: w.AutoGain.Checked}); got != tc.want {
				t.Fatalf("after a restart the switches read %+v", got)
			}
		})
	}
}
