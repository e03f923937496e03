package assets

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/go-text/typesetting/font"
)

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon is %v, want 512x512", b)
	}
}

// The font maps every character of the Chinese translation and of common
// Chinese, and leaves out what the subset dropped (here a traditional
// character), so that Fyne looks for it in a system font instead of
// drawing a blank.
func TestCJKFont(t *testing.T) {
	face, err := font.ParseTTF(bytes.NewReader(CJKFont.Content()))
	if err != nil {
		t.Fatal(err)
	}
	text := "你好，世界！Hello, 通话时长 01:23 · 视频通话…"
	for _, v := range load(t, SimplifiedChinese) {
		text += v
	}
	for _, r := range text {
		if g, ok := face.NominalGlyph(r); !ok || g == 0 {
			t.Errorf("no glyph for %q", r)
		}
	}
	if _, ok := face.NominalGlyph('體'); ok {
		t.Error("a character outside the subset is mapped")
	}
	// A glyph that is kept has an outline.
	g, _ := face.NominalGlyph('话')
	if o, ok := face.GlyphData(g).(font.GlyphOutline); !ok || len(o.Segments) == 0 {
		t.Error("no outline for 话")
	}
}
