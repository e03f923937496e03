package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Themes.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Settings are what the person can change; the app keeps them in Fyne's
// preferences.
type Settings struct {
	VoiceCall     bool // the "Voice call" entry of the more menu
	VideoCall     bool
	Ringtone      bool
	Notifications bool
	Language      string
	Theme         string
	Camera        string
	Microphone    string
	Speaker       string
}

// DefaultSettings are a fresh install's.
func DefaultSettings() Settings {
	return Settings{VoiceCall: true, VideoCall: true, Ringtone: true, Notifications: true,
		Language: English, Theme: ThemeSystem}
}

// DeviceLists are the devices to choose from.
type DeviceLists struct {
	Cameras, Microphones, Speakers []string
}

// SettingsView edits Settings; every change goes to onChange at once.
type SettingsView struct {
	Current    Settings
	VoiceCall  *widget.Check
	VideoCall  *widget.Check
	Ringtone   *widget.Check
	Notify     *widget.Check
	Language   *widget.Select
	Theme      *widget.Select
	Camera     *widget.Select
	Microphone *widget.Select
	Speaker    *widget.Select
	Preview    *VideoSurface       // the camera preview, fed by the app
	Level      *widget.ProgressBar // the microphone level, fed by the app
	root       fyne.CanvasObject
}

// NewSettingsView shows cur; onChange gets every change.
func NewSettingsView(cur Settings, devices DeviceLists, onChange func(Settings)) *SettingsView {
	v := &SettingsView{Current: cur, Preview: NewVideoSurface(), Level: widget.NewProgressBar()}
	changed := func() {
		if onChange != nil {
			onChange(v.Current)
		}
	}
	check := func(label string, val *bool) *widget.Check {
		c := widget.NewCheck(label, nil)
		c.SetChecked(*val)
		c.OnChanged = func(b bool) { *val = b; changed() }
		return c
	}
	v.VoiceCall = check(T("Voice call"), &v.Current.VoiceCall)
	v.VideoCall = check(T("Video call"), &v.Current.VideoCall)
	v.Ringtone = check(T("Ringtone"), &v.Current.Ringtone)
	v.Notify = check(T("Notifications"), &v.Current.Notifications)
	langs := []string{LanguageNames[English], LanguageNames[SimplifiedChinese]}
	v.Language = widget.NewSelect(langs, nil)
	v.Language.SetSelected(LanguageNames[cur.Language])
	v.Language.OnChanged = func(name string) {
		for tag, n := range LanguageNames {
			if n == name && tag != v.Current.Language {
				v.Current.Language = tag
				changed()
			}
		}
	}
	themes := map[string]string{ThemeSystem: T("System"), ThemeLight: T("Light"), ThemeDark: T("Dark")}
	v.Theme = widget.NewSelect([]string{themes[ThemeSystem], themes[ThemeLight], themes[ThemeDark]}, nil)
	v.Theme.SetSelected(themes[cur.Theme])
	v.Theme.OnChanged = func(name string) {
		for tag, n := range themes {
			if n == name && tag != v.Current.Theme {
				v.Current.Theme = tag
				changed()
			}
		}
	}
	device := func(list []string, val *string) *widget.Select {
		s := widget.NewSelect(list, nil)
		s.PlaceHolder = T("System default")
		if *val != "" {
			s.SetSelected(*val)
		}
		s.OnChanged = func(d string) { *val = d; changed() }
		return s
	}
	v.Camera = device(devices.Cameras, &v.Current.Camera)
	v.Microphone = device(devices.Microphones, &v.Current.Microphone)
	v.Speaker = device(devices.Speakers, &v.Current.Speaker)
	v.Preview.Image.SetMinSize(fyne.NewSize(160, 120))
	form := widget.NewForm(
		widget.NewFormItem(T("Camera"), v.Camera),
		widget.NewFormItem("", container.NewHBox(v.Preview.Image)),
		widget.NewFormItem(T("Microphone"), v.Microphone),
		widget.NewFormItem(T("Level"), v.Level),
		widget.NewFormItem(T("Speaker"), v.Speaker),
		widget.NewFormItem(T("Call entries"), container.NewHBox(v.VoiceCall, v.VideoCall)),
		widget.NewFormItem(T("Incoming calls"), container.NewHBox(v.Ringtone, v.Notify)),
		widget.NewFormItem(T("Language"), v.Language),
		widget.NewFormItem(T("Theme"), v.Theme),
	)
	v.root = container.NewVScroll(container.NewPadded(form))
	return v
}

// Object is the view's canvas object.
func (v *SettingsView) Object() fyne.CanvasObject { return v.root }
