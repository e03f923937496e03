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
	cam, mic liveDevice
	wg       sync.WaitGroup

	// UI goroutine only.
	busy                   map[*Session]bool // sessions in a call
	camMissing, micMissing bool
}

func newMonitors(a *App) *monitors { return &monitors{a: a, busy: map[*Session]bool{}} }

// open shows the devices in v: on opening the window, and again when it
// gets a new view (a change of language). UI goroutine.
func (m *monitors) open(v *views.SettingsView) {
	first := m.view.Swap(v) == nil
	v.SetCameraMissing(m.camMissing)
	v.SetMicrophoneMissing(m.micMissing)
	if first {
		s := m.a.currentSettings()
		m.camera(s.Camera)
		m.microphone(s.Microphone)
	}
}

// close releases the devices: the window closed. UI goroutine.
func (m *monitors) close() {
	m.view.Store(nil)
	m.cam.halt(&m.wg)
	m.mic.halt(&m.wg)
}

// changed restarts what a change of settings concerns. UI goroutine.
func (m *monitors) changed(old, s views.Settings) {
	if m.view.Load() == nil {
		return
	}
	if old.Camera != s.Camera {
		m.camera(s.Camera)
	}
	if old.Microphone != s.Microphone {
		m.microphone(s.Microphone)
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
		m.cam.halt(&m.wg)
		m.mic.halt(&m.wg)
		return
	}
	st := m.a.currentSettings()
	m.camera(st.Camera)
	m.microphone(st.Microphone)
}

func (m *monitors) camera(name string) {
	if len(m.busy) > 0 {
		return
	}
	m.cam.restart(&m.wg, func() (func(), error) {
		return media.StartPreview(media.PreviewConfig{Camera: name, TestMedia: m.a.opts.testMedia,
			OnFrame: func(img *image.RGBA) {
				if v := m.view.Load(); v != nil {
					v.Preview.Push(img)
				}
			},
			OnError: func(err error) { m.a.log.Warn("camera preview", "err", err) },
		})
	}, func(err error) {
		if err != nil {
			m.a.log.Info("no camera preview", "camera", name, "err", err)
		}
		missing := errors.Is(err, media.ErrNoCamera)
		fyne.Do(func() {
			if missing == m.camMissing {
				return
			}
			m.camMissing = missing
			if v := m.view.Load(); v != nil {
				v.SetCameraMissing(missing)
			}
		})
	})
}

func (m *monitors) microphone(name string) {
	if len(m.busy) > 0 {
		return
	}
	m.mic.restart(&m.wg, func() (func(), error) {
		return media.StartLevelMeter(media.LevelConfig{Microphone: name, TestMedia: m.a.opts.testMedia,
			OnLevel: func(l float64) {
				if v := m.view.Load(); v != nil {
					v.SetLevel(l)
				}
			},
			OnError: func(err error) { m.a.log.Warn("microphone level", "err", err) },
		})
	}, func(err error) {
		if err != nil {
			m.a.log.Info("no microphone level", "microphone", name, "err", err)
		}
		missing := errors.Is(err, media.ErrNoMicrophone)
		fyne.Do(func() {
			if missing == m.micMissing {
				return
			}
			m.micMissing = missing
			if v := m.view.Load(); v != nil {
				v.SetMicrophoneMissing(missing)
			}
		})
	})
}

// wait returns once every open and close has finished.
func (m *monitors) wait() { m.wg.Wait() }

// liveDevice is one monitor, opened and closed off the UI goroutine, one
// operation at a time, the latest request winning.
type liveDevice struct {
	mu   sync.Mutex // serialises opening and closing
	stop func()
	gen  atomic.Int64
}

// restart closes the monitor and opens a new one with open, telling
// opened its outcome unless a later request superseded it.
func (l *liveDevice) restart(wg *sync.WaitGroup, open func() (func(), error), opened func(error)) {
	gen := l.gen.Add(1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stopLocked()
		if l.gen.Load() != gen {
			return
		}
		stop, err := open()
		if l.gen.Load() != gen {
			if stop != nil {
				stop()
			}
			return
		}
		l.stop = stop
		opened(err)
	}()
}

// halt closes the monitor.
func (l *liveDevice) halt(wg *sync.WaitGroup) {
	l.gen.Add(1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stopLocked()
	}()
}

func (l *liveDevice) stopLocked() {
	if l.stop != nil {
		l.stop()
		l.stop = nil
	}
}
