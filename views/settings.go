package views

import (
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"parley/media"
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
	// ShareOnNetwork lets others on the network join the server this
	// computer hosts; without it, it listens on loopback only.
	ShareOnNetwork bool
	// EchoCancel, NoiseSuppress and AutoGain clean the microphone's sound
	// of the next call and of the level meter.
	EchoCancel, NoiseSuppress, AutoGain bool
	// CAFile is the PEM file of a private authority trusted for an
	// https:// server's certificate; "": the system's authorities.
	CAFile string
}

// DefaultSettings are a fresh install's.
func DefaultSettings() Settings {
	return Settings{VoiceCall: true, VideoCall: true, Ringtone: true, Notifications: true,
		Language: English, Theme: ThemeSystem, EchoCancel: true, NoiseSuppress: true, AutoGain: true}
}

// VoiceProcessing is the sound cleaning the settings choose.
func (s Settings) VoiceProcessing() media.VoiceProcessing {
	return media.VoiceProcessing{EchoCancel: s.EchoCancel, NoiseSuppress: s.NoiseSuppress, AutoGain: s.AutoGain}
}

// DeviceLists are the devices to choose from.
type DeviceLists struct {
	Cameras, Microphones, Speakers []string
}

// SettingsView edits Settings; every change goes to onChange at once.
type SettingsView struct {
	Current    Settings
	VoiceCall  *keyedCheck
	VideoCall  *keyedCheck
	Ringtone   *keyedCheck
	Notify     *keyedCheck
	Language   *keyedSelect
	Theme      *keyedSelect
	Camera     *keyedSelect
	Microphone *keyedSelect
	Speaker    *keyedSelect
	Share      *keyedCheck
	// EchoCancel, NoiseSuppress and AutoGain switch the sound cleaning;
	// HeadphonesTip shows under EchoCancel while it is off.
	EchoCancel    *keyedCheck
	NoiseSuppress *keyedCheck
	AutoGain      *keyedCheck
	HeadphonesTip *widget.Label
	CA            *CAField
	// Address is the address to give others of the server this computer
	// hosts, or why there is none.
	Address *widget.Label
	Preview *VideoSurface       // the camera preview, fed by the app
	Level   *widget.ProgressBar // the microphone level, fed by SetLevel
	// NoCamera and NoMicrophone stand in for the preview and the level
	// when the device is missing.
	NoCamera     *widget.Label
	NoMicrophone *widget.Label
	// NoSpeaker shows under the speakers when there is none to list.
	NoSpeaker *widget.Label
	root      fyne.CanvasObject
	// closeWindow closes the settings' window: changes apply at once, so
	// Enter and Escape both just close it.
	closeWindow func()

	levels      newestHandoff[float64]
	levelsShown atomic.Int64 // for tests
}

// Levels is how many levels were shown.
func (v *SettingsView) Levels() int { return int(v.levelsShown.Load()) }

// SetLevel shows the microphone's level, 0..1, from any goroutine. It
// reaches the UI through a newestHandoff, so a slow UI skips levels instead
// of queuing them.
func (v *SettingsView) SetLevel(l float64) { v.levels.put(l) }

func (v *SettingsView) showLevel(l float64) {
	v.levelsShown.Add(1)
	v.Level.SetValue(l)
}

// SetCameraMissing shows "No camera found" in place of the preview, or the
// preview again. UI goroutine only.
func (v *SettingsView) SetCameraMissing(missing bool) {
	show(v.NoCamera, missing)
	show(v.Preview.Image, !missing)
}

// SetMicrophoneMissing shows "No microphone found" in place of the level,
// or the level again. UI goroutine only.
func (v *SettingsView) SetMicrophoneMissing(missing bool) {
	show(v.NoMicrophone, missing)
	show(v.Level, !missing)
	if missing {
		v.Level.SetValue(0)
	}
}

func show(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// NewSettingsView shows cur; onChange gets every change.
func NewSettingsView(cur Settings, devices DeviceLists, onChange func(Settings)) *SettingsView {
	v := &SettingsView{Current: cur, Preview: NewVideoSurface(), Level: widget.NewProgressBar()}
	v.levels.show = v.showLevel
	changed := func() {
		if onChange != nil {
			onChange(v.Current)
		}
	}
	keys := v.closeKeys()
	check := func(label string, val *bool) *keyedCheck {
		c := newKeyedCheck(label, nil)
		c.keys = keys
		c.SetChecked(*val)
		c.OnChanged = func(b bool) { *val = b; changed() }
		return c
	}
	v.VoiceCall = check(T("Voice call"), &v.Current.VoiceCall)
	v.VideoCall = check(T("Video call"), &v.Current.VideoCall)
	v.Ringtone = check(T("Ringtone"), &v.Current.Ringtone)
	v.Notify = check(T("Notifications"), &v.Current.Notifications)
	v.Share = check(T("Let others on this network join"), &v.Current.ShareOnNetwork)
	v.EchoCancel = check(T("Echo cancellation"), &v.Current.EchoCancel)
	v.NoiseSuppress = check(T("Noise suppression"), &v.Current.NoiseSuppress)
	v.AutoGain = check(T("Automatic gain"), &v.Current.AutoGain)
	v.HeadphonesTip = widget.NewLabel(T("Use headphones to avoid echo"))
	v.HeadphonesTip.Importance = widget.WarningImportance
	show(v.HeadphonesTip, !cur.EchoCancel)
	echoChanged := v.EchoCancel.OnChanged
	v.EchoCancel.OnChanged = func(on bool) {
		show(v.HeadphonesTip, !on)
		echoChanged(on)
	}
	v.CA = newCAField(cur.CAFile)
	v.CA.OnChanged = func(file string) { v.Current.CAFile = file; changed() }
	v.Address = widget.NewLabel(T("Not hosting a server"))
	v.Address.Wrapping = fyne.TextWrapWord
	v.Address.Selectable = true // to copy it
	// tagSelect shows tags by their names, in the order of tags; the setting
	// keeps the tag.
	tagSelect := func(tags []string, names map[string]string, val *string) *keyedSelect {
		options := make([]string, len(tags))
		for i, tag := range tags {
			options[i] = names[tag]
		}
		s := newKeyedSelect(options, nil)
		s.keys = keys
		s.SetSelected(names[*val])
		s.OnChanged = func(name string) {
			for _, tag := range tags {
				if names[tag] == name && tag != *val {
					*val = tag
					changed()
				}
			}
		}
		return s
	}
	v.Language = tagSelect([]string{English, SimplifiedChinese}, LanguageNames, &v.Current.Language)
	themes := map[string]string{ThemeSystem: T("System"), ThemeLight: T("Light"), ThemeDark: T("Dark")}
	v.Theme = tagSelect([]string{ThemeSystem, ThemeLight, ThemeDark}, themes, &v.Current.Theme)
	device := func(list []string, val *string) *keyedSelect {
		s := newKeyedSelect(list, nil)
		s.keys = keys
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
	v.Level.TextFormatter = func() string { return "" } // a meter, not a percentage
	v.NoCamera = widget.NewLabel(T("No camera found"))
	v.NoCamera.Hide()
	v.NoMicrophone = widget.NewLabel(T("No microphone found"))
	v.NoMicrophone.Hide()
	v.NoSpeaker = widget.NewLabel(T("No speaker found"))
	show(v.NoSpeaker, len(devices.Speakers) == 0)
	form := widget.NewForm(
		widget.NewFormItem(T("Camera"), v.Camera),
		widget.NewFormItem("", container.NewHBox(v.Preview.Image, v.NoCamera)),
		widget.NewFormItem(T("Microphone"), v.Microphone),
		widget.NewFormItem(T("Level"), container.NewVBox(v.Level, v.NoMicrophone)),
		widget.NewFormItem(T("Speaker"), container.NewVBox(v.Speaker, v.NoSpeaker)),
		widget.NewFormItem(T("Sound"), container.NewVBox(v.EchoCancel, v.HeadphonesTip, v.NoiseSuppress, v.AutoGain)),
		widget.NewFormItem(T("Call entries"), container.NewHBox(v.VoiceCall, v.VideoCall)),
		widget.NewFormItem(T("Incoming calls"), container.NewHBox(v.Ringtone, v.Notify)),
		widget.NewFormItem(T("Language"), v.Language),
		widget.NewFormItem(T("Theme"), v.Theme),
		widget.NewFormItem(T("Hosting"), container.NewVBox(v.Share, v.Address)),
		widget.NewFormItem(T("Trusted certificate authority"), v.CA.Object()),
	)
	v.root = container.NewVScroll(container.NewPadded(form))
	return v
}

// SetHostAddress shows the address others join the hosted server at:
// lan, or when it is empty, that only this computer can.
func (v *SettingsView) SetHostAddress(lan string) {
	switch {
	case lan != "":
		v.Address.SetText(Tf("Others join at %s", lan))
	default:
		v.Address.SetText(T("Only this computer can join. The network setting applies the next time Parley hosts."))
	}
}

// Object is the view's canvas object.
func (v *SettingsView) Object() fyne.CanvasObject { return v.root }

// Install shows the view in its window w: the first field focused, Enter
// and Escape close w.
func (v *SettingsView) Install(w fyne.Window) {
	v.closeWindow = w.Close
	w.SetContent(v.root)
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) { v.closeKeys().typed(k) })
	w.Canvas().Focus(v.Camera)
}

// closeKeys close the window on Enter and Escape.
func (v *SettingsView) closeKeys() dialogKeys {
	close := func() {
		if v.closeWindow != nil {
			v.closeWindow()
		}
	}
	return dialogKeys{submit: close, cancel: close}
}
