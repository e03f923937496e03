package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"parley/media/audioproc"
	"parley/media/audioproc/audiotest"
	"parley/media/audioproc/wav"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	far := audiotest.Speech(1, 3, 120)
	near := audiotest.Add(audiotest.Echo(far, audiotest.Path{Delay: 0.05, Gain: -6, Seed: 1}, nil, 0), audiotest.Fan(2, 3, -30))[:len(far)-100]
	write := func(name string, s []int16) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, wav.Encode(s, audioproc.Rate), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f, n, o := write("far.wav", far), write("near.wav", near), filepath.Join(dir, "out.wav")
	for _, lib := range []string{"webrtc", "speex"} {
		if err := run(f, n, o, lib, audioproc.Options{}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(o)
		out, _, err := wav.Decode(b)
		if err != nil || !slices.Equal(out, near) {
			t.Fatalf("%s: all off, OUT is not NEAR (%v)", lib, err)
		}
		if err := run(f, n, o, lib, audioproc.On); err != nil {
			t.Fatal(err)
		}
		b, _ = os.ReadFile(o)
		out, _, _ = wav.Decode(b)
		if len(out) != len(near) || audiotest.Level(out, 0, len(out)) > audiotest.Level(near, 0, len(near))-6 {
			t.Errorf("%s: %d samples at %.1f dBFS from %.1f dBFS", lib, len(out), audiotest.Level(out, 0, len(out)), audiotest.Level(near, 0, len(near)))
		}
	}
	if err := run(f, filepath.Join(dir, "none.wav"), o, "webrtc", audioproc.On); err == nil {
		t.Error("a missing file gave no error")
	}
}
