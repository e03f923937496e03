package platform

import (
	"errors"
	"io/fs"
	"testing"
)

// The gate's refusals speak the standard library's words, which is how
// callcore.Devices tells a refusal from a missing device.
func TestGateAnswersMatchTheStandardErrors(t *testing.T) {
	if !errors.Is(errDenied, fs.ErrPermission) || errors.Is(errDenied, fs.ErrNotExist) {
		t.Errorf("errDenied %v is not only a permission error", errDenied)
	}
	if !errors.Is(errNoDevice, fs.ErrNotExist) || errors.Is(errNoDevice, fs.ErrPermission) {
		t.Errorf("errNoDevice %v is not only a missing device", errNoDevice)
	}
}
