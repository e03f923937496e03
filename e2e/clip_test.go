package e2e

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"parley/media/clip"
)

// TestCLIVideoFileCompare sends a clip from files and measures, on the
// other side, what arrives against it: the benchmarks' set-up, short.
func TestCLIVideoFileCompare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v, err := clip.NewVideo(320, 240, 30, 2)
	if err != nil {
		t.Fatal(err)
	}
	video, audio, profile := filepath.Join(dir, "clip.y4m"), filepath.Join(dir, "clip.wav"), filepath.Join(dir, "cpu.prof")
	if err := clip.WriteFile(video, v.WriteY4M); err != nil {
		t.Fatal(err)
	}
	if err := clip.WriteFile(audio, func(w io.Writer) error { return clip.WriteWAV(w, 2) }); err != nil {
		t.Fatal(err)
	}

	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--video", "--hold", "4s", "--video-file", video, "--audio-file", audio, "--cpuprofile", profile},
		"bob", []string{"--test-media", "--compare", video})
	got := summaryOf(t, a)
	if got.str("outcome") != "completed" || got.num("audio_packets_received") == 0 {
		t.Fatalf("callee's summary %v", got)
	}
	n, decoded, psnr := got.num("frames_compared"), got.num("video_frames_decoded"), got.num("psnr_db")
	t.Logf("%v of %v frames compared, %.2f dB", n, decoded, psnr)
	if n == 0 || n > decoded || psnr < 25 || psnr > clip.MaxPSNR {
		t.Fatalf("frames_compared %v of %v decoded, psnr_db %v; want some, above 25 dB", n, decoded, psnr)
	}
	s := summaryOf(t, c)
	if _, ok := s["psnr_db"]; ok || s.num("video_frames_decoded") == 0 {
		t.Fatalf("caller's summary %v: want the test video and no comparison", s)
	}
	if b, err := os.ReadFile(profile); err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // pprof's gzip
		t.Fatalf("--cpuprofile wrote %d bytes, %v", len(b), err)
	}
}
