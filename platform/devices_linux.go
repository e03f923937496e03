//go:build !android

package platform

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Devices returns the camera and microphone gate of this system.
func Devices() DeviceGate { return DeviceGate{dev: "/dev", proc: "/proc"} }

// DeviceGate is the camera and microphone gate of Linux, which has no
// consent prompt: a device is usable when its node is there and this user
// may open it (the "video" and "audio" groups). It looks under dev and
// proc, which tests point elsewhere.
type DeviceGate struct{ dev, proc string }

// Camera looks for a V4L2 node that captures video: a UVC camera also has
// metadata nodes, which open fine but give no picture.
func (d DeviceGate) Camera() error {
	nodes, _ := filepath.Glob(filepath.Join(d.dev, "video*"))
	var results []error
	for _, n := range nodes {
		capture, err := isCapture(n)
		if err == nil && !capture {
			continue
		}
		results = append(results, err)
	}
	return judge(results)
}

// Microphone looks for the kernel's ALSA capture devices, so that ALSA's
// "null" plugin (which mediadevices lists, and which records nothing) is
// never taken for a microphone.
func (d DeviceGate) Microphone() error {
	f, err := os.Open(filepath.Join(d.proc, "asound", "pcm"))
	if err != nil {
		return errNoDevice // no ALSA driver: no sound card
	}
	defer f.Close()
	var results []error
	for _, node := range captureNodes(f) {
		results = append(results, openable(filepath.Join(d.dev, "snd", node), unix.O_RDONLY))
	}
	return judge(results)
}

// captureNodes reads /proc/asound/pcm ("00-00: id : name : playback 1 :
// capture 1" a line) and names the device node of each capture PCM.
func captureNodes(f *os.File) []string {
	var nodes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var card, dev int
		if _, err := fmt.Sscanf(line, "%d-%d:", &card, &dev); err != nil || !strings.Contains(line, ": capture ") {
			continue
		}
		nodes = append(nodes, fmt.Sprintf("pcmC%dD%dc", card, dev))
	}
	return nodes
}

// openable opens and closes a device node without blocking on it. A busy
// device is there and allowed: a sound server holds it and shares it.
func openable(path string, mode int) error {
	fd, err := unix.Open(path, mode|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EBUSY) {
		return nil
	}
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

const (
	// VIDIOC_QUERYCAP fills struct v4l2_capability (linux/videodev2.h,
	// 104 bytes): driver[16], card[32], bus_info[32], version,
	// capabilities, device_caps, reserved[3].
	vidiocQuerycap  = 0x80685600 // _IOR('V', 0, struct v4l2_capability)
	querycapSize    = 104
	capabilitiesAt  = 84
	deviceCapsAt    = 88
	capVideoCapture = 0x00000001
	capDeviceCaps   = 0x80000000 // device_caps is filled in
)

// isCapture tells whether a V4L2 node captures video.
func isCapture(path string) (bool, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	var buf [querycapSize]byte
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), vidiocQuerycap, uintptr(unsafe.Pointer(&buf[0]))); errno != 0 {
		return false, nil // not a V4L2 device
	}
	caps := *(*uint32)(unsafe.Pointer(&buf[capabilitiesAt]))
	if caps&capDeviceCaps != 0 {
		caps = *(*uint32)(unsafe.Pointer(&buf[deviceCapsAt]))
	}
	return caps&capVideoCapture != 0, nil
}

// judge turns the results of opening each device of a kind into the
// gate's answer: one that opens is enough; none there is errNoDevice; and
// if some are there but refused, the person is told it is a permission.
func judge(results []error) error {
	denied := false
	for _, err := range results {
		if err == nil {
			return nil
		}
		denied = denied || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)
	}
	if denied {
		return errDenied
	}
	return errNoDevice
}
