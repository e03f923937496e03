package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// The browser tests drive the real client, served by the real server, in
// Debian's headless Chromium, against parley-cli on the other side.

func TestBrowserChatBothWaysAndHTMLAsText(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	b.Send("hello from the browser")
	b.Wait(".message.mine:not(.pending) .text", "hello from the browser", 10*time.Second)
	if h := cli(t, srv, "alice", "history", "bob"); !strings.Contains(h, `"text":"hello from the browser"`) {
		t.Fatalf("alice's history lacks the browser's message:\n%s", h)
	}

	cli(t, srv, "alice", "send", "bob", "hello from the cli")
	b.Wait(".message.theirs .text", "hello from the cli", 10*time.Second)

	evil := `<img src=x onerror=alert(1)> <script>alert(2)</script>`
	cli(t, srv, "alice", "send", "bob", evil)
	b.Wait(".message.theirs .text", "<script>", 10*time.Second)
	if got := b.Text(".message.theirs:last-child .text"); got != evil {
		t.Errorf("the page shows %q; want the text as sent, %q", got, evil)
	}
	if n := b.Count("#messages img, #messages script"); n != 0 {
		t.Errorf("the message became %d elements", n)
	}

	// A message the server refuses is not left pending: the page says why.
	b.OpenChat("zed")
	b.Send("anyone there?")
	b.Wait("#chat-error", "no such user: zed", 10*time.Second)
	if n := b.Count(".message.pending"); n != 0 {
		t.Errorf("%d messages left pending", n)
	}
	checkPageClean(t, b)
}

// checkPageClean: no uncaught error or CSP refusal in the page, and the
// token in no URL the page asked for and nothing it logged.
func checkPageClean(t *testing.T, b *webtest.Browser) {
	t.Helper()
	var token string
	b.Eval(`JSON.parse(sessionStorage.getItem('parley.session')).token`, &token)
	if token == "" {
		t.Fatal("no token in the session")
	}
	for _, l := range b.Console() {
		if strings.Contains(l, token) || strings.HasPrefix(l, "uncaught") || strings.Contains(l, "Content Security Policy") {
			t.Errorf("page log: %s", l)
		}
	}
	for _, u := range b.Requests() {
		if strings.Contains(u, token) {
			t.Errorf("the token is in a URL: %s", u)
		}
	}
}

// TestWebClientHeaders: the page is served with a strict policy, and the
// API keeps its answers (405 for another method) beside it.
func TestWebClientHeaders(t *testing.T) {
	srv := harness.StartServer(t, "")
	for path, typ := range map[string]string{"/": "text/html", "/app/main.js": "text/javascript", "/app/style.css": "text/css"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Type"), typ) || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "connect-src 'self' ws://"+srv.Addr+" wss://"+srv.Addr+";") ||
			!strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: %d %v", path, resp.StatusCode, h)
		}
	}
	for path, want := range map[string]int{"/api/login": 405, "/nothing": 404, "/app/": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d; want %d", path, resp.StatusCode, want)
		}
	}
}

// TestBrowserReconnectsAndCatchesUp cuts the page's network: it reconnects
// by itself, catches up on what it missed (chat.sync) and delivers, once,
// what was typed while it was away.
func TestBrowserReconnectsAndCatchesUp(t *testing.T) {
	srv := harness.StartServer(t, "")
	webUsers(t, srv, "alice", "bob")
	proxy := harness.StartProxy(t, srv.Addr)
	b := webtest.Start(t, webtest.Options{})
	b.SignIn("http://"+proxy.Addr, "bob", "pw-bob")
	b.OpenChat("alice")
	cli(t, srv, "alice", "send", "bob", "before the drop")
	b.Wait(".message.theirs .text", "before the drop", 10*time.Second)

	proxy.Cut()
	b.Wait("#conn-status", "Reconnecting", 10*time.Second)
	cli(t, srv, "alice", "send", "bob", "while you were away")
	b.Send("typed while offline")
	b.Wait(".message.pending .text", "typed while offline", 5*time.Second)
	b.Call("audio")
	b.Wait("#notice-bar", "Not connected", 5*time.Second)
	proxy.Restore()

	b.Wait("#conn-status", "Online", 20*time.Second)
	b.Wait(".message.theirs .text", "while you were away", 10*time.Second)
	b.Wait(".message.mine:not(.pending) .text", "typed while offline", 10*time.Second)
	if h := cli(t, srv, "alice", "history", "bob"); strings.Count(h, "typed while offline") != 1 {
		t.Errorf("alice's history should hold the offline message once:\n%s", h)
	}
	checkPageClean(t, b)
}
