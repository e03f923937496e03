package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"parley/media"
	"parley/views"
)

// Preference keys.
const (
	prefVoice    = "call.voice"
	prefVideo    = "call.video"
	prefRing     = "ringtone"
	prefNotify   = "notifications"
	prefLanguage = "language"
	prefTheme    = "theme"
	prefCamera   = "device.camera"
	prefMic      = "device.microphone"
	prefSpeaker  = "device.speaker"
	prefShare    = "host.share"
	prefEcho     = "sound.echo_cancel"
	prefNoise    = "sound.noise_suppress"
	prefGain     = "sound.auto_gain"
	prefCAFile   = "tls.ca_file"
	prefMode     = "signin.mode"
	prefURL      = "signin.url"
	prefUser     = "signin.user"
)

func loadSettings(p fyne.Preferences) views.Settings {
	d := views.DefaultSettings()
	return views.Settings{
		VoiceCall:      p.BoolWithFallback(prefVoice, d.VoiceCall),
		VideoCall:      p.BoolWithFallback(prefVideo, d.VideoCall),
		Ringtone:       p.BoolWithFallback(prefRing, d.Ringtone),
		Notifications:  p.BoolWithFallback(prefNotify, d.Notifications),
		Language:       p.StringWithFallback(prefLanguage, d.Language),
		Theme:          p.StringWithFallback(prefTheme, d.Theme),
		Camera:         p.String(prefCamera),
		Microphone:     p.String(prefMic),
		Speaker:        p.String(prefSpeaker),
		ShareOnNetwork: p.Bool(prefShare),
		EchoCancel:     p.BoolWithFallback(prefEcho, d.EchoCancel),
		NoiseSuppress:  p.BoolWithFallback(prefNoise, d.NoiseSuppress),
		AutoGain:       p.BoolWithFallback(prefGain, d.AutoGain),
		CAFile:         p.String(prefCAFile),
	}
}

func saveSettings(p fyne.Preferences, s views.Settings) {
	p.SetBool(prefVoice, s.VoiceCall)
	p.SetBool(prefVideo, s.VideoCall)
	p.SetBool(prefRing, s.Ringtone)
	p.SetBool(prefNotify, s.Notifications)
	p.SetString(prefLanguage, s.Language)
	p.SetString(prefTheme, s.Theme)
	p.SetString(prefCamera, s.Camera)
	p.SetString(prefMic, s.Microphone)
	p.SetString(prefSpeaker, s.Speaker)
	p.SetBool(prefShare, s.ShareOnNetwork)
	p.SetBool(prefEcho, s.EchoCancel)
	p.SetBool(prefNoise, s.NoiseSuppress)
	p.SetBool(prefGain, s.AutoGain)
	p.SetString(prefCAFile, s.CAFile)
}

// voiceProcessing is the sound cleaning of the settings: what callcore
// asks at each call and the level meter uses.
func (a *App) voiceProcessing() media.VoiceProcessing { return a.currentSettings().VoiceProcessing() }

func loadSignIn(p fyne.Preferences) views.SignInChoice {
	return views.SignInChoice{Mode: p.StringWithFallback(prefMode, views.ModeHost), URL: p.String(prefURL), User: p.String(prefUser)}
}

func saveSignIn(p fyne.Preferences, c views.SignInChoice) {
	p.SetString(prefMode, c.Mode)
	p.SetString(prefURL, c.URL)
	p.SetString(prefUser, c.User)
}

// appTheme is Fyne's theme with the variant the person chose.
type appTheme struct {
	fyne.Theme
	variant *fyne.ThemeVariant
}

func newTheme(name string) fyne.Theme {
	t := &appTheme{Theme: theme.DefaultTheme()}
	switch name {
	case views.ThemeLight:
		v := theme.VariantLight
		t.variant = &v
	case views.ThemeDark:
		v := theme.VariantDark
		t.variant = &v
	}
	return t
}

func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.variant != nil {
		v = *t.variant
	}
	return t.Theme.Color(n, v)
}
