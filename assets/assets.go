// Package assets holds what Parley ships inside its binary: the app icon,
// the ringtone, dial and hang-up tones, the English and Simplified
// Chinese translations, and a CJK font with the theme that uses it. The
// icon, the tones and the font are made by ./gen (go generate) and
// committed.
package assets

//go:generate go run ./gen

import (
	_ "embed" // the files below

	"fyne.io/fyne/v2"
)

var (
	//go:embed icon.png
	icon []byte
	// Icon is the app icon, 512 px square; FyneApp.toml names the same
	// file for packaging.
	Icon = fyne.NewStaticResource("icon.png", icon)
)

// Sounds, as 16-bit mono WAV at 48 kHz (platform.DecodeWAV reads them).
var (
	// Ringtone loops while an invite rings.
	//go:embed sounds/ringtone.wav
	Ringtone []byte
	// DialTone loops for the caller while the callee's devices ring.
	//go:embed sounds/dialtone.wav
	DialTone []byte
	// HangUpTone plays once when a call ends.
	//go:embed sounds/hangup.wav
	HangUpTone []byte
)
