// Command makeclip writes the media benchmarks' test clip (media/clip): a
// camera-like Y4M video whose frames carry their numbers, and a
// speech-like WAV, the same on every run. Chromium plays them through
// --use-file-for-fake-video-capture and --use-file-for-fake-audio-capture,
// parley-cli through --video-file and --audio-file.
//
//	go run ./media/cmd/makeclip --video OUT.y4m --audio OUT.wav [--size 640x480] [--fps 30] [--seconds 10]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"parley/media/clip"
)

func main() {
	video := flag.String("video", "", "the Y4M file to write")
	audio := flag.String("audio", "", "the WAV file to write (16-bit mono, 48 kHz)")
	size := flag.String("size", "640x480", "the video's WIDTHxHEIGHT")
	fps := flag.Int("fps", 30, "the video's frames a second")
	seconds := flag.Float64("seconds", 10, "how long the clip lasts; it loops without a jump")
	flag.Parse()
	if err := run(*video, *audio, *size, *fps, *seconds); err != nil {
		fmt.Fprintln(os.Stderr, "makeclip:", err)
		os.Exit(1)
	}
}

func run(videoName, audioName, size string, fps int, seconds float64) error {
	if videoName == "" && audioName == "" {
		return errors.New("nothing to write: give --video, --audio or both")
	}
	if videoName != "" {
		var w, h int
		if _, err := fmt.Sscanf(size, "%dx%d", &w, &h); err != nil {
			return fmt.Errorf("--size %q: want WIDTHxHEIGHT", size)
		}
		v, err := clip.NewVideo(w, h, fps, seconds)
		if err != nil {
			return err
		}
		if err := clip.WriteFile(videoName, v.WriteY4M); err != nil {
			return err
		}
	}
	if audioName != "" {
		return clip.WriteFile(audioName, func(w io.Writer) error { return clip.WriteWAV(w, seconds) })
	}
	return nil
}
