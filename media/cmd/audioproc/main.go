// Command audioproc runs the send path's audio processing chain
// (media/audioproc) over WAV files, frame by frame in real-time order, as
// a call does: FAR is what the speaker plays, NEAR what the microphone
// picks up, OUT what would be sent. All are 16-bit mono 48 kHz.
//
//	go run ./media/cmd/audioproc --far FAR.wav --near NEAR.wav --out OUT.wav [--no-aec] [--no-ns] [--no-agc] [--lib speex|webrtc]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"parley/media/audioproc"
	"parley/media/audioproc/audiotest"
	"parley/media/audioproc/wav"
)

func main() {
	far := flag.String("far", "", "what the speaker plays (WAV; may be left out: silence)")
	near := flag.String("near", "", "what the microphone picks up (WAV)")
	out := flag.String("out", "", "what would be sent (WAV, written)")
	noAEC := flag.Bool("no-aec", false, "no echo cancellation")
	noNS := flag.Bool("no-ns", false, "no noise suppression")
	noAGC := flag.Bool("no-agc", false, "no automatic gain")
	lib := flag.String("lib", string(audioproc.LibWebRTC), "library: webrtc or speex")
	flag.Parse()
	if err := run(*far, *near, *out, *lib, audioproc.Options{EchoCancel: !*noAEC, NoiseSuppress: !*noNS, AutoGain: !*noAGC}); err != nil {
		fmt.Fprintln(os.Stderr, "audioproc:", err)
		os.Exit(1)
	}
}

func load(name string) ([]int16, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	s, rate, err := wav.Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if rate != audioproc.Rate {
		return nil, fmt.Errorf("%s: %d Hz, want %d", name, rate, audioproc.Rate)
	}
	return s, nil
}

func run(farName, nearName, outName, lib string, opts audioproc.Options) error {
	if nearName == "" || outName == "" {
		return fmt.Errorf("--near and --out are needed")
	}
	var far []int16
	if farName != "" {
		var err error
		if far, err = load(farName); err != nil {
			return err
		}
	}
	near, err := load(nearName)
	if err != nil {
		return err
	}
	p, err := audioproc.New(audioproc.Lib(lib), opts)
	if err != nil {
		return err
	}
	// A last partial frame is padded with silence and cut off again.
	n := len(near)
	near = append(near, make([]int16, (audioproc.FrameSize-n%audioproc.FrameSize)%audioproc.FrameSize)...)
	sent, voice := audiotest.Run(p, far, near)
	p.Close()
	var voiced int
	for _, v := range voice {
		if v {
			voiced++
		}
	}
	fmt.Fprintf(os.Stderr, "%d frames, %d with voice\n", len(voice), voiced)
	return os.WriteFile(outName, wav.Encode(sent[:n], audioproc.Rate), 0o644)
}
