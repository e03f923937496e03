package media

import (
	"errors"
	"strings"
	"testing"

	"github.com/pion/mediadevices/pkg/driver"
)

// On a host without a camera (CI's), asking for one gives ErrNoCamera and
// never a test source; on a host with one the call just gets it.
func TestRealDevicesAreNeverFaked(t *testing.T) {
	if err := CheckDevices(true, false); err != nil && !errors.Is(err, ErrNoCamera) && !errors.Is(err, ErrNoMicrophone) {
		t.Fatalf("CheckDevices: %v", err)
	}
	s, err := New(Config{Video: true, LoopbackOnly: true}, make(pipe, 64))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Prepare()
	t.Logf("Prepare on this host: %v", err)
	if len(drivers(driver.Camera)) == 0 && !errors.Is(err, ErrNoCamera) {
		t.Fatalf("no camera here, yet Prepare said %v", err)
	}
}

func TestDeviceListsAndChoices(t *testing.T) {
	if got := Cameras(true); len(got) != 1 || got[0] != TestCameraName {
		t.Fatalf("test cameras %q", got)
	}
	if got := Microphones(true); len(got) != 1 || got[0] != TestMicrophoneName {
		t.Fatalf("test microphones %q", got)
	}
	for _, m := range Microphones(false) {
		if strings.Contains(m, "Discard all samples") || m == "6e756c6c" {
			t.Fatalf("ALSA's null device listed: %q", Microphones(false))
		}
	}
	t.Logf("cameras %q, microphones %q", Cameras(false), Microphones(false))
	if _, reason := ordered(driver.Camera, "no such camera"); reason == nil {
		t.Fatal("an unknown camera gave no reason")
	}
	if _, reason := ordered(driver.Camera, ""); reason != nil {
		t.Fatalf("the default gave a reason: %v", reason)
	}
	// An unknown choice falls back to the default: here, none.
	if len(Microphones(false)) == 0 {
		_, err := openAudio(&Config{Microphone: "no such microphone"})
		if !errors.Is(err, ErrNoMicrophone) {
			t.Fatalf("openAudio: %v", err)
		}
	}
}
