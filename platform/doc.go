// Package platform holds what the desktop app needs from the operating
// system, each behind a small type: raising a window for an incoming call,
// the camera and microphone gate (callcore.Devices), desktop
// notifications and the ringtone (callcore.Attention), and audio output.
// Code that differs per OS lives in files named for it (_linux.go,
// _windows.go, _darwin.go, _android.go); the rest is shared.
package platform
