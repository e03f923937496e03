package e2e

import (
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// Group calls between the browser client and parley-cli: every device
// has one connection, to the server's SFU, and gets the others' media
// on it.

// webTile is what the page's grid shows of one other participant: its
// video element's size and whether it is shown, and, from the receivers
// that feed that element, the frames Chrome decoded and the audio packets
// it got.
type webTile struct {
	Width        float64 `json:"width"`
	VideoShown   bool    `json:"videoShown"`
	Frames       float64 `json:"frames"`
	AudioPackets float64 `json:"audioPackets"`
}

// webTiles reads the grid's tiles of the others, by user.
func webTiles(t *testing.T, b *webtest.Browser) map[string]webTile {
	t.Helper()
	tiles := map[string]webTile{}
	b.Eval(`(async () => {
		const receivers = window.__pcs.filter((pc) => pc.connectionState !== 'closed').flatMap((pc) => pc.getReceivers());
		const out = {};
		for (const tile of document.querySelectorAll('#grid .tile:not(.self)')) {
			const v = tile.querySelector('video'), a = tile.querySelector('audio');
			const r = {width: v.videoWidth, videoShown: !v.hidden, frames: 0, audioPackets: 0};
			for (const [el, kind] of [[v, 'video'], [a, 'audio']]) {
				const track = el?.srcObject?.getTracks().find((t) => t.kind === kind && t.readyState === 'live');
				const rec = track && receivers.find((x) => x.track === track);
				if (!rec) continue;
				(await rec.getStats()).forEach((s) => {
					if (s.type !== 'inbound-rtp') return;
					if (kind === 'video') r.frames = s.framesDecoded || 0;
					else r.audioPackets = s.packetsReceived || 0;
				});
			}
			out[tile.dataset.user] = r;
		}
		return out;
	})()`, &tiles)
	return tiles
}

// tilesShowVideo: each of users has a tile whose video element shows
// decoded video (over 30 frames) and whose sound arrives.
func tilesShowVideo(tiles map[string]webTile, users ...string) bool {
	for _, u := range users {
		if tl, ok := tiles[u]; !ok || tl.Width == 0 || !tl.VideoShown || tl.Frames <= 30 || tl.AudioPackets == 0 {
			return false
		}
	}
	return true
}

// waitPage polls the page until ok holds or timeout passes, and reports
// whether it held.
func waitPage(timeout time.Duration, ok func() bool) bool {
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// peerMedia is what a parley-cli summary counted of one other
// participant's media: "peers":{"bob":{...}}.
func peerMedia(s cliLine, user string) (frames, packets float64) {
	peers, _ := s["peers"].(map[string]any)
	p, _ := peers[user].(map[string]any)
	return cliLine(p).num("video_frames_decoded"), cliLine(p).num("audio_packets_received")
}

// TestBrowserGroupVideoCall: the browser's bob places a video call in a
// group; parley-cli's alice and carol answer it. The page shows a tile
// with decoded video and sound from each, and its own preview; each CLI
// decodes the browser's video. When alice leaves, her tile goes; when
// bob hangs up, the call ends for carol.
func TestBrowserGroupVideoCall(t *testing.T) {
	srv := harness.StartServer(t, "")
	webUsers(t, srv, "alice", "bob", "carol")
	group := "group:" + strings.TrimSpace(cli(t, srv, "alice", "group", "create", "Team", "bob", "carol"))
	b := webtest.Start(t, webtest.Options{})
	b.SignIn(srv.URL, "bob", "pw-bob")
	b.Wait(`.conversation[data-id="`+group+`"]`, "Team", 10*time.Second)
	b.Click(`.conversation[data-id="` + group + `"]`)
	b.Wait("#chat-title", "Team", 5*time.Second)
	// Who the page ever lit as speaking.
	b.Eval(`(() => {
		window.__spoke = {};
		new MutationObserver(() => {
			document.querySelectorAll('#grid .tile.speaking').forEach((t) => { window.__spoke[t.dataset.user] = true; });
		}).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
		return true;
	})()`, new(bool))

	// alice leaves after a while, on her own; carol stays until the call ends.
	alice := startCLI(t, srv, "alice", "answer", "--test-media", "--wait", "60s", "--hold", "40s")
	carol := startCLI(t, srv, "carol", "answer", "--test-media", "--wait", "60s", "--hold", "10m")
	b.Call("video")
	placed := time.Now()
	b.Wait("#incall.group #grid .tile.self", "You", 30*time.Second)

	var tiles map[string]webTile
	if !waitPage(60*time.Second, func() bool { tiles = webTiles(t, b); return tilesShowVideo(tiles, "alice", "carol") }) {
		t.Fatalf("the page's tiles: %+v; want decoded video and sound from alice and carol\npage log:\n%s",
			tiles, strings.Join(b.Console(), "\n"))
	}
	t.Logf("the page's tiles %s after the call was placed: %+v", time.Since(placed).Round(time.Millisecond), tiles)
	var selfWidth float64
	b.Eval(`document.querySelector('#grid .tile.self video').videoWidth`, &selfWidth)
	if selfWidth == 0 {
		t.Errorf("the page's own preview shows no video")
	}

	// alice's hold ends: she leaves, and her tile goes.
	s := summaryOf(t, alice.wait(t))
	t.Logf("alice's summary: %v", s)
	if f, p := peerMedia(s, "bob"); s.str("outcome") != "completed" || f <= 0 || p <= 0 {
		t.Errorf("alice's summary: %v; want video frames and audio from bob", s)
	}
	if !waitPage(20*time.Second, func() bool { return b.Count(`#grid .tile[data-user="alice"]`) == 0 }) {
		t.Errorf("alice's tile stayed after she left")
	}
	if n := b.Count(`#grid .tile[data-user="carol"]`); n != 1 {
		t.Errorf("%d tiles of carol after alice left", n)
	}

	// bob hangs up: carol is alone, and the call ends.
	b.Click("#hangup")
	s = summaryOf(t, carol.wait(t))
	t.Logf("carol's summary: %v", s)
	if f, p := peerMedia(s, "bob"); s.str("outcome") != "completed" || f <= 0 || p <= 0 {
		t.Errorf("carol's summary: %v; want video frames and audio from bob", s)
	}
	b.Wait(".message.call-record .text", "Video call · Duration", 10*time.Second)
	var open int
	b.Eval(`window.__pcs.filter((pc) => pc.connectionState !== 'closed').length`, &open)
	if open != 0 {
		t.Errorf("%d peer connections left open after the call", open)
	}
	var spoke map[string]bool
	b.Eval(`window.__spoke`, &spoke)
	t.Logf("tiles lit as speaking: %v", spoke)
	checkPageClean(t, b)
}

// TestBrowserGroupAnswerLeaveAndRejoin: parley-cli's alice rings
// the group; the browser's bob and parley-cli's carol answer. Bob hangs
// up while the others go on, then comes back with the chat's Join button:
// his page gets a new connection to the SFU and sees the others again,
// and both CLIs decode his video.
func TestBrowserGroupAnswerLeaveAndRejoin(t *testing.T) {
	srv := harness.StartServer(t, "")
	webUsers(t, srv, "alice", "bob", "carol")
	group := "group:" + strings.TrimSpace(cli(t, srv, "alice", "group", "create", "Team", "bob", "carol"))
	b := webtest.Start(t, webtest.Options{})
	b.SignIn(srv.URL, "bob", "pw-bob")
	b.Wait(`.conversation[data-id="`+group+`"]`, "Team", 10*time.Second)
	b.Click(`.conversation[data-id="` + group + `"]`)
	b.Wait("#chat-title", "Team", 5*time.Second)

	carol := startCLI(t, srv, "carol", "answer", "--test-media", "--wait", "60s", "--hold", "10m")
	alice := startCLI(t, srv, "alice", "call", group, "--video", "--test-media", "--hold", "60s")
	b.Wait("#incoming h2", "alice invites you to a video call in Team", 30*time.Second)
	b.Wait("#invite-others", "with carol", 5*time.Second)
	b.Click("#accept")
	accepted := time.Now()
	var tiles map[string]webTile
	if !waitPage(60*time.Second, func() bool { tiles = webTiles(t, b); return tilesShowVideo(tiles, "alice", "carol") }) {
		t.Fatalf("the page's tiles: %+v; want decoded video and sound from alice and carol\npage log:\n%s",
			tiles, strings.Join(b.Console(), "\n"))
	}
	t.Logf("the page's tiles %s after the accept: %+v", time.Since(accepted).Round(time.Millisecond), tiles)

	// Bob leaves; the call goes on without him, and the chat offers it.
	b.Click("#hangup")
	b.Wait("#join-call", "Join video call", 15*time.Second)
	b.Click("#join-call")
	// carol stays to the end; alice, whose hold runs, may be gone already
	// on a slow machine.
	if !waitPage(60*time.Second, func() bool { tiles = webTiles(t, b); return tilesShowVideo(tiles, "carol") }) {
		t.Fatalf("after joining again, the page's tiles: %+v; want decoded video and sound from carol\npage log:\n%s",
			tiles, strings.Join(b.Console(), "\n"))
	}
	t.Logf("the page's tiles %s after the accept, having joined again: %+v", time.Since(accepted).Round(time.Millisecond), tiles)
	var open int
	b.Eval(`window.__pcs.filter((pc) => pc.connectionState !== 'closed').length`, &open)
	if open != 1 {
		t.Errorf("%d peer connections open; want the one to the SFU", open)
	}

	s := summaryOf(t, alice.wait(t))
	t.Logf("alice's summary: %v", s)
	if f, p := peerMedia(s, "bob"); s.str("outcome") != "completed" || f <= 0 || p <= 0 {
		t.Errorf("alice's summary: %v; want video frames and audio from bob", s)
	}
	if !waitPage(20*time.Second, func() bool { return b.Count(`#grid .tile[data-user="alice"]`) == 0 }) {
		t.Errorf("alice's tile stayed after she left")
	}
	b.Click("#hangup")
	s = summaryOf(t, carol.wait(t))
	t.Logf("carol's summary: %v", s)
	if f, p := peerMedia(s, "bob"); s.str("outcome") != "completed" || f <= 0 || p <= 0 {
		t.Errorf("carol's summary: %v; want video frames and audio from bob", s)
	}
	b.Wait(".message.call-record .text", "Video call · Duration", 10*time.Second)
	checkPageClean(t, b)
}
