package e2e

import (
	"testing"
	"time"

	"parley/web/webtest"
)

// The call screens' controls, against parley-cli: cancel while it rings,
// answer with voice, and mute, camera off and switch to voice in a call.

// eventsBy counts parley-cli's event lines named event caused by user.
func eventsBy(t *testing.T, out, event, user string) int {
	n := 0
	for _, l := range events(t, out, event) {
		if l.str("user") == user {
			n++
		}
	}
	return n
}

func TestBrowserCancelsWhileItRings(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := startCLI(t, srv, "alice", "answer", "--wait", "60s", "--ring", "30s", "--test-media")
	b.Call("video")
	b.Wait("#outgoing h2", "Calling alice", 10*time.Second)
	b.Wait("#outgoing-status", "Ringing", 30*time.Second)
	b.Click("#cancel")
	b.Wait(".message.call-record .text", "Canceled", 10*time.Second)
	if s := summaryOf(t, alice.wait(t)); s.str("outcome") != "cancelled" {
		t.Errorf("alice's summary: %v", s)
	}
}

func TestBrowserAnswersWithVoice(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := cliRingsBrowser(t, srv, b, "--video", "--hold", "4s")
	b.Wait("#incoming #accept-voice", "Answer with voice", 20*time.Second)
	b.Click("#accept-voice")
	b.Wait("#incall #timer", "00:0", 30*time.Second)
	if n := b.Count("#camera:not([hidden]), #to-voice:not([hidden]), #remote-video:not([hidden])"); n != 0 {
		t.Errorf("%d video controls shown in a voice call", n)
	}
	out := alice.wait(t)
	s := summaryOf(t, out)
	if eventsBy(t, out, "switched_to_audio", "bob") != 1 || s.str("outcome") != "completed" ||
		s.num("video_frames_decoded") != 0 || s.num("audio_packets_received") == 0 {
		t.Errorf("alice got no switch, or video, or no audio:\n%s", out)
	}
	b.Wait(".message.call-record .text", "Voice call · Duration", 10*time.Second)
}

func TestBrowserMuteCameraOffAndSwitchToVoice(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := browserCallsCLI(t, srv, b, "video", "--wait", "60s", "--hold", "60s")
	b.Click("#mute")
	b.Wait("#mute", "Unmute", 5*time.Second)
	b.Click("#camera")
	b.Wait("#camera", "Camera on", 5*time.Second)
	b.Click("#to-voice")
	deadline := time.Now().Add(5 * time.Second)
	for b.Count("#to-voice:not([hidden])") > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var sending []string
	b.Eval(`window.__pcs.filter((p) => p.connectionState === 'connected')
		.flatMap((p) => p.getSenders()).filter((s) => s.track && s.track.readyState === 'live').map((s) => s.track.kind)`, &sending)
	if len(sending) != 1 || sending[0] != "audio" {
		t.Errorf("the page sends %v after the switch; want audio only", sending)
	}
	b.Click("#hangup")
	out := alice.wait(t)
	if eventsBy(t, out, "media_state", "bob") != 2 || eventsBy(t, out, "switched_to_audio", "bob") != 1 ||
		summaryOf(t, out).str("outcome") != "completed" {
		t.Errorf("alice was not told of mute, camera off and the switch:\n%s", out)
	}
	b.Wait(".message.call-record .text", "Voice call · Duration", 10*time.Second)
	checkPageClean(t, b)
}
