package platform

/*
#cgo CFLAGS: -x objective-c
#cgo LDFLAGS: -framework AVFoundation -framework Foundation

#import <AVFoundation/AVFoundation.h>

// status is AVFoundation's authorization for a kind of capture, or -1
// when there is no such device. Not determined (0) means macOS will ask
// the person the first time capture starts, with the usage string of the
// app's Info.plist (NSCameraUsageDescription, NSMicrophoneUsageDescription).
static int status(int video) {
	AVMediaType t = video ? AVMediaTypeVideo : AVMediaTypeAudio;
	if ([AVCaptureDevice defaultDeviceWithMediaType:t] == nil) return -1;
	return (int)[AVCaptureDevice authorizationStatusForMediaType:t];
}
*/
import "C"

// Devices returns the camera and microphone gate of this system.
func Devices() DeviceGate { return DeviceGate{} }

// DeviceGate is the camera and microphone gate of macOS: AVFoundation's
// authorization, which the person sets in System Settings > Privacy &
// Security.
type DeviceGate struct{}

func (DeviceGate) Microphone() error { return authorization(C.status(0)) }
func (DeviceGate) Camera() error     { return authorization(C.status(1)) }

// authorization maps AVAuthorizationStatus: notDetermined 0, restricted 1,
// denied 2, authorized 3.
func authorization(s C.int) error {
	switch s {
	case -1:
		return errNoDevice
	case 1, 2:
		return errDenied
	default:
		// Not determined: capture itself makes macOS ask.
		return nil
	}
}
