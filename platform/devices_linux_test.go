//go:build !android

package platform

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeSystem lays out a /proc/asound/pcm and device nodes (plain files,
// which open like nodes but answer no ioctl) under a temp dir.
func fakeSystem(t *testing.T, pcm string, nodes ...string) DeviceGate {
	t.Helper()
	root := t.TempDir()
	d := DeviceGate{dev: filepath.Join(root, "dev"), proc: filepath.Join(root, "proc")}
	for _, dir := range []string{filepath.Join(d.dev, "snd"), filepath.Join(d.proc, "asound")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if pcm != "" {
		if err := os.WriteFile(filepath.Join(d.proc, "asound", "pcm"), []byte(pcm), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		if err := os.WriteFile(filepath.Join(d.dev, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

const pcmList = `00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1
00-01: ALC892 Digital : ALC892 Digital : playback 1
01-03: HDMI 0 : HDMI 0 : playback 1
`

func TestMicrophone(t *testing.T) {
	for _, c := range []struct {
		name  string
		pcm   string
		nodes []string
		want  error
	}{
		{"no sound card", "", nil, errNoDevice},
		{"capture device", pcmList, []string{"snd/pcmC0D0c", "snd/pcmC0D0p"}, nil},
		{"playback only", "01-03: HDMI 0 : HDMI 0 : playback 1\n", []string{"snd/pcmC1D3p"}, errNoDevice},
		{"listed but no node", pcmList, nil, errNoDevice},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fakeSystem(t, c.pcm, c.nodes...).Microphone(); got != c.want {
				t.Errorf("Microphone() = %v, want %v", got, c.want)
			}
		})
	}
}

// A node that is not a V4L2 capture device (here a plain file; on a real
// system a UVC metadata node) is no camera.
func TestCameraNeedsCaptureNode(t *testing.T) {
	if got := fakeSystem(t, "", "video0", "video1").Camera(); got != errNoDevice {
		t.Errorf("Camera() with no capture node = %v, want errNoDevice", got)
	}
	if got := fakeSystem(t, "").Camera(); got != errNoDevice {
		t.Errorf("Camera() with no node = %v, want errNoDevice", got)
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		results []error
		want    error
	}{
		{nil, errNoDevice},
		{[]error{unix.ENODEV}, errNoDevice},
		{[]error{unix.EACCES, unix.ENODEV}, errDenied},
		{[]error{unix.EACCES, nil}, nil},
	} {
		if got := judge(c.results); got != c.want {
			t.Errorf("judge(%v) = %v, want %v", c.results, got, c.want)
		}
	}
}

// The real system answers without panicking whatever it has.
func TestDevicesOnThisMachine(t *testing.T) {
	d := Devices()
	t.Logf("microphone %v, camera %v", d.Microphone(), d.Camera())
}
