// Package locale lets the desktop app start quietly in the C locale.
//
// Fyne reads the locale while its lang package is initialised, before main
// runs, and logs an error at every start when it is "C.UTF-8" (the locale
// of containers and minimal systems): "C" is no language tag. main imports
// this package for its init, which runs before Fyne's lang: Go initialises
// first, of the packages whose imports are ready, the one first by import
// path, and this one imports only packages that lang's own import
// text/template waits for.
package locale

import (
	"os"
	"strings"
)

func init() { englishForC(os.Getenv, os.Setenv) }

// englishForC makes a C or POSIX locale, with or without an encoding or a
// modifier ("C.UTF-8"), read as English by setting LANGUAGE when it is
// unset: Fyne's locale reader consults LANGUAGE before the locale (except
// for a plain "C", which it reads as English already), and the C library's
// locale, character set included, stays as it is.
func englishForC(getenv func(string) string, setenv func(key, value string) error) {
	if getenv("LANGUAGE") != "" {
		return
	}
	// The locale of messages, as gettext and Fyne's locale reader take it.
	var loc string
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(v); loc != "" {
			break
		}
	}
	name, _, _ := strings.Cut(loc, "@")
	name, _, _ = strings.Cut(name, ".")
	if name == "C" || name == "POSIX" {
		_ = setenv("LANGUAGE", "en") // cannot fail: a valid name and value
	}
}
