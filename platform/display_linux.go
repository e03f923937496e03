//go:build !android

package platform

import "errors"

// ErrNoDisplay says what is missing when there is no display to open the
// app's windows on, where GLFW would panic with a goroutine dump.
var ErrNoDisplay = errors.New("no display: set DISPLAY (X11) or WAYLAND_DISPLAY, or use parley-cli for a headless client")

// CheckDisplay returns ErrNoDisplay when the environment (getenv) names
// neither an X11 nor a Wayland display.
func CheckDisplay(getenv func(string) string) error {
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	return nil
}
