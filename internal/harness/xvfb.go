package harness

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Xvfb is a virtual X server of the test's own.
type Xvfb struct {
	*Process
	Display string   // ":N"
	Env     []string // for its clients: this process's, with DISPLAY and LANG=C.UTF-8
}

// debianPackages names the package that has each X tool a test may need.
var debianPackages = map[string]string{
	"Xvfb":     "xvfb",
	"xdotool":  "xdotool",
	"import":   "imagemagick",
	"identify": "imagemagick",
}

// StartXvfb starts a 1280x900 Xvfb on a display nobody uses, in a process
// group of its own ended when the test ends, and waits until it takes
// clients. tools are the other programs the test runs against it: a
// missing one, or a missing Xvfb, fails the test with how to install it.
func StartXvfb(tb testing.TB, tools ...string) *Xvfb {
	tb.Helper()
	for _, tool := range append([]string{"Xvfb"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s is missing: run `make deps` (Debian package %s)", tool, debianPackages[tool])
		}
	}
	// Xvfb picks the free display itself and writes its number to fd 3
	// once it takes clients: no race with another Xvfb starting meanwhile.
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	p := StartProcess(tb, cmd)
	w.Close()
	number := make(chan string, 1)
	go func() {
		defer r.Close()
		line, _ := bufio.NewReader(r).ReadString('\n') // EOF if Xvfb ends first
		number <- strings.TrimSpace(line)
	}()
	var n string
	select {
	case n = <-number:
	case <-time.After(10 * time.Second):
	}
	if n == "" {
		tb.Fatalf("Xvfb did not start:\n%s", p.Out)
	}
	display := ":" + n
	return &Xvfb{Process: p, Display: display, Env: append(os.Environ(), "DISPLAY="+display, "LANG=C.UTF-8")}
}
