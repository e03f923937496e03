package locale

import (
	"bytes"
	"log"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

func TestEnglishForC(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // LANGUAGE afterwards
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"C", map[string]string{"LANG": "C"}, "en"},
		{"POSIX", map[string]string{"LC_ALL": "POSIX"}, "en"},
		{"C with a modifier", map[string]string{"LANG": "C@euro"}, "en"},
		{"LC_ALL over LANG", map[string]string{"LC_ALL": "C.utf8", "LANG": "zh_CN.UTF-8"}, "en"},
		{"LC_MESSAGES over LANG", map[string]string{"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"no locale", map[string]string{}, ""},
		{"a language", map[string]string{"LANG": "zh_CN.UTF-8"}, ""},
		{"LANGUAGE kept", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh_CN:en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			englishForC(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if got := env["LANGUAGE"]; got != tt.want {
				t.Errorf("LANGUAGE = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFyneReadsCAsEnglishQuietly runs Fyne's own locale reader, as its
// lang package does when it is initialised, in the C.UTF-8 locale.
func TestFyneReadsCAsEnglishQuietly(t *testing.T) {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANGUAGE"} {
		t.Setenv(v, "")
	}
	t.Setenv("LANG", "C.UTF-8")
	var logged bytes.Buffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	readLocale := func() fyne.Locale {
		// Adding translations makes lang read the user's locales again.
		if err := lang.AddTranslationsForLocale([]byte("{}"), "en"); err != nil {
			t.Fatal(err)
		}
		return lang.SystemLocale()
	}

	readLocale()
	if logged.Len() == 0 {
		t.Fatal("Fyne reads C.UTF-8 without an error now: package locale is no longer needed")
	}
	logged.Reset()
	englishForC(os.Getenv, os.Setenv)
	if loc := readLocale(); loc.LanguageString() != "en" || logged.Len() != 0 {
		t.Errorf("locale %q, log %q; want en and nothing logged", loc, logged.String())
	}
}
