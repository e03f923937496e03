// Command gen makes the assets that Parley draws and synthesises itself:
// the app icon, the ringtone, dial and hang-up tones, and the subset of
// the CJK font. It runs from assets/ through `go generate`; its outputs
// are committed, so a build needs neither this program nor the font
// package it reads (fonts-wqy-microhei).
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
)

func main() {
	font := flag.String("font", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "the WenQuanYi Micro Hei collection to subset")
	flag.Parse()
	for _, w := range []struct {
		path string
		make func() ([]byte, error)
	}{
		{"icon.png", icon},
		{"sounds/ringtone.wav", ringtone},
		{"sounds/dialtone.wav", dialTone},
		{"sounds/hangup.wav", hangUpTone},
		{"fonts/cjk.ttf", func() ([]byte, error) { return subsetFont(*font, "translations/zh-Hans.json") }},
	} {
		b, err := w.make()
		if err != nil {
			log.Fatalf("%s: %v", w.path, err)
		}
		if err := os.MkdirAll(filepath.Dir(w.path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(w.path, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
