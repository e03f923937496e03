package e2e

import (
	"slices"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// Calls between the browser client and parley-cli: Chromium's WebRTC on
// one side, Parley's Go engine (callcore on Pion) on the other.

// webSignedIn starts a server with alice and bob, and the browser signed
// in as bob with the chat with alice open.
func webSignedIn(t *testing.T, opts webtest.Options, serverArgs ...string) (*harness.Server, *webtest.Browser) {
	t.Helper()
	srv := harness.StartServer(t, "", serverArgs...)
	webUsers(t, srv, "alice", "bob")
	b := webtest.Start(t, opts)
	b.SignIn(srv.URL, "bob", "pw-bob")
	b.OpenChat("alice")
	return srv, b
}

func TestBrowserDeclinesCLICall(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := cliRingsBrowser(t, srv, b, "--video")
	b.Click("#decline")
	b.Wait(".message.call-record .text", "Declined", 10*time.Second)
	if s := summaryOf(t, alice.wait(t)); s.str("outcome") != "declined" {
		t.Errorf("alice's summary: %v", s)
	}
	if r := lastRecord(t, srv, "alice", "bob"); r.str("outcome") != "declined" {
		t.Errorf("alice's history: the last record is %v; want declined", r)
	}
	checkPageClean(t, b)
}

// TestBrowserCountdownReachesZeroWithServerTimeout runs the page's clock
// 90 s ahead: the countdown, on the server's clock, still shows 0 when the
// server's 5 s timeout ends the invite, and not long before.
func TestBrowserCountdownReachesZeroWithServerTimeout(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{ClockSkew: 90 * time.Second}, "--invite-timeout", "5s")
	// Every value the countdown shows, and when, until the invite screen goes.
	b.Eval(`(() => {
		window.__countdown = [];
		new MutationObserver(() => {
			const v = document.querySelector('#countdown')?.textContent ?? null;
			const seen = window.__countdown;
			if (v !== (seen.length ? seen[seen.length - 1].v : null)) seen.push({v, t: performance.now()});
		}).observe(document.body, {subtree: true, childList: true, characterData: true});
		return true;
	})()`, new(bool))
	alice := cliRingsBrowser(t, srv, b)
	b.Wait(".message.call-record .text", "No answer", 20*time.Second)
	if s := summaryOf(t, alice.wait(t)); s.str("outcome") != "no_answer" {
		t.Errorf("alice's summary: %v", s)
	}
	var seen []struct {
		V *string
		T float64
	}
	b.Eval(`window.__countdown`, &seen)
	var shown []string
	for _, s := range seen {
		if s.V != nil {
			shown = append(shown, *s.V)
		}
	}
	want := []string{"5", "4", "3", "2", "1", "0"}
	if len(shown) > 0 && shown[0] == "4" { // the invite took a moment to arrive
		want = want[1:]
	}
	if len(seen) != len(want)+1 || !slices.Equal(shown, want) || seen[len(seen)-1].V != nil {
		t.Fatalf("the countdown showed %v; want %v, then the invite screen closed", shown, want)
	}
	if zeroFor := seen[len(seen)-1].T - seen[len(seen)-2].T; zeroFor > 1000 {
		t.Errorf("the countdown showed 0 for %.0f ms before the server's timeout; its clock is off", zeroFor)
	}
}

// webMedia is what Chrome's getStats says of the page's connected peer
// connection: its inbound media, and the type of its local candidate in
// the selected pair (host, srflx, prflx, relay).
type webMedia struct {
	Video, Audio webInbound
	Path         string
}

type webInbound struct {
	FramesDecoded   float64 `json:"framesDecoded"`
	PacketsReceived float64 `json:"packetsReceived"`
	Codec           string  `json:"codec"`
}

func webStats(t *testing.T, b *webtest.Browser) webMedia {
	t.Helper()
	var in webMedia
	b.Eval(`(async () => {
		const pc = window.__pcs.find((p) => p.connectionState === 'connected');
		if (!pc) return {};
		const report = await pc.getStats(), out = {};
		report.forEach((s) => {
			if (s.type === 'inbound-rtp') out[s.kind] = {framesDecoded: s.framesDecoded || 0,
				packetsReceived: s.packetsReceived || 0, codec: report.get(s.codecId)?.mimeType || ''};
			if (s.type === 'transport') {
				const pair = report.get(s.selectedCandidatePairId);
				out.path = report.get(pair?.localCandidateId)?.candidateType || '';
			}
		});
		return out;
	})()`, &in)
	t.Logf("Chrome's inbound media: %+v", in)
	return in
}

// webMediaArrives polls Chrome's inbound media until ok holds (or a bound a
// loaded machine never nears) and returns the last figures.
func webMediaArrives(t *testing.T, b *webtest.Browser, ok func(webMedia) bool) webMedia {
	t.Helper()
	in := webStats(t, b)
	for start := time.Now(); !ok(in) && time.Since(start) < 60*time.Second; in = webStats(t, b) {
		time.Sleep(250 * time.Millisecond)
	}
	return in
}

// videoFlows: Chrome decoded over 60 VP8 frames and got Opus audio.
func videoFlows(in webMedia) bool {
	return in.Video.FramesDecoded > 60 && in.Video.Codec == "video/VP8" &&
		in.Audio.PacketsReceived > 0 && in.Audio.Codec == "audio/opus"
}

// hangUpVideoCall checks that the browser's running video call with
// parley-cli's alice carries media both ways (Chrome decodes VP8 video and
// gets Opus audio; alice decodes the browser's video and gets its audio),
// hangs up in the browser and waits for the call's record.
func hangUpVideoCall(t *testing.T, b *webtest.Browser, alice *cliProcess) {
	t.Helper()
	if in := webMediaArrives(t, b, videoFlows); !videoFlows(in) {
		t.Errorf("Chrome's inbound media: %+v; want over 60 VP8 frames decoded and Opus packets", in)
	}
	b.Click("#hangup")
	s := summaryOf(t, alice.wait(t))
	t.Logf("parley-cli's summary: %v", s)
	if s.str("outcome") != "completed" || s.num("video_frames_decoded") <= 0 || s.num("audio_packets_received") <= 0 {
		t.Errorf("parley-cli's summary: %v", s)
	}
	b.Wait(".message.call-record .text", "Video call · Duration 00:", 10*time.Second)
	checkPageClean(t, b)
}

func TestBrowserCallsCLIWithVideo(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := browserCallsCLI(t, srv, b, "video", "--wait", "60s", "--hold", "60s")
	hangUpVideoCall(t, b, alice)
}

func TestCLICallsBrowserWithVideo(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := cliRingsBrowser(t, srv, b, "--video", "--hold", "10m")
	b.Click("#accept")
	b.Wait("#incall #timer", "00:0", 30*time.Second)
	hangUpVideoCall(t, b, alice)
}

// TestBrowserCallThroughTURN makes Chrome use relays only: the call works
// with the TURN credentials the login handed out.
func TestBrowserCallThroughTURN(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{RelayOnly: true})
	alice := browserCallsCLI(t, srv, b, "audio", "--wait", "60s", "--hold", "60s")
	in := webMediaArrives(t, b, func(in webMedia) bool { return in.Audio.PacketsReceived > 0 })
	if in.Audio.PacketsReceived == 0 || in.Path != "relay" {
		t.Errorf("Chrome: %+v; want audio over a relay candidate", in)
	}
	b.Click("#hangup")
	if s := summaryOf(t, alice.wait(t)); s.str("outcome") != "completed" || s.num("audio_packets_received") <= 0 {
		t.Errorf("parley-cli's summary: %v", s)
	}
}
