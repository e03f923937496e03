package callcore

import (
	"errors"
	"fmt"
	"io/fs"

	"parley/media"
)

// Errors of the permission gate; the message says what to do.
var (
	ErrPermission = errors.New("permission denied")
	ErrNoDevice   = errors.New("no device")
)

// Devices is the permission gate for the camera and the microphone. Each
// answers nil when the device may be used, an error matching
// fs.ErrPermission when the person or the system refused access, and any
// other error (fs.ErrNotExist, say) when there is no such device. The
// standard library's errors are the shared words, so that a platform's
// gate needs nothing of callcore.
type Devices interface {
	Microphone() error
	Camera() error
}

// Ringer rings this device while a call rings it: the app plays its
// ringtone, the CLI logs. The Phone calls it in the order it decides, off
// its lock, so that it may open and close an audio device; a call to turn
// it on while it rings changes nothing.
type Ringer interface {
	Ringtone(on bool)
}

type silentRinger struct{}

func (silentRinger) Ringtone(bool) {}

// checkDevices asks the gate for the devices a call needs.
func (p *Phone) checkDevices(video bool) error {
	if err := explain("microphone", p.cfg.Devices.Microphone()); err != nil {
		return err
	}
	if video {
		return explain("camera", p.cfg.Devices.Camera())
	}
	return nil
}

// explain turns the gate's answer about a device into an error a person
// can act on.
func explain(device string, answer error) error {
	switch {
	case answer == nil:
		return nil
	case errors.Is(answer, fs.ErrPermission):
		return fmt.Errorf("%w: Parley may not use the %s; allow it in your system's privacy settings", ErrPermission, device)
	default:
		return fmt.Errorf("%w: no %s found; connect one and try again", ErrNoDevice, device)
	}
}

// GeneratedMedia is the gate of generated test sources, which need no
// permission and are always there.
type GeneratedMedia struct{}

func (GeneratedMedia) Microphone() error { return nil }
func (GeneratedMedia) Camera() error     { return nil }

// presentDevices allows what the capture drivers find; a platform that can
// ask the person (macOS, Windows) passes its own Devices instead.
type presentDevices struct{}

func (presentDevices) Microphone() error { return media.CheckDevices(false, false) }

// Camera asks about the camera alone: a missing microphone is the
// microphone's answer.
func (presentDevices) Camera() error {
	if err := media.CheckDevices(true, false); errors.Is(err, media.ErrNoCamera) {
		return err
	}
	return nil
}
