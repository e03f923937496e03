package callcore

import (
	"errors"

	"parley/media"
)

// Permission is what the platform says about a capture device.
type Permission int

// Permissions.
const (
	Granted  Permission = iota
	Denied              // the person or the system refused access
	NoDevice            // there is no such device
)

// Errors of the permission gate; the message says what to do.
var (
	ErrPermission = errors.New("permission denied")
	ErrNoDevice   = errors.New("no device")
)

// Devices is the platform's permission gate for the camera and microphone.
type Devices interface {
	Microphone() Permission
	Camera() Permission
}

// Attention is how an incoming call reaches the person: the app brings its
// window to the front, shows a notification and rings; the CLI logs.
type Attention interface {
	BringToFront()
	Notify(title, body string)
	Ringtone(on bool)
}

type quietAttention struct{}

func (quietAttention) BringToFront()         {}
func (quietAttention) Notify(string, string) {}
func (quietAttention) Ringtone(bool)         {}

// GeneratedMedia is the gate of generated test sources, which need no
// permission and are always there.
type GeneratedMedia struct{}

func (GeneratedMedia) Microphone() Permission { return Granted }
func (GeneratedMedia) Camera() Permission     { return Granted }

// presentDevices grants what the capture drivers find; a platform that can
// ask the person (macOS, Windows) passes its own Devices instead.
type presentDevices struct{}

func (presentDevices) Microphone() Permission {
	if media.CheckDevices(false, false) != nil {
		return NoDevice
	}
	return Granted
}

func (presentDevices) Camera() Permission {
	if errors.Is(media.CheckDevices(true, false), media.ErrNoCamera) {
		return NoDevice
	}
	return Granted
}
