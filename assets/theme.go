package assets

import (
	_ "embed" // the font

	"fyne.io/fyne/v2"
)

var (
	//go:embed fonts/cjk.ttf
	cjk []byte
	// CJKFont is a subset of WenQuanYi Micro Hei (Apache 2.0): Latin,
	// punctuation, GB2312 and every character of the Chinese translation.
	// Fyne's own font has no Chinese; this one is embedded so Chinese
	// renders on every machine, whatever fonts it has.
	CJKFont = fyne.NewStaticResource("cjk.ttf", cjk)
)

// Theme returns base with its text in CJKFont, bold and italic included:
// the font has neither, but a Chinese name in a bold title must show, and
// a system font that has it cannot be counted on (a fresh Linux has
// none). Its Latin letters (from Droid Sans, like Fyne's Noto Sans) match
// the rest of the app. Monospace and symbols stay base's.
func Theme(base fyne.Theme) fyne.Theme { return cjkTheme{base} }

type cjkTheme struct{ fyne.Theme }

func (t cjkTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	return CJKFont
}
