package views

import (
	"fyne.io/fyne/v2/canvas"
)

// The mini window: the small window that keeps a call in sight while the
// person is elsewhere.

// Minimize leaves the call screen for the mini window.
func (s *CallScreens) Minimize() {
	if s.win == nil || s.screen == ScreenNone || s.Mini != nil {
		return
	}
	var video *VideoSurface
	if s.screen == ScreenVideo {
		video = s.Remote
	}
	s.win.Hide()
	s.Mini = NewMiniWindow(s.App, s.peer(), video, s.Restore)
	s.Tick()
}

// Restore returns from the mini window to the call screen.
func (s *CallScreens) Restore() {
	s.closeMini()
	if s.win != nil && s.screen != ScreenNone {
		s.win.Show()
		s.win.RequestFocus()
	}
}

func (s *CallScreens) closeMini() {
	if s.Mini != nil {
		s.Remote.Mirrors = nil
		s.Mini.Window.Close()
		s.Mini = nil
	}
}

func (s *CallScreens) miniTimer() *canvas.Text {
	if s.Mini == nil {
		return nil
	}
	return s.Mini.Timer
}
