package platform

import (
	"fmt"
	"io/fs"
)

// The answers of a DeviceGate other than nil (the device may be used).
// They match the standard library's fs.ErrPermission and fs.ErrNotExist,
// the words callcore.Devices asks for, so that platform and callcore need
// nothing of each other.
var (
	errDenied   = fmt.Errorf("access to the device refused: %w", fs.ErrPermission)
	errNoDevice = fmt.Errorf("no such device: %w", fs.ErrNotExist)
)
