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

import "parley/callcore"

// Devices returns the camera and microphone gate of this system:
// AVFoundation's authorization, which the person sets in System Settings
// > Privacy & Security.
func Devices() callcore.Devices { return macDevices{} }

type macDevices struct{}

func (macDevices) Microphone() callcore.Permission { return authorization(C.status(0)) }
func (macDevices) Camera() callcore.Permission     { return authorization(C.status(1)) }

// authorization maps AVAuthorizationStatus: notDetermined 0, restricted 1,
// denied 2, authorized 3.
func authorization(s C.int) callcore.Permission {
	switch s {
	case -1:
		return callcore.NoDevice
	case 1, 2:
		return callcore.Denied
	default:
		// Not determined: capture itself makes macOS ask.
		return callcore.Granted
	}
}
