package media

import (
	"errors"
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
