package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// The browser client on a phone (390x844, a touch screen) and on a
// desktop (1280x800): nothing reaches past the screen's edge, at 320 and
// 430 px wide too; the controls a call needs are there to tap, 44 px at
// least on the phone; an incoming call is answered with a tap, and its
// media flows. The client can be installed from its manifest.

// pageFit is what the page's layout measures.
type pageFit struct {
	Inner  float64  `json:"inner"`  // innerWidth
	Scroll float64  `json:"scroll"` // document.documentElement.scrollWidth
	Wide   []string `json:"wide"`   // shown elements that reach past the left or right edge
	Small  []string `json:"small"`  // shown controls under 44 px in either direction
}

// measureFit measures the page as it is shown now.
func measureFit(t *testing.T, b *webtest.Browser) pageFit {
	t.Helper()
	var f pageFit
	b.Eval(`(() => {
		const vw = innerWidth, out = {inner: vw, scroll: document.documentElement.scrollWidth, wide: [], small: []};
		const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
			(typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
		for (const el of document.querySelectorAll('body *')) {
			if (!el.checkVisibility()) continue;
			const r = el.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.left < -0.5 || r.right > vw + 0.5) out.wide.push(name(el) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
		}
		for (const el of document.querySelectorAll('button, input')) {
			if (!el.checkVisibility()) continue;
			const r = el.getBoundingClientRect();
			if (r.width < 43.5 || r.height < 43.5) out.small.push(name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
		}
		return out;
	})()`, &f)
	return f
}

// checkFits: at width, the page of where scrolls no wider than the
// screen and no shown element reaches past its edges; on a phone, every
// shown control is at least 44 px in both directions.
func checkFits(t *testing.T, b *webtest.Browser, where string, width int, phone bool) {
	t.Helper()
	f := measureFit(t, b)
	if f.Inner != float64(width) || f.Scroll > f.Inner || len(f.Wide) > 0 {
		t.Errorf("%s at %d px: innerWidth %v, scrollWidth %v; elements past the edge: %v", where, width, f.Inner, f.Scroll, f.Wide)
	}
	if phone && len(f.Small) > 0 {
		t.Errorf("%s at %d px: controls under 44 px: %v", where, width, f.Small)
	}
}

// checkFitsAcross checks the page of where at every phone width from 320
// to 430 px (then back to 390), or at the desktop's one width.
func checkFitsAcross(t *testing.T, b *webtest.Browser, where string, width, height int, phone bool) {
	t.Helper()
	if dir := os.Getenv("PARLEY_SHOTS"); dir != "" { // a look at each screen checked
		b.Screenshot(filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", strings.ReplaceAll(where, " ", "-"), width, height)))
	}
	if !phone {
		checkFits(t, b, where, width, false)
		return
	}
	for _, w := range []int{320, 360, 430, width} {
		b.Resize(w, height)
		checkFits(t, b, where, w, true)
	}
}

// checkTappable: each of sels is shown and passes Playwright's
// actionability checks for a tap (visible, stable, enabled, and the
// element a tap at its centre would reach).
func checkTappable(t *testing.T, b *webtest.Browser, where string, sels ...string) {
	t.Helper()
	for _, sel := range sels {
		if err := b.Tappable(sel, 10*time.Second); err != nil {
			t.Errorf("%s: %s cannot be tapped: %v", where, sel, err)
		}
	}
}

// checkAvatar: sel is a round avatar (as wide as tall, at least min px)
// showing initial.
func checkAvatar(t *testing.T, b *webtest.Browser, sel, initial string, min float64) {
	t.Helper()
	var a struct {
		W, H   float64
		Radius string
		Text   string
	}
	b.Eval(`(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		if (!el || !el.checkVisibility()) return {};
		const r = el.getBoundingClientRect();
		return {w: r.width, h: r.height, radius: getComputedStyle(el).borderRadius, text: el.textContent};
	})()`, &a)
	if a.W < min || a.W != a.H || a.Radius != "50%" || a.Text != initial {
		t.Errorf("avatar %s: %+v; want a circle of %v px or more showing %q", sel, a, min, initial)
	}
}

func jsString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}

var clock24 = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func TestBrowserPhoneAnswersCallAt390x844(t *testing.T) { phoneCall(t, 390, 844, true) }
func TestBrowserPhoneLayoutAt1280x800(t *testing.T)     { phoneCall(t, 1280, 800, false) }

// phoneCall signs bob in on a page of width x height, chats with alice
// and answers her video call from parley-cli by tapping Accept, checking
// the layout of every screen on the way.
func phoneCall(t *testing.T, width, height int, phone bool) {
	srv := harness.StartServer(t, "")
	webUsers(t, srv, "alice", "bob")
	b := webtest.Start(t, webtest.Options{Width: width, Height: height, Phone: phone})
	tap := b.Click
	if phone {
		tap = b.Tap
	}
	b.Goto(srv.URL + "/")
	b.Wait("#login-submit", "", 10*time.Second)
	checkFitsAcross(t, b, "sign-in", width, height, phone)

	b.SignIn(srv.URL, "bob", "pw-bob")
	cli(t, srv, "alice", "send", "bob", "hi bob")
	b.Wait(".conversation", "alice", 10*time.Second)
	checkFitsAcross(t, b, "conversations", width, height, phone)
	checkAvatar(t, b, ".conversation .avatar", "A", 40)

	tap(".conversation")
	b.Wait("#chat-title", "alice", 5*time.Second)
	b.Wait(".message.theirs .text", "hi bob", 10*time.Second)
	// One pane at a time on the phone: the chat with a way back; both on
	// the desktop.
	var panes struct{ List, Chat, Back bool }
	b.Eval(`({list: document.querySelector('#conversations').checkVisibility(),
		chat: document.querySelector('#chat').checkVisibility(), back: document.querySelector('#back').checkVisibility()})`, &panes)
	if want := (struct{ List, Chat, Back bool }{!phone, true, phone}); panes != want {
		t.Errorf("with a chat open: %+v; want %+v", panes, want)
	}
	b.Send("hi alice")
	b.Wait(".message.mine:not(.pending) .text", "hi alice", 10*time.Second)
	// A word longer than any screen wraps inside its bubble.
	cli(t, srv, "alice", "send", "bob", strings.Repeat("abcdefghij", 30))
	b.Wait(".message.theirs .text", "abcdefghijabcdefghij", 10*time.Second)
	checkFitsAcross(t, b, "chat", width, height, phone)
	checkTappable(t, b, "chat", "#composer", "#send", "#more")

	// Bubbles are sized to their text; times are 24-hour, as on the desktop.
	var bubbles struct {
		Short, List float64
		Time        string
	}
	b.Eval(`({short: document.querySelector('.message.mine .bubble').getBoundingClientRect().width,
		list: document.querySelector('#messages').getBoundingClientRect().width,
		time: document.querySelector('.message.mine time').textContent})`, &bubbles)
	if bubbles.Short <= 0 || bubbles.Short > bubbles.List/2 || !clock24.MatchString(bubbles.Time) {
		t.Errorf("the bubble of \"hi alice\" is %v px wide in a list of %v px, its time %q; want it sized to its text, a 24-hour time",
			bubbles.Short, bubbles.List, bubbles.Time)
	}
	checkAvatar(t, b, ".message.theirs .avatar", "A", 32)

	if phone {
		// Back to the list and into the chat again, with taps.
		tap("#back")
		b.Wait("#conversations .conversation", "alice", 5*time.Second)
		if b.Count("#chat-title:visible") != 0 {
			t.Errorf("the chat stays shown beside the list on the phone")
		}
		tap(".conversation")
		b.Wait("#chat-title", "alice", 5*time.Second)
		tap("#more")
		b.Wait("#video-call", "Video call", 5*time.Second)
		checkFits(t, b, "the more menu", width, true)
		checkTappable(t, b, "the more menu", "#voice-call", "#video-call")
		tap("#more")
	}

	alice := cliRingsBrowser(t, srv, b, "--video", "--hold", "10m")
	checkFitsAcross(t, b, "incoming call", width, height, phone)
	checkTappable(t, b, "incoming call", "#accept", "#decline", "#accept-voice")
	checkAvatar(t, b, "#incoming .avatar", "A", 80)

	tap("#accept")
	b.Wait("#incall #timer", "00:0", 30*time.Second)
	checkFitsAcross(t, b, "video call", width, height, phone)
	checkTappable(t, b, "video call", "#hangup", "#mute", "#camera", "#to-voice")
	if in := webMediaArrives(t, b, videoFlows); !videoFlows(in) {
		t.Errorf("Chrome's inbound media: %+v; want over 60 VP8 frames decoded and Opus packets", in)
	}
	var shown struct{ Remote, Local float64 }
	b.Eval(`({remote: document.querySelector('#remote-video').videoWidth, local: document.querySelector('#local-video').videoWidth})`, &shown)
	if shown.Remote == 0 || shown.Local == 0 {
		t.Errorf("video shown: %+v; want the other's video and our preview", shown)
	}
	tap("#hangup")
	s := summaryOf(t, alice.wait(t))
	t.Logf("parley-cli's summary: %v", s)
	if s.str("outcome") != "completed" || s.num("video_frames_decoded") <= 0 || s.num("audio_packets_received") <= 0 {
		t.Errorf("parley-cli's summary: %v", s)
	}
	b.Wait(".message.call-record .text", "Video call · Duration 00:", 10*time.Second)
	checkFits(t, b, "chat after the call", width, phone)
	checkPageClean(t, b)
}

// TestBrowserPhoneGroupCall: on the phone, bob places a group video call
// that parley-cli's alice and carol answer: the grid shows both, fits
// the screen, and Hang up can be tapped.
func TestBrowserPhoneGroupCall(t *testing.T) {
	srv := harness.StartServer(t, "")
	webUsers(t, srv, "alice", "bob", "carol")
	group := "group:" + strings.TrimSpace(cli(t, srv, "alice", "group", "create", "Team", "bob", "carol"))
	b := webtest.Start(t, webtest.Options{Width: 390, Height: 844, Phone: true})
	b.SignIn(srv.URL, "bob", "pw-bob")
	b.Wait(`.conversation[data-id="`+group+`"]`, "Team", 10*time.Second)
	b.Tap(`.conversation[data-id="` + group + `"]`)
	b.Wait("#chat-title", "Team", 5*time.Second)

	alice := startCLI(t, srv, "alice", "answer", "--test-media", "--wait", "60s", "--hold", "10m")
	carol := startCLI(t, srv, "carol", "answer", "--test-media", "--wait", "60s", "--hold", "10m")
	b.Tap("#more")
	b.Tap("#video-call")
	b.Wait("#incall.group #grid .tile.self", "You", 30*time.Second)
	var tiles map[string]webTile
	if !waitPage(60*time.Second, func() bool { tiles = webTiles(t, b); return tilesShowVideo(tiles, "alice", "carol") }) {
		t.Fatalf("the page's tiles: %+v; want decoded video and sound from alice and carol", tiles)
	}
	checkFitsAcross(t, b, "group call", 390, 844, true)
	checkTappable(t, b, "group call", "#hangup", "#mute", "#camera")
	// Every tile is on the screen, whole.
	var off []string
	b.Eval(`[...document.querySelectorAll('#grid .tile')].filter((el) => {
		const r = el.getBoundingClientRect();
		return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.width < 100;
	}).map((el) => el.dataset.user + ' ' + JSON.stringify(el.getBoundingClientRect()))`, &off)
	if len(off) > 0 {
		t.Errorf("tiles not whole on the screen: %v", off)
	}
	// Bob leaves; alice and carol go on, and the chat offers to join again.
	b.Tap("#hangup")
	b.Wait("#join-call", "Join video call", 15*time.Second)
	checkFits(t, b, "chat with a call to join", 390, true)
	checkTappable(t, b, "chat with a call to join", "#join-call")
	_, _ = alice, carol // ended with the test
	checkPageClean(t, b)
}

// TestBrowserPhoneManifest: the page has a web app manifest, served as
// one, whose icons are there at the sizes it says, so that a phone can
// install the client to its home screen.
func TestBrowserPhoneManifest(t *testing.T) {
	srv := harness.StartServer(t, "")
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return resp, body
	}
	pageResp, page := get("/")
	for _, link := range []string{`<link rel="manifest" href="/app/manifest.webmanifest">`, `<link rel="apple-touch-icon"`, `name="theme-color"`, `name="viewport"`} {
		if !bytes.Contains(page, []byte(link)) {
			t.Errorf("the page lacks %s", link)
		}
	}
	// The page's policy lets the browser load the manifest.
	if csp := pageResp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "manifest-src 'self'") {
		t.Errorf("the page's policy keeps the manifest from loading: %s", csp)
	}
	resp, body := get("/app/manifest.webmanifest")
	if typ := resp.Header.Get("Content-Type"); typ != "application/manifest+json" {
		t.Errorf("the manifest's Content-Type is %q; want application/manifest+json", typ)
	}
	var m struct {
		Name     string `json:"name"`
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct{ Src, Sizes, Type, Purpose string }
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("the manifest: %v\n%s", err, body)
	}
	if m.Name != "Parley" || m.StartURL != "/" || m.Display != "standalone" {
		t.Errorf("the manifest: %+v", m)
	}
	sizes := map[string]bool{}
	for _, ic := range m.Icons {
		resp, data := get(ic.Src)
		if typ := resp.Header.Get("Content-Type"); typ != ic.Type {
			t.Errorf("icon %s is served as %q; the manifest says %q", ic.Src, typ, ic.Type)
		}
		if ic.Type != "image/png" {
			continue
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if got := fmt.Sprintf("%dx%d", cfg.Width, cfg.Height); err != nil || got != ic.Sizes {
			t.Errorf("icon %s: %s (%v); the manifest says %s", ic.Src, got, err, ic.Sizes)
		}
		sizes[ic.Sizes+" "+ic.Purpose] = true
	}
	// What Chrome asks of an installable app, and a maskable icon for
	// Android's shapes.
	for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable"} {
		if !sizes[want] {
			t.Errorf("the manifest has no %s PNG icon", want)
		}
	}
}
