// Package platform holds what the desktop app needs from the operating
// system, each behind a small type or function: raising a window for an
// incoming call, the camera and microphone gate (DeviceGate, which
// satisfies callcore.Devices without importing callcore), desktop
// notifications, and audio output (the ringtone, tones and a call's
// sound). Code that differs per OS lives in files named for it
// (_linux.go, _windows.go, _darwin.go, _android.go); the rest is shared.
package platform
