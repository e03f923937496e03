// Package webtest drives Parley's browser client in Debian's headless
// Chromium, for end-to-end tests and benchmarks. It runs
// web/test/driver.mjs (Playwright, from npm) in a process group of its
// own, and ends that group and Chromium's when the test ends.
package webtest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Chromium is the browser the tests drive: Debian's package.
const Chromium = "/usr/bin/chromium"

// Options shape the browser.
type Options struct {
	// ClockSkew moves the page's clock (Date.now) away from the real one.
	ClockSkew time.Duration
	// RelayOnly makes the page's peer connections use TURN relays only.
	RelayOnly bool
	// Width and Height size the page's viewport in CSS pixels (1100x800
	// when zero).
	Width, Height int
	// Phone makes the page a phone's: a touch screen (Tap works) and a
	// mobile viewport that honours the page's viewport meta tag.
	Phone bool
	// FakeVideo (a Y4M file) and FakeAudio (a WAV file) replace the fake
	// camera's test pattern and the fake microphone's beep, looped.
	FakeVideo, FakeAudio string
}

// Browser is one headless Chromium with one page. Its methods run one
// command at a time: call them from the test's goroutine only.
type Browser struct {
	tb      testing.TB
	node    *exec.Cmd
	stdin   io.WriteCloser
	replies chan reply
	exited  chan struct{}
	next    int

	mu        sync.Mutex
	console   []string // what the page logged, and its uncaught errors
	requests  []string // every URL the page asked for
	chromePID int
}

type reply struct {
	ID    int             `json:"id"`
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

// line is any line the driver prints.
type line struct {
	reply
	Ready      bool   `json:"ready"`
	BrowserPID int    `json:"browser_pid"`
	Console    string `json:"console"`
	Text       string `json:"text"`
	PageError  string `json:"pageerror"`
	Request    string `json:"request"`
}

func testDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "test")
}

// Start launches the browser. A missing Chromium, Node.js or
// playwright-core fails the test with what to do: `make deps`.
func Start(tb testing.TB, opts Options) *Browser {
	tb.Helper()
	dir := testDir()
	node, err := exec.LookPath("node")
	switch {
	case err != nil:
		tb.Fatalf("browser tests need Node.js (node), and none is on PATH: run `make deps`")
	case !executable(Chromium):
		tb.Fatalf("browser tests need Debian's chromium at %s, and it is missing: run `make deps`", Chromium)
	case !exists(filepath.Join(dir, "node_modules", "playwright-core")):
		tb.Fatalf("browser tests need playwright-core in %s/node_modules: run `make deps` (npm ci there)", dir)
	}
	profile := tb.TempDir() // removed after the cleanup below, which ends Chromium first
	b := &Browser{tb: tb, replies: make(chan reply, 1), exited: make(chan struct{})}
	relay := ""
	if opts.RelayOnly {
		relay = "relay"
	}
	w, h := opts.Width, opts.Height
	if w == 0 || h == 0 {
		w, h = 1100, 800
	}
	phone := ""
	if opts.Phone {
		phone = "phone"
	}
	b.node = exec.Command(node, "driver.mjs", profile, strconv.FormatInt(opts.ClockSkew.Milliseconds(), 10), relay,
		fmt.Sprintf("%dx%d", w, h), phone, opts.FakeVideo, opts.FakeAudio)
	b.node.Dir = dir
	b.node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr strings.Builder
	b.node.Stderr = &stderr
	out, err := b.node.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if b.stdin, err = b.node.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	if err := b.node.Start(); err != nil {
		tb.Fatalf("starting the browser driver: %v", err)
	}
	tb.Cleanup(b.Close)
	ready := make(chan struct{})
	go b.read(out, ready)
	go func() { _ = b.node.Wait(); close(b.exited) }()
	select {
	case <-ready:
	case <-b.exited:
		tb.Fatalf("the browser driver stopped before it was ready:\n%s", stderr.String())
	case <-time.After(60 * time.Second):
		tb.Fatalf("the browser did not start within a minute:\n%s", stderr.String())
	}
	return b
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&0o111 != 0
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (b *Browser) read(r io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case l.Ready:
			b.chromePID = l.BrowserPID
			close(ready)
		case l.Console != "":
			b.console = append(b.console, l.Console+": "+l.Text)
		case l.PageError != "":
			b.console = append(b.console, "uncaught: "+l.PageError)
		case l.Request != "":
			b.requests = append(b.requests, l.Request)
		case l.ID != 0:
			b.mu.Unlock()
			b.replies <- l.reply
			continue
		}
		b.mu.Unlock()
	}
}

// Close asks the driver to close the browser, then ends both process
// groups whatever happened. The test's end does it too; more than once is
// harmless.
func (b *Browser) Close() {
	_, _ = io.WriteString(b.stdin, `{"op":"close"}`+"\n")
	// The driver's line reader keeps node running while its input is open.
	_ = b.stdin.Close()
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-b.node.Process.Pid, syscall.SIGKILL)
	b.mu.Lock()
	pid := b.chromePID
	b.mu.Unlock()
	if pid > 0 && syscall.Kill(-pid, 0) == nil {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	<-b.exited
}

// Do runs one driver command and returns its value.
func (b *Browser) Do(op string, args map[string]any) (json.RawMessage, error) {
	b.next++
	cmd := map[string]any{"id": b.next, "op": op}
	for k, v := range args {
		cmd[k] = v
	}
	data, _ := json.Marshal(cmd)
	if _, err := b.stdin.Write(append(data, '\n')); err != nil {
		return nil, fmt.Errorf("browser driver: %w", err)
	}
	select {
	case r := <-b.replies:
		if r.ID != b.next {
			return nil, fmt.Errorf("browser driver answered %d to %d", r.ID, b.next)
		}
		if !r.OK {
			return nil, errors.New(r.Error)
		}
		return r.Value, nil
	case <-b.exited:
		return nil, errors.New("the browser driver exited")
	}
}

// must runs a command, failing the test with the page's log if it fails.
func (b *Browser) must(op string, args map[string]any) json.RawMessage {
	b.tb.Helper()
	v, err := b.Do(op, args)
	if err != nil {
		b.tb.Fatalf("browser %s %v: %v\npage log:\n%s", op, args, err, strings.Join(b.Console(), "\n"))
	}
	return v
}

// PID is Chromium's browser process: the root of its process tree (zygote,
// renderer, GPU and utility processes) and the leader of its group.
func (b *Browser) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chromePID
}

func (b *Browser) Goto(url string) { b.tb.Helper(); b.must("goto", map[string]any{"url": url}) }
func (b *Browser) Fill(sel, text string) {
	b.tb.Helper()
	b.must("fill", map[string]any{"sel": sel, "text": text})
}
func (b *Browser) Click(sel string) { b.tb.Helper(); b.must("click", map[string]any{"sel": sel}) }

// Tap taps sel as a finger would (the browser must be started with
// Options.Phone), once Playwright's actionability checks pass: visible,
// stable, enabled and not covered by another element.
func (b *Browser) Tap(sel string) { b.tb.Helper(); b.must("tap", map[string]any{"sel": sel}) }

// Tappable reports why sel could not be clicked within timeout (nil when
// it could): Playwright's actionability checks, run without clicking.
func (b *Browser) Tappable(sel string, timeout time.Duration) error {
	_, err := b.Do("trial", map[string]any{"sel": sel, "timeout": timeout.Milliseconds()})
	return err
}

// Screenshot writes what the page shows to path, a PNG file.
func (b *Browser) Screenshot(path string) {
	b.tb.Helper()
	b.must("screenshot", map[string]any{"path": path})
}

// Resize sets the viewport's size in CSS pixels.
func (b *Browser) Resize(width, height int) {
	b.tb.Helper()
	b.must("resize", map[string]any{"width": width, "height": height})
}

func (b *Browser) Count(sel string) (n int) {
	b.tb.Helper()
	b.decode(b.must("count", map[string]any{"sel": sel}), &n)
	return n
}
func (b *Browser) Text(sel string) (s string) {
	b.tb.Helper()
	b.decode(b.must("text", map[string]any{"sel": sel}), &s)
	return s
}

// Wait waits until sel is visible and, when text is not empty, holds it.
func (b *Browser) Wait(sel, text string, timeout time.Duration) {
	b.tb.Helper()
	args := map[string]any{"sel": sel, "timeout": timeout.Milliseconds()}
	if text != "" {
		args["text"] = text
	}
	b.must("wait", args)
}

// Eval evaluates a JavaScript expression in the page (awaiting a promise)
// into v.
func (b *Browser) Eval(js string, v any) {
	b.tb.Helper()
	b.decode(b.must("eval", map[string]any{"js": js}), v)
}

func (b *Browser) decode(raw json.RawMessage, v any) {
	b.tb.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		b.tb.Fatalf("browser value %s: %v", raw, err)
	}
}

// Console is what the page logged so far, its uncaught errors included.
func (b *Browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// Requests are the URLs the page asked for so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}
