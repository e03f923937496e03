package platform

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// BringToFront shows w, raises it above other windows and asks for the
// focus, so that an incoming call is seen. Fyne's RequestFocus alone only
// focuses within the app; window managers keep a background app behind,
// so each OS gets the native request that gets through (raise). It may
// be called from any goroutine.
func BringToFront(w fyne.Window) {
	fyne.Do(func() {
		w.Show()
		w.RequestFocus()
		if nw, ok := w.(driver.NativeWindow); ok {
			nw.RunNative(raise)
		}
	})
}
