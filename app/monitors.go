package app

import (
	"errors"
	"image"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"parley/media"
	"parley/views"
)

// monitors run the camera preview and the microphone level of the
// settings window while it is open. The devices open off the UI goroutine;
// while a call is on they stay closed, so that the call gets them.
type monitors struct {
	a        *App
	view     atomic.Pointer[views.SettingsView] // nil: the window is closed
	cam, mic monitor
	wg       sync.WaitGroup

	busy map[*Session]bool // UI goroutine only: sessions in a call
}

// monitor is one of the two: the camera preview or the microphone level.
type monitor struct {
	live liveDevice
	// start opens the named device for the settings window.
	start func(name string) (stop func(), err error)
	// noDevice is start's error when there is no such device.
	noDevice error
	// show tells the view whether the device is missing.
	show func(v *views.SettingsView, missing bool)
	// what and device name it in the log.
	what, device string

	missing bool // UI goroutine only: the last start found no device
}

func newMonitors(a *App) *monitors {
	m := &monitors{a: a, busy: map[*Session]bool{}}
	m.cam = monitor{what: "camera preview", device: "camera", noDevice: media.ErrNoCamera,
		show: (*views.SettingsView).SetCameraMissing,
		start: func(name string) (func(), error) {
			return media.StartPreview(media.PreviewConfig{Camera: name, TestMedia: a.opts.testMedia,
				OnFrame: func(img *image.RGBA) {
					if v := m.view.Load(); v != nil {
						v.Preview.Push(img)
					}
				},
				OnError: func(err error) { a.log.Warn("camera preview", "err", err) },
			})
		}}
	m.mic = monitor{what: "microphone level", device: "microphone", noDevice: media.ErrNoMicrophone,
		show: (*views.SettingsView).SetMicrophoneMissing,
		start: func(name string) (func(), error) {
			voice := a.voiceProcessing()
			return media.StartLevelMeter(media.LevelConfig{Microphone: name, TestMedia: a.opts.testMedia, VoiceProcessing: &voice,
				OnLevel: func(l float64) {
					if v := m.view.Load(); v != nil {
						v.SetLevel(l)
					}
				},
				OnError: func(err error) { a.log.Warn("microphone level", "err", err) },
			})
		}}
	return m
}

// open shows the devices in v: on opening the window, and again when it
// gets a new view (a change of language). UI goroutine.
func (m *monitors) open(v *views.SettingsView) {
	first := m.view.Swap(v) == nil
	m.cam.show(v, m.cam.missing)
	m.mic.show(v, m.mic.missing)
	if first {
		m.startBoth()
	}
}

// close releases the devices: the window closed. UI goroutine.
func (m *monitors) close() {
	m.view.Store(nil)
	m.cam.live.halt(&m.wg)
	m.mic.live.halt(&m.wg)
}

// changed restarts what a change of settings concerns. UI goroutine.
func (m *monitors) changed(old, s views.Settings) {
	if m.view.Load() == nil {
		return
	}
	if old.Camera != s.Camera {
		m.start(&m.cam, s.Camera)
	}
	if old.Microphone != s.Microphone || old.VoiceProcessing() != s.VoiceProcessing() {
		m.start(&m.mic, s.Microphone)
	}
}

// inCall tells that a session's call started or ended. UI goroutine.
func (m *monitors) inCall(s *Session, on bool) {
	was := len(m.busy) > 0
	if on {
		m.busy[s] = true
	} else {
		delete(m.busy, s)
	}
	now := len(m.busy) > 0
	if was == now || m.view.Load() == nil {
		return
	}
	if now {
		m.cam.live.halt(&m.wg)
		m.mic.live.halt(&m.wg)
		return
	}
	m.startBoth()
}

// startBoth starts the preview and the level on the devices of the
// settings.
func (m *monitors) startBoth() {
	s := m.a.currentSettings()
	m.start(&m.cam, s.Camera)
	m.start(&m.mic, s.Microphone)
}

// start (re)starts mon on the named device unless a call holds the
// devices, and shows whether the device is missing.
func (m *monitors) start(mon *monitor, name string) {
	if len(m.busy) > 0 {
		return
	}
	mon.live.restart(&m.wg, func() (func(), error) { return mon.start(name) }, func(err error) {
		if err != nil {
			m.a.log.Info("no "+mon.what, mon.device, name, "err", err)
		}
		missing := errors.Is(err, mon.noDevice)
		fyne.Do(func() {
			if missing == mon.missing {
				return
			}
			mon.missing = missing
			if v := m.view.Load(); v != nil {
				mon.show(v, missing)
			}
		})
	})
}

// wait returns once every open and close has finished.
func (m *monitors) wait() { m.wg.Wait() }
