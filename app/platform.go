package app

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"parley/assets"
	"parley/callcore"
	"parley/media"
	"parley/platform"
	"parley/protocol"
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

// ringer is the call engine's Ringer: it loops the ringtone on the chosen
// speaker while a call rings, as the settings allow. The engine calls it
// in order, off its lock; the speaker opens and closes on the
// liveDevice's goroutines, which wg owns.
type ringer struct {
	app  *App
	ring []int16 // the ringtone; empty rings silently
	tone liveDevice
	wg   *sync.WaitGroup
}

func (r *ringer) Ringtone(on bool) {
	if !on {
		r.tone.halt(r.wg)
		return
	}
	if !r.app.currentSettings().Ringtone || len(r.ring) == 0 {
		return
	}
	r.tone.ensure(r.wg, func() (func(), error) {
		return playing(platform.Play(r.app.currentSettings().Speaker, r.ring, true))
	}, r.app.logFailure("cannot ring"))
}

// playing is an opened speaker as liveDevice takes it: the function that
// closes it.
func playing(s *platform.Speaker, err error) (func(), error) {
	if err != nil {
		return nil, err
	}
	return func() { s.Close() }, nil
}

// logFailure returns an outcome callback of liveDevice that logs a failure
// (ErrNoSpeaker on a machine without sound) as msg.
func (a *App) logFailure(msg string) func(error) {
	return func(err error) {
		if err != nil {
			a.log.Warn(msg, "err", err)
		}
	}
}

// notifyIncoming sends the desktop notification of a call that rings
// here, in the current language, if the settings allow.
func (a *App) notifyIncoming(c protocol.Call) {
	if !a.currentSettings().Notifications {
		return
	}
	title := views.T("Incoming voice call")
	if c.Media == protocol.MediaVideo {
		title = views.T("Incoming video call")
	}
	a.notify(title, views.Tf("%s is calling you", c.Caller))
}

// announce draws the person's eye to a call that rings here, once the
// call screens have made its invite window: it raises that window and
// sends the notification. UI goroutine.
func (s *Session) announce(c protocol.Call) {
	if iw := s.screens.Invite(); iw != nil {
		platform.BringToFront(iw.Window)
	}
	s.app.notifyIncoming(c)
}

// playCall plays the call's sound on the chosen speaker from the moment
// media flows until the call is over. Without a speaker (ErrNoSpeaker on
// a machine without sound) the call screens say so.
func (s *Session) playCall(state callcore.State) {
	switch state {
	case callcore.Active:
		s.audio.ensure(&s.devices, func() (func(), error) {
			return s.app.openSpeaker(s.app.currentSettings().Speaker, s.sound.pull(s.phone.ReadAudio))
		}, func(err error) {
			s.app.logFailure("call audio cannot play")(err)
			fyne.Do(func() { s.screens.SetSpeakerMissing(err != nil) })
		})
	case callcore.Idle:
		s.audio.halt(&s.devices)
		s.sound.off.Store(false) // the next call starts with its sound on
	}
}

// callSound is what the speaker plays of a call: the call's sound, or
// silence while the person has turned the speaker off (the call screens'
// speaker button). The sound is read either way, so that the speaker comes
// back on the live sound rather than on what queued while it was off, and
// the echo canceller still hears the far end.
type callSound struct {
	off atomic.Bool
}

// pull wraps read, the call's source of sound, for the playback device.
func (c *callSound) pull(read func(pcm []int16) int) func(pcm []int16) int {
	return func(pcm []int16) int {
		n := read(pcm)
		if c.off.Load() {
			clear(pcm[:n])
		}
		return n
	}
}
