package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// VoiceScreen is a voice call: the other person, the timer, their muted
// mark, the network quality, mute, the speaker (on/off, and the device)
// and hang up.
type VoiceScreen struct {
	Timer   *canvas.Text
	Muted   *canvas.Text // shown while the other side is muted
	Quality *QualityIndicator
	Mute    *RoundButton
	Speaker *RoundButton   // the call's sound on or off on this device
	Output  *widget.Select // the playback device; nil without devices to choose
	Hangup  *RoundButton
	Status  *canvas.Text
	root    fyne.CanvasObject
}

// NewVoiceScreen builds the screen of the voice call snap; speakers lists
// the playback devices.
func NewVoiceScreen(snap CallSnapshot, speakers []string, do CallActions) *VoiceScreen {
	v := &VoiceScreen{Timer: whiteText("", 16, false), Quality: NewQualityIndicator(),
		Muted: whiteText(T("Muted"), 12, false), Status: whiteText("", 12, false)}
	v.Mute = callButton("", nil, do.Mute)
	v.Speaker = callButton("", nil, do.ToggleSpeaker)
	v.Hangup = hangupButton(T("Hang up"), do.Hangup)
	controls := []fyne.CanvasObject{v.Mute, v.Speaker, v.Hangup}
	top := container.NewHBox(layout.NewSpacer(), v.Quality.Object())
	if len(speakers) > 0 {
		v.Output = widget.NewSelect(speakers, do.Speaker)
		v.Output.PlaceHolder = T("Speaker")
		top.Objects = append([]fyne.CanvasObject{v.Output}, top.Objects...)
	}
	body := container.NewVBox(top, layout.NewSpacer(),
		container.NewCenter(Avatar(snap.Peer(), 96)), whiteText(snap.Peer(), 20, true), v.Muted, v.Timer, v.Status,
		layout.NewSpacer(), controlRow(controls...))
	v.root = container.NewStack(darkBackground(), container.NewPadded(body))
	v.Update(snap)
	return v
}

// Object is the screen's canvas object.
func (v *VoiceScreen) Object() fyne.CanvasObject { return v.root }

// Update shows the timer, the status, our mute and the peer's.
func (v *VoiceScreen) Update(snap CallSnapshot) {
	setText(v.Timer, &v.Timer.Text, snap.Time)
	setText(v.Status, &v.Status.Text, snap.StatusText())
	label, icon := muteFace(snap.Muted)
	v.Mute.Set(label, icon, snap.Muted)
	label, icon = speakerFace(snap.SpeakerOff)
	v.Speaker.Set(label, icon, snap.SpeakerOff)
	showIf(v.Muted, snap.PeerState().Muted)
	if v.Quality.Level != snap.Quality {
		v.Quality.Set(snap.Quality)
	}
}

// Fits tells whether the screen shows snap: a direct voice call with
// media.
func (v *VoiceScreen) Fits(snap CallSnapshot) bool {
	return inCallState(snap.State) && !snap.Call.Group && !snap.Video()
}

// Close has nothing to stop.
func (v *VoiceScreen) Close() {}

// showIf shows o while on, refreshing only on a change.
func showIf(o fyne.CanvasObject, on bool) {
	if o.Visible() != on {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
}
