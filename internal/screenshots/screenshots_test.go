// Package screenshots writes a picture of every screen of the desktop app
// (from its --demo under Xvfb) and of the browser client (headless
// Chromium at 390x844 and 1280x800) to a directory, so that anyone can
// look at them all in a minute:
//
//	PARLEY_SCREENSHOTS=bin/screenshots go test -count=1 -v ./internal/screenshots
//
// (`make screenshots`). Without PARLEY_SCREENSHOTS it does nothing, so
// `make test` skips it.
package screenshots

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

func TestMain(m *testing.M) { os.Exit(harness.Run(m)) }

// outDir is where the pictures go, made absolute (go test runs in the
// package's directory).
func outDir(t *testing.T) string {
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		t.Skip("PARLEY_SCREENSHOTS=dir writes the screenshots (make screenshots)")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(moduleRoot(t), dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// desktop is one run of `parley --demo` under an Xvfb of its own.
type desktop struct {
	t   *testing.T
	env []string
	dir string
	log *harness.LockedBuffer
	out string
}

// startDemo starts the demo with args (--demo-call video, ...) and prefs
// (Fyne preferences: language, theme) in a config directory of its own,
// and waits for alice's and bob's windows. Its server listens on a port
// of its own choosing unless args give an --addr (the last one counts).
func startDemo(t *testing.T, out string, prefs map[string]any, args ...string) *desktop {
	t.Helper()
	x := harness.StartXvfb(t, "xdotool", "import")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if len(prefs) > 0 {
		pdir := filepath.Join(cfg, "fyne", "org.parley.app")
		data, _ := json.Marshal(prefs)
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pdir, "preferences.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(x.Env, "XDG_CONFIG_HOME="+cfg)
	cmd := exec.Command(harness.Binary(t, "parley"), append([]string{"--demo", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	d := &desktop{t: t, env: env, dir: dir, log: harness.StartProcess(t, cmd).Out, out: out}
	d.waitFor(60*time.Second, "the windows of alice and bob", func() bool {
		return d.window("alice") != "" && d.window("bob") != ""
	})
	return d
}

func (d *desktop) x(args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = d.env
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// window is the id of the last shown window whose name matches name.
func (d *desktop) window(name string) string {
	out, _ := d.x("xdotool", "search", "--onlyvisible", "--name", name)
	if f := strings.Fields(out); len(f) > 0 {
		return f[len(f)-1]
	}
	return ""
}

func (d *desktop) waitFor(timeout time.Duration, what string, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			d.t.Errorf("waiting for %s: gave up after %s", what, timeout)
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
	return true
}

// logs waits until parley's log has each of lines.
func (d *desktop) logs(timeout time.Duration, lines ...string) bool {
	return d.waitFor(timeout, strings.Join(lines, ", "), func() bool {
		out := d.log.String()
		for _, l := range lines {
			if !strings.Contains(out, l) {
				return false
			}
		}
		return true
	})
}

type geometry struct{ X, Y, W, H int }

func (d *desktop) geometry(win string) (geometry, bool) {
	out, err := d.x("xdotool", "getwindowgeometry", "--shell", win)
	if err != nil {
		return geometry{}, false
	}
	g := map[string]int{}
	for _, l := range strings.Fields(out) {
		if k, v, ok := strings.Cut(l, "="); ok {
			g[k], _ = strconv.Atoi(v)
		}
	}
	return geometry{g["X"], g["Y"], g["WIDTH"], g["HEIGHT"]}, true
}

// shoot raises the window named name and writes its area of the screen
// (import reads GL windows through the root window only) to file.png.
func (d *desktop) shoot(name, file string) {
	win := d.window(name)
	if win == "" {
		d.t.Errorf("%s: no window %q", file, name)
		return
	}
	d.x("xdotool", "windowraise", win)
	time.Sleep(700 * time.Millisecond)
	g, ok := d.geometry(win)
	if !ok {
		d.t.Errorf("%s: no geometry of %q", file, name)
		return
	}
	path := filepath.Join(d.out, file+".png")
	if _, err := d.x("import", "-window", "root", "-crop", fmt.Sprintf("%dx%d+%d+%d", g.W, g.H, g.X, g.Y), "+repage", path); err != nil {
		d.t.Errorf("screenshot %s: %v", file, err)
		return
	}
	d.t.Logf("%s (%dx%d)", path, g.W, g.H)
}

// click clicks window name at (fx, fy), fractions of its size when
// under 1, pixels from its right/bottom edge when negative, else pixels.
func (d *desktop) click(name string, fx, fy float64) bool {
	win := d.window(name)
	g, ok := d.geometry(win)
	if win == "" || !ok {
		d.t.Errorf("clicking: no window %q", name)
		return false
	}
	at := func(f float64, size int) int {
		switch {
		case f < 0:
			return size + int(f)
		case f < 1:
			return int(f * float64(size))
		}
		return int(f)
	}
	d.x("xdotool", "windowraise", win)
	time.Sleep(300 * time.Millisecond)
	_, err := d.x("xdotool", "mousemove", "--sync", strconv.Itoa(g.X+at(fx, g.W)), strconv.Itoa(g.Y+at(fy, g.H)), "click", "1")
	if err != nil {
		d.t.Errorf("clicking %q: %v", name, err)
		return false
	}
	time.Sleep(800 * time.Millisecond)
	return true
}

// key focuses window name and presses key.
func (d *desktop) key(name, key string) {
	win := d.window(name)
	if win == "" {
		d.t.Errorf("pressing %s: no window %q", key, name)
		return
	}
	d.x("xdotool", "windowfocus", "--sync", win)
	d.x("xdotool", "key", key)
}

// TestDesktop: the demo's screens, dark and English, then light and
// Chinese.
func TestDesktop(t *testing.T) {
	out := outDir(t)

	t.Run("video", func(t *testing.T) {
		d := startDemo(t, out, map[string]any{"theme": "dark", "language": "en"}, "--demo-call", "video")
		if !d.logs(40*time.Second, "user=alice screen=outgoing") {
			return
		}
		time.Sleep(1500 * time.Millisecond)
		d.shoot("Parley — alice", "desktop-chat")
		d.shoot("Parley call", "desktop-outgoing-video")
		if !d.waitFor(30*time.Second, "bob's invite", func() bool { return d.window("Incoming call") != "" }) {
			return
		}
		time.Sleep(time.Second)
		d.shoot("Incoming call", "desktop-incoming-video")
		d.key("Incoming call", "Return")
		if !d.logs(30*time.Second, "user=alice screen=video", "user=bob screen=video") {
			return
		}
		time.Sleep(4 * time.Second) // frames flow
		// The pointer moves over the call: its controls show.
		if g, ok := d.geometry(d.window("Parley call")); ok {
			d.x("xdotool", "mousemove", "--sync", strconv.Itoa(g.X+g.W/2), strconv.Itoa(g.Y+g.H/3))
			d.x("xdotool", "mousemove", "--sync", strconv.Itoa(g.X+g.W/2+20), strconv.Itoa(g.Y+g.H/3+20))
		}
		d.shoot("Parley call", "desktop-video")
		// The minimise button, top left of the call screen: best effort,
		// as the position is a guess from the layout.
		if d.click("Parley call", 22, 22) {
			time.Sleep(1500 * time.Millisecond)
			if d.window("Parley call") != "" {
				d.shoot("Parley call", "desktop-mini")
			} else {
				t.Log("no mini window after clicking the minimise button: desktop-mini.png not written")
			}
		}
	})

	t.Run("voice", func(t *testing.T) {
		d := startDemo(t, out, map[string]any{"theme": "dark", "language": "en"}, "--demo-call", "audio")
		if !d.waitFor(40*time.Second, "bob's invite", func() bool { return d.window("Incoming call") != "" }) {
			return
		}
		time.Sleep(time.Second)
		d.shoot("Incoming call", "desktop-incoming-voice")
		d.key("Incoming call", "Return")
		if !d.logs(30*time.Second, "user=alice screen=voice", "user=bob screen=voice") {
			return
		}
		time.Sleep(3 * time.Second)
		d.shoot("Parley call", "desktop-voice")
	})

	// bob declines, then alice's main window by its shortcuts: the chat's
	// "more" menu (Ctrl+M), the Calls tab with the record (Ctrl+3) and
	// Settings (Ctrl+,).
	t.Run("menus", func(t *testing.T) {
		d := startDemo(t, out, map[string]any{"theme": "dark", "language": "en"}, "--demo-call", "audio")
		if !d.waitFor(40*time.Second, "bob's invite", func() bool { return d.window("Incoming call") != "" }) {
			return
		}
		time.Sleep(time.Second)
		d.key("Incoming call", "Escape")
		if !d.logs(30*time.Second, "user=bob screen=none") {
			d.t.Logf("parley's output:\n%s", d.log.String())
			return
		}
		// alice's call screen shows the outcome a moment, then closes.
		for end := time.Now().Add(10 * time.Second); d.window("Parley call") != "" && time.Now().Before(end); {
			time.Sleep(200 * time.Millisecond)
		}
		time.Sleep(time.Second)
		const alice = "Parley — alice"
		d.click(alice, 150, 155) // bob's row: the chat opens
		d.key(alice, "ctrl+m")
		time.Sleep(time.Second)
		d.shoot(alice, "desktop-more-menu")
		d.click(alice, 0.7, 0.3) // closes the menu
		d.key(alice, "ctrl+3")
		time.Sleep(time.Second)
		d.shoot(alice, "desktop-calls")
		d.key(alice, "ctrl+1")
		d.key(alice, "ctrl+comma")
		if d.waitFor(10*time.Second, "the Settings window", func() bool { return d.window("Settings") != "" }) {
			time.Sleep(time.Second)
			d.shoot("Settings", "desktop-settings")
		}
	})

	// A group video call: carol (who places it) and dave are headless
	// parley-cli clients on the demo's server with test media, alice and
	// bob accept on the desktop; the call window shows the grid of four.
	t.Run("group", func(t *testing.T) {
		addr := harness.FreeAddr(t)
		d := startDemo(t, out, map[string]any{"theme": "dark", "language": "en"}, "--addr", addr)
		g := newHeadless(t, "http://"+addr)
		g.run("carol", "register")
		g.run("dave", "register")
		// alice and bob exist once the demo has signed them in.
		var id string
		var err error
		if !d.waitFor(60*time.Second, "the group of alice, bob, carol and dave", func() bool {
			id, err = g.try("carol", "group", "create", "Team", "alice", "bob", "dave")
			id = strings.TrimSpace(id)
			return err == nil
		}) {
			t.Log(err)
			return
		}
		time.Sleep(2 * time.Second) // the demo's windows load
		media := []string{"--test-media", "--video-size", "320x240", "--fps", "15", "--hold", "10m"}
		g.start("dave", append([]string{"answer", "--wait", "2m"}, media...)...)
		g.start("carol", append([]string{"call", "group:" + id, "--video", "--timeout", "2m"}, media...)...)
		if !d.waitFor(40*time.Second, "the invites of alice and bob", func() bool {
			o, _ := d.x("xdotool", "search", "--onlyvisible", "--name", "Incoming call")
			return len(strings.Fields(o)) == 2
		}) {
			return
		}
		time.Sleep(time.Second)
		d.shoot("Incoming call", "desktop-incoming-group")
		for range 2 {
			win := d.window("Incoming call")
			d.key("Incoming call", "Return")
			d.waitFor(10*time.Second, "the invite to close", func() bool { return d.window("Incoming call") != win })
		}
		if !d.logs(30*time.Second, "user=alice screen=group", "user=bob screen=group") {
			d.t.Logf("parley's output:\n%s", d.log.String())
			return
		}
		time.Sleep(6 * time.Second) // everyone's frames flow
		d.shoot("Parley call", "desktop-group")
	})

	t.Run("light-chinese", func(t *testing.T) {
		d := startDemo(t, out, map[string]any{"theme": "light", "language": "zh-Hans"}, "--demo-call", "video")
		if !d.logs(40*time.Second, "user=alice screen=outgoing") {
			return
		}
		time.Sleep(1500 * time.Millisecond)
		d.shoot("alice", "desktop-light-zh-chat")
		if d.waitFor(30*time.Second, "bob's invite", func() bool { return d.window("bob") != "" }) {
			time.Sleep(time.Second)
		}
		d.shoot("Parley — bob", "desktop-light-zh-bob")
	})
}

// headless runs parley-cli for the demo's server, as people of the demo
// (its password).
type headless struct {
	t   *testing.T
	bin string
	url string
}

func newHeadless(t *testing.T, url string) *headless {
	return &headless{t: t, bin: harness.Binary(t, "parley-cli"), url: url}
}

func (h *headless) cmd(user string, args ...string) *exec.Cmd {
	cmd := exec.Command(h.bin, append([]string{"--server", h.url, "--user", user}, args...)...)
	cmd.Env = append(os.Environ(), "PARLEY_PASSWORD=parley-demo")
	return cmd
}

// try runs a command to its end and tells its output, or its error.
func (h *headless) try(user string, args ...string) (string, error) {
	var stdout, stderr strings.Builder
	cmd := h.cmd(user, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("parley-cli --user %s %v: %v\n%s", user, args, err, stderr.String())
	}
	return stdout.String(), nil
}

// run runs a command that must succeed.
func (h *headless) run(user string, args ...string) {
	if _, err := h.try(user, args...); err != nil {
		h.t.Fatal(err)
	}
}

// start starts a command (a call) that runs until the test ends.
func (h *headless) start(user string, args ...string) {
	p := harness.StartProcess(h.t, h.cmd(user, args...))
	h.t.Cleanup(func() {
		if h.t.Failed() {
			h.t.Logf("parley-cli %s %v:\n%s", user, args, p.Out.String())
		}
	})
}

// TestBrowser: the browser client's screens at a phone's 390x844 and a
// desktop's 1280x800.
func TestBrowser(t *testing.T) {
	out := outDir(t)
	for _, size := range []struct {
		w, h  int
		phone bool
	}{{390, 844, true}, {1280, 800, false}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			browser(t, out, size.w, size.h, size.phone)
		})
	}
}

func browser(t *testing.T, out string, w, h int, phone bool) {
	srv := harness.StartServer(t, "")
	for _, u := range []string{"alice", "bob"} {
		srv.AddUser(u, "pw-"+u)
	}
	cli := func(args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if o, e, code := srv.CLI(ctx, "alice", args...); code != 0 {
			t.Fatalf("parley-cli %v: %d\n%s%s", args, code, o, e)
		}
	}
	b := webtest.Start(t, webtest.Options{Width: w, Height: h, Phone: phone})
	tap := b.Click
	if phone {
		tap = b.Tap
	}
	shot := func(name string) {
		path := filepath.Join(out, fmt.Sprintf("browser-%dx%d-%s.png", w, h, name))
		time.Sleep(500 * time.Millisecond)
		b.Screenshot(path)
		t.Log(path)
	}
	b.Goto(srv.URL + "/")
	b.Wait("#login-submit", "", 10*time.Second)
	shot("1-sign-in")
	b.SignIn(srv.URL, "bob", "pw-bob")
	cli("send", "bob", "Hi Bob! Shall we call?")
	b.Wait(".conversation", "alice", 10*time.Second)
	shot("2-conversations")
	tap(".conversation")
	b.Wait(".message.theirs .text", "Shall we call", 10*time.Second)
	b.Send("Sure, call me.")
	b.Wait(".message.mine:not(.pending) .text", "Sure", 10*time.Second)
	shot("3-chat")
	tap("#more")
	b.Wait("#video-call", "Video call", 5*time.Second)
	shot("4-more-menu")
	tap("#more")

	// alice calls from parley-cli; the page rings, then is answered.
	cmd := exec.Command(harness.Binary(t, "parley-cli"), "--server", srv.URL, "--user", "alice", "call", "bob", "--test-media", "--video", "--hold", "10m")
	cmd.Env = append(os.Environ(), "PARLEY_PASSWORD=pw-alice")
	harness.StartProcess(t, cmd)
	b.Wait("#incoming h2", "alice invites you to a video call", 30*time.Second)
	shot("5-incoming")
	tap("#accept")
	b.Wait("#incall #timer", "00:0", 30*time.Second)
	time.Sleep(3 * time.Second) // frames flow
	shot("6-video-call")
	tap("#hangup")
	b.Wait(".message.call-record .text", "Video call · Duration 00:", 15*time.Second)
	shot("7-chat-after-call")
}
