package platform

import (
	"sync"

	"fyne.io/fyne/v2"

	"parley/callcore"
)

// Attention is callcore.Attention for the desktop app: an invite raises
// the invite's window, sends a desktop notification and loops the
// ringtone until the call is answered or over.
type Attention struct {
	App fyne.App
	// Window is the window an invite brings to the front; nil, or
	// returning nil, raises nothing.
	Window func() fyne.Window
	// Ring is the sound to loop, 48 kHz mono (DecodeWAV of
	// assets.Ringtone); empty rings silently.
	Ring []int16
	// Speaker names the playback device; nil or "" is the default.
	Speaker func() string
	// OnError hears why the ringtone cannot play (ErrNoSpeaker on a
	// machine without sound), so the app can say so; nil ignores it.
	OnError func(error)

	mu      sync.Mutex
	ringing *Speaker
}

var _ callcore.Attention = (*Attention)(nil)

// BringToFront raises the invite's window.
func (a *Attention) BringToFront() {
	if a.Window == nil {
		return
	}
	if w := a.Window(); w != nil {
		BringToFront(w)
	}
}

// Notify sends a desktop notification. It does not wait: the call engine
// asks with its lock held, and delivery can be slow (D-Bus on Linux,
// PowerShell on Windows).
func (a *Attention) Notify(title, body string) {
	go a.App.SendNotification(fyne.NewNotification(title, body))
}

// Ringtone starts or stops the ringtone; starting twice rings once.
func (a *Attention) Ringtone(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !on {
		if a.ringing != nil {
			a.ringing.Close()
			a.ringing = nil
		}
		return
	}
	if a.ringing != nil || len(a.Ring) == 0 {
		return
	}
	device := ""
	if a.Speaker != nil {
		device = a.Speaker()
	}
	s, err := Play(device, a.Ring, true)
	if err != nil {
		if a.OnError != nil {
			a.OnError(err)
		}
		return
	}
	a.ringing = s
}
