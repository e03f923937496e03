package platform

import (
	"errors"

	"golang.org/x/sys/windows/registry"

	"parley/media"
)

// Devices returns the camera and microphone gate of this system.
func Devices() DeviceGate { return DeviceGate{} }

// DeviceGate is the camera and microphone gate of Windows: the privacy
// switches of Settings > Privacy, then whether the capture drivers find a
// device.
type DeviceGate struct{}

func (DeviceGate) Microphone() error {
	if !consented("microphone") {
		return errDenied
	}
	if media.CheckDevices(false, false) != nil {
		return errNoDevice
	}
	return nil
}

// Camera asks about the camera alone: a missing microphone is the
// microphone's answer.
func (DeviceGate) Camera() error {
	if !consented("webcam") {
		return errDenied
	}
	if errors.Is(media.CheckDevices(true, false), media.ErrNoCamera) {
		return errNoDevice
	}
	return nil
}

const consentStore = `Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\`

// consented reads the privacy consent of a capability: the machine-wide
// switch, the person's switch, and the switch for desktop (not Store)
// apps, which Parley is. Any of them set to "Deny" refuses; a missing key
// (Windows before 10 1903) allows.
func consented(capability string) bool {
	for _, k := range []struct {
		root registry.Key
		path string
	}{
		{registry.LOCAL_MACHINE, consentStore + capability},
		{registry.CURRENT_USER, consentStore + capability},
		{registry.CURRENT_USER, consentStore + capability + `\NonPackaged`},
	} {
		if value(k.root, k.path) == "Deny" {
			return false
		}
	}
	return true
}

func value(root registry.Key, path string) string {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, _ := k.GetStringValue("Value")
	return v
}
