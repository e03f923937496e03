package app_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
)

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %s\n%s", what, d, why())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// colours counts the distinct colours of a screenshot.
func colours(t *testing.T, png string) int {
	t.Helper()
	out, err := exec.Command("identify", "-format", "%k", png).Output()
	if err != nil {
		t.Fatalf("identify %s: %v", png, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("identify %s: %q", png, out)
	}
	return n
}

// TestDesktopSmoke builds parley, starts it with --demo under Xvfb, checks
// that its windows are drawn, accepts the call alice places to bob with
// the Enter key and checks that both see the video call screen.
func TestDesktopSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real app under Xvfb")
	}
	env := harness.StartXvfb(t, "xdotool", "import", "identify").Env
	bin := harness.Binary(t, "parley")
	dir := t.TempDir()
	x := func(args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	window := func(name string) string {
		out, _ := x("xdotool", "search", "--onlyvisible", "--name", name)
		if f := strings.Fields(out); len(f) > 0 {
			return f[0]
		}
		return ""
	}

	app := exec.Command(bin, "--demo", "--demo-call", "video", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
	app.Env = env
	alog := harness.StartProcess(t, app).Out
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("parley's output:\n%s", alog.String())
		}
	})

	waitFor(t, 60*time.Second, "the windows of alice and bob", func() bool {
		return window("Parley — alice") != "" && window("Parley — bob") != ""
	}, alog.String)
	waitFor(t, 30*time.Second, "the demo chat", func() bool { return strings.Contains(alog.String(), "screen=outgoing") }, alog.String)

	shot := filepath.Join(dir, "main.png")
	if _, err := x("import", "-window", "root", shot); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if n := colours(t, shot); n < 16 {
		t.Fatalf("the screen looks blank: %d colours", n)
	}

	var invite string
	waitFor(t, 30*time.Second, "bob's invite window", func() bool { invite = window("Incoming call"); return invite != "" }, alog.String)
	if _, err := x("xdotool", "windowfocus", "--sync", invite); err != nil {
		t.Fatalf("focusing the invite window: %v", err)
	}
	if _, err := x("xdotool", "key", "Return"); err != nil {
		t.Fatalf("pressing Enter: %v", err)
	}
	waitFor(t, 30*time.Second, "the video call screen on both sides", func() bool {
		out := alog.String()
		return strings.Contains(out, "user=alice screen=video") && strings.Contains(out, "user=bob screen=video")
	}, alog.String)
	time.Sleep(3 * time.Second) // frames flow
	// The call window's area of the screen (import reads GL windows
	// through the root window only).
	geo, err := x("xdotool", "getwindowgeometry", "--shell", window("Parley call"))
	if err != nil {
		t.Fatalf("call window geometry: %v", err)
	}
	g := map[string]string{}
	for _, l := range strings.Fields(geo) {
		if k, v, ok := strings.Cut(l, "="); ok {
			g[k] = v
		}
	}
	shot = filepath.Join(dir, "call.png")
	if _, err := x("import", "-window", "root", "-crop", g["WIDTH"]+"x"+g["HEIGHT"]+"+"+g["X"]+"+"+g["Y"], shot); err != nil {
		t.Fatalf("screenshot of the call: %v", err)
	}
	t.Logf("main window: %d colours; call window %sx%s: %d colours", colours(t, filepath.Join(dir, "main.png")), g["WIDTH"], g["HEIGHT"], colours(t, shot))
	if n := colours(t, shot); n < 64 {
		t.Fatalf("the video call window shows no video: %d colours", n)
	}
	if strings.Contains(alog.String(), "Error in Fyne call thread") {
		t.Fatalf("Fyne reported a UI call from the wrong goroutine:\n%s", alog.String())
	}
	if out := alog.String(); strings.Contains(out, "panic:") {
		t.Fatalf("parley panicked:\n%s", out)
	}
}
