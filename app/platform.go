package app

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"parley/assets"
	"parley/callcore"
	"parley/media"
	"parley/platform"
	"parley/views"
)

// loadAssets adds the shipped translations, once per process.
var loadAssets = sync.OnceValue(func() error {
	data, err := assets.Translation(assets.SimplifiedChinese)
	if err != nil {
		return err
	}
	return views.AddTranslations(views.SimplifiedChinese, data)
})

// ringtone is the decoded ringtone, once per process.
var ringtone = sync.OnceValues(func() ([]int16, error) { return platform.DecodeWAV(assets.Ringtone) })

// devices is the permission gate: generated media in demos and tests, the
// operating system's answer otherwise.
func (a *App) devices() callcore.Devices {
	if a.opts.testMedia {
		return callcore.GeneratedMedia{}
	}
	return platform.Devices()
}

func (a *App) deviceLists() views.DeviceLists {
	speakers, err := platform.Speakers()
	if err != nil {
		a.log.Info("no speakers to list", "err", err)
	}
	return views.DeviceLists{
		Cameras:     media.Cameras(a.opts.testMedia),
		Microphones: media.Microphones(a.opts.testMedia),
		Speakers:    speakers,
	}
}

// attention is how an invite reaches the person, as the settings allow:
// the operating system's notification and ringtone, and the invite window
// raised once the call screens have made it.
type attention struct {
	app   *App
	sys   *platform.Attention
	raise atomic.Bool
	// notify sends a notification; the platform's, which does not wait.
	notify func(title, body string)
}

func (a *App) attention() *attention {
	ring, err := ringtone()
	if err != nil {
		a.log.Error("the ringtone does not decode", "err", err)
	}
	t := &attention{app: a, sys: &platform.Attention{
		App:     a.fyne,
		Ring:    ring,
		Speaker: func() string { return a.currentSettings().Speaker },
		OnError: func(err error) { a.log.Warn("cannot ring", "err", err) },
	}}
	t.notify = t.sys.Notify
	return t
}

// BringToFront is asked before the invite window exists; raised() does it
// when the window is there.
func (t *attention) BringToFront() { t.raise.Store(true) }

func (t *attention) Notify(title, body string) {
	if t.app.currentSettings().Notifications {
		t.notify(views.T(title), body)
	}
}

func (t *attention) Ringtone(on bool) {
	if on && !t.app.currentSettings().Ringtone {
		return
	}
	t.sys.Ringtone(on)
}

// raised brings w to the front if the engine asked for it. It runs on the
// UI goroutine after the call screens handled an event.
func (t *attention) raised(w fyne.Window) {
	if w != nil && t.raise.CompareAndSwap(true, false) {
		platform.BringToFront(w)
	}
}

// callAudio plays a connected call's sound on the chosen speaker.
type callAudio struct {
	mu      sync.Mutex
	speaker *platform.Speaker
}

// set opens or closes the speaker; it runs off the UI goroutine.
func (c *callAudio) set(a *App, on bool, pull func([]int16) int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !on {
		if c.speaker != nil {
			c.speaker.Close()
			c.speaker = nil
		}
		return
	}
	if c.speaker != nil {
		return
	}
	s, err := platform.OpenSpeaker(a.currentSettings().Speaker, pull)
	if err != nil {
		a.log.Warn("call audio cannot play", "err", err)
		return
	}
	c.speaker = s
}
