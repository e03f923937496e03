package media

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/driver/camera"
)

// Names of the generated sources, as Cameras and Microphones list them
// with TestMedia.
const (
	TestCameraName     = "Test camera"
	TestMicrophoneName = "Test microphone"
)

// Cameras names the cameras a person can choose, the system default
// first; with testMedia, the generated source only. A name is what
// Config.Camera takes.
func Cameras(testMedia bool) []string {
	if testMedia {
		return []string{TestCameraName}
	}
	return names(choices(driver.Camera))
}

// Microphones names the microphones a person can choose, the system
// default first; with testMedia, the generated source only. ALSA's "null"
// device, which captures silence, is not one. A name is what
// Config.Microphone takes.
func Microphones(testMedia bool) []string {
	if testMedia {
		return []string{TestMicrophoneName}
	}
	return names(choices(driver.Microphone))
}

// choice is a device under the name a person sees.
type choice struct {
	name string
	d    driver.Driver
}

func names(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}

// choices are the usable devices of a type, the system default first, each
// under a distinct readable name. A device whose driver panics is left
// out.
func choices(t driver.DeviceType) []choice {
	var out []choice
	seen := map[string]int{}
	for _, d := range drivers(t) {
		name, ok := describe(t, d)
		if !ok {
			continue
		}
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s (%d)", name, seen[name])
		}
		out = append(out, choice{name, d})
	}
	return out
}

// describe names a device, or says it is no choice: a panicking driver,
// ALSA's null device, a microphone with no format capture can use.
func describe(t driver.DeviceType, d driver.Driver) (name string, ok bool) {
	defer func() {
		if recover() != nil {
			name, ok = "", false
		}
	}()
	info := d.Info()
	switch t {
	case driver.Camera:
		// Name is "card;bus", Label "video0;/dev/video0".
		name, _, _ = strings.Cut(info.Name, camera.LabelSeparator)
		if name == "" {
			name, _, _ = strings.Cut(info.Label, camera.LabelSeparator)
		}
		return name, name != ""
	case driver.Microphone:
		// miniaudio's label is the device ID in hex: "6e756c6c" is ALSA's
		// "null", which captures silence and reports no channels.
		if id, err := hex.DecodeString(info.Label); err == nil && string(id) == "null" {
			return "", false
		}
		usable := false
		for _, p := range d.Properties() {
			usable = usable || (p.ChannelCount > 0 && p.SampleRate == opusRate)
		}
		name = info.Name
		if name == "" {
			name = info.Label
		}
		return name, usable && name != ""
	}
	return "", false
}

// ordered is the devices to try for a wanted name: that one first, then
// the others, the system default first. An empty name wants the default;
// a name no device has gives the reason, for Config.OnError.
func ordered(t driver.DeviceType, want string) ([]driver.Driver, error) {
	cs := choices(t)
	out := make([]driver.Driver, 0, len(cs))
	var reason error
	if want != "" {
		at := -1
		for i, c := range cs {
			if c.name == want || c.d.Info().Label == want {
				at = i
				break
			}
		}
		if at < 0 {
			reason = fmt.Errorf("%s %q is not here; using the default", t, want)
		} else {
			out = append(out, cs[at].d)
			cs = append(cs[:at:at], cs[at+1:]...)
		}
	}
	for _, c := range cs {
		out = append(out, c.d)
	}
	return out, reason
}
