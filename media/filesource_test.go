package media

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/mediadevices/pkg/wave"

	"parley/media/audioproc/wav"
	testclip "parley/media/clip"
)

// writeFile writes what fill makes to a file of the test's.
func writeFile(t *testing.T, name string, fill func(io.Writer) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := testclip.WriteFile(path, fill); err != nil {
		t.Fatal(err)
	}
	return path
}

// The video file plays its frames in order and starts again after the
// last; closing the source ends a read.
func TestFileVideoLoops(t *testing.T) {
	v, err := testclip.NewVideo(320, 240, 10, 0.5) // 5 frames
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "clip.y4m", v.WriteY4M)
	src, err := openVideo(&Config{VideoFile: path, Width: 640, Height: 480, FrameRate: 100})
	if err != nil {
		t.Fatal(err)
	}
	if src.p.Width != 320 || src.p.Height != 240 || src.p.FrameRate != 100 {
		t.Fatalf("plays at %+v; want the file's size at the rate asked for", src.p.Video)
	}
	for i := range 12 {
		img, release, err := src.r.Read()
		if err != nil {
			t.Fatal(err)
		}
		n, ok := testclip.ReadMark(img)
		release()
		if !ok || n != i%v.Len() {
			t.Fatalf("read %d is frame %d (%v), want %d", i, n, ok, i%v.Len())
		}
	}
	src.dev.Close()
	if _, _, err := src.r.Read(); !errors.Is(err, io.EOF) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestFileAudioLoops(t *testing.T) {
	sound := make([]int16, 1500) // 31.25 ms: chunks of 960 wrap inside
	for i := range sound {
		sound[i] = int16(i)
	}
	path := writeFile(t, "voice.wav", func(w io.Writer) error { return wav.Write(w, sound, 48000) })
	src, err := openAudio(&Config{AudioFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer src.dev.Close()
	next := 0
	for range 5 {
		chunk, release, err := src.r.Read()
		if err != nil {
			t.Fatal(err)
		}
		a := chunk.(*wave.Int16Interleaved)
		if a.Size.Len != 960 || a.Size.Channels != 1 {
			t.Fatalf("chunk %+v", a.Size)
		}
		for _, s := range a.Data {
			if int(s) != next {
				t.Fatalf("sample %d, want %d", s, next)
			}
			next = (next + 1) % len(sound)
		}
		release()
	}
}

func TestFileSourcesRefuse(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	y4mAsWAV := writeFile(t, "clip.wav", func(w io.Writer) error {
		_, err := io.WriteString(w, "YUV4MPEG2 W2 H2 F30:1\nFRAME\n\x00\x00\x00\x00\x00\x00")
		return err
	})
	slow := writeFile(t, "slow.wav", func(w io.Writer) error { return wav.Write(w, make([]int16, 100), 16000) })
	empty := writeFile(t, "empty.wav", func(w io.Writer) error { return wav.Write(w, nil, 48000) })
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{VideoFile: missing}, "no such file"},
		{Config{VideoFile: slow}, "not a YUV4MPEG2"},
		{Config{AudioFile: missing}, "no such file"},
		{Config{AudioFile: y4mAsWAV}, "not a RIFF WAVE"},
		{Config{AudioFile: slow}, "16000 Hz"},
		{Config{AudioFile: empty}, "no sound"},
	} {
		var err error
		if tc.cfg.VideoFile != "" {
			_, err = openVideo(&tc.cfg)
		} else {
			_, err = openAudio(&tc.cfg)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
