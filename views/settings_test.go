package views

import (
	"errors"
	"fmt"
	"testing"

	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// The three sound switches read as a person sees them, start on, and each
// reports its own stage of the voice processing.
func TestSettingsSoundSwitches(t *testing.T) {
	for _, tc := range []struct {
		label  string
		check  func(*SettingsView) *keyedCheck
		offSet media.VoiceProcessing // what the settings ask once it is off
	}{
		{"Echo cancellation", func(v *SettingsView) *keyedCheck { return v.EchoCancel },
			media.VoiceProcessing{NoiseSuppress: true, AutoGain: true}},
		{"Noise suppression", func(v *SettingsView) *keyedCheck { return v.NoiseSuppress },
			media.VoiceProcessing{EchoCancel: true, AutoGain: true}},
		{"Automatic gain", func(v *SettingsView) *keyedCheck { return v.AutoGain },
			media.VoiceProcessing{EchoCancel: true, NoiseSuppress: true}},
	} {
		t.Run(tc.label, func(t *testing.T) {
			test.NewTempApp(t)
			var got Settings
			v := NewSettingsView(DefaultSettings(), DeviceLists{}, func(s Settings) { got = s })
			w := test.NewWindow(v.Object())
			defer w.Close()
			c := tc.check(v)
			if c.Text != tc.label || !c.Checked || !c.Visible() {
				t.Fatalf("switch %q checked %v, want %q on", c.Text, c.Checked, tc.label)
			}
			if v.Current.VoiceProcessing() != media.AllVoiceProcessing {
				t.Fatalf("defaults ask %+v", v.Current.VoiceProcessing())
			}
			test.Tap(c)
			if c.Checked || got.VoiceProcessing() != tc.offSet {
				t.Fatalf("off: checked %v, settings ask %+v, want %+v", c.Checked, got.VoiceProcessing(), tc.offSet)
			}
			test.Tap(c)
			if got.VoiceProcessing() != media.AllVoiceProcessing {
				t.Fatalf("on again: settings ask %+v", got.VoiceProcessing())
			}
		})
	}
}

// "Use headphones to avoid echo" shows beside the echo switch exactly
// while echo cancellation is off, also when the window opens with it off.
func TestSettingsHeadphonesTip(t *testing.T) {
	test.NewTempApp(t)
	const tip = "Use headphones to avoid echo"
	for _, echo := range []bool{true, false} {
		cur := DefaultSettings()
		cur.EchoCancel = echo
		v := NewSettingsView(cur, DeviceLists{}, nil)
		w := test.NewWindow(v.Object())
		if v.HeadphonesTip.Text != tip || v.HeadphonesTip.Visible() == echo {
			t.Fatalf("opened with echo cancellation %v: tip %q shown %v", echo, v.HeadphonesTip.Text, v.HeadphonesTip.Visible())
		}
		for _, on := range []bool{!echo, echo} {
			v.EchoCancel.SetChecked(on)
			if v.HeadphonesTip.Visible() == on {
				t.Fatalf("echo cancellation %v: tip shown %v", on, v.HeadphonesTip.Visible())
			}
		}
		w.Close()
	}
}

// Settings say where the devices are listed that there is no speaker.
func TestSettingsNoSpeaker(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		speakers []string
		missing  bool
	}{{nil, true}, {[]string{"Speaker A"}, false}} {
		v := NewSettingsView(DefaultSettings(), DeviceLists{Speakers: tc.speakers}, nil)
		w := test.NewWindow(v.Object())
		if v.NoSpeaker.Text != "No speaker found" || v.NoSpeaker.Visible() != tc.missing {
			t.Fatalf("speakers %q: %q shown %v", tc.speakers, v.NoSpeaker.Text, v.NoSpeaker.Visible())
		}
		w.Close()
	}
}

// An error the call survives shows on the call screen: a missing device
// as a sentence in the person's language, anything else as it is.
func TestCallScreenSaysWhichDeviceIsMissing(t *testing.T) {
	if err := AddTranslations(SimplifiedChinese, []byte(`{"No microphone found: the others cannot hear you":"未找到麦克风：对方听不到你的声音"}`)); err != nil {
		t.Fatal(err)
	}
	defer SetLanguage(English)
	for _, tc := range []struct {
		lang string
		err  error
		want string
	}{
		{English, fmt.Errorf("audio: %w", media.ErrNoMicrophone), "No microphone found: the others cannot hear you"},
		{SimplifiedChinese, fmt.Errorf("audio: %w", media.ErrNoMicrophone), "未找到麦克风：对方听不到你的声音"},
		{English, media.ErrNoCamera, "No camera found: the others cannot see you"},
		{English, errors.New("signal queue full"), "signal queue full"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			SetLanguage(tc.lang)
			s, _, _ := newScreens(test.NewTempApp(t), "alice")
			c := call(protocol.MediaAudio, "alice", protocol.CallActive)
			s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
			s.HandleEvent(callcore.Event{Type: callcore.EventError, Err: tc.err})
			if !shows(s.Window().Content(), tc.want) {
				t.Fatalf("the call screen shows %q, want %q", texts(s.Window().Content()), tc.want)
			}
		})
	}
}

// The trusted certificate authority: a file the check refuses is not
// taken, why shows under the field and the setting stays; a good one is
// taken; Clear goes back to the system's authorities; Choose opens a file
// dialog.
func TestSettingsTrustedCA(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	var got []string
	cur := DefaultSettings()
	cur.CAFile = "/etc/parley/old-ca.pem"
	v := NewSettingsView(cur, DeviceLists{}, func(s Settings) { got = append(got, s.CAFile) })
	v.Install(w)
	v.CA.Check = func(file string) error {
		if file == "/tmp/notes.txt" {
			return errors.New("/tmp/notes.txt holds no PEM certificate")
		}
		return nil
	}
	if v.CA.File.Text != "/etc/parley/old-ca.pem" || v.CA.Problem.Visible() || v.CA.Clear.Disabled() {
		t.Fatalf("shows %q, problem %v", v.CA.File.Text, v.CA.Problem.Visible())
	}
	v.CA.Use("/tmp/notes.txt")
	if !v.CA.Problem.Visible() || v.CA.Problem.Text != "/tmp/notes.txt holds no PEM certificate" {
		t.Fatalf("a refused file says %q (shown %v)", v.CA.Problem.Text, v.CA.Problem.Visible())
	}
	if v.CA.File.Text != "/etc/parley/old-ca.pem" || len(got) != 0 {
		t.Fatalf("a refused file changed the setting: shows %q, reported %q", v.CA.File.Text, got)
	}
	v.CA.Use("/tmp/ca.pem")
	if v.CA.Problem.Visible() || v.CA.File.Text != "/tmp/ca.pem" || fmt.Sprint(got) != "[/tmp/ca.pem]" {
		t.Fatalf("a good file: shows %q, reported %q, problem %v", v.CA.File.Text, got, v.CA.Problem.Visible())
	}
	test.Tap(v.CA.Clear)
	if v.CA.File.Text != "None: the system's authorities" || !v.CA.Clear.Disabled() || fmt.Sprint(got) != "[/tmp/ca.pem ]" {
		t.Fatalf("cleared: shows %q, reported %q", v.CA.File.Text, got)
	}
	test.Tap(v.CA.Choose)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("Choose opened no file dialog")
	}
}
