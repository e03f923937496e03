//go:build !linux || android

package platform

// CheckDisplay returns nil: outside desktop Linux, the display is not
// named by the environment, and the app always has one.
func CheckDisplay(getenv func(string) string) error { return nil }
