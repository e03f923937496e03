package e2e

import (
	"strings"
	"testing"
)

// groupMedia are the media flags of every CLI in a group call: small
// video, so that five encoders and twenty decoders fit two cores.
var groupMedia = []string{"--test-media", "--video-size", "320x240", "--fps", "15"}

// peerCounts returns what the summary s says came from user.
func peerCounts(s cliLine, user string) (frames, packets float64) {
	peers, _ := s["peers"].(map[string]any)
	p, _ := peers[user].(map[string]any)
	f, _ := p["video_frames_decoded"].(float64)
	a, _ := p["audio_packets_received"].(float64)
	return f, a
}

// TestCLIGroupVideoCall: four CLIs in one group video call through the
// SFU, each receiving video and sound from each of the three others; a
// fifth joins late and gets everybody's, and everybody gets its; one
// hangs up early, and the others go on receiving from each other. One
// reaches the SFU through the TURN relay only.
func TestCLIGroupVideoCall(t *testing.T) {
	srv := cliServer(t, "alice", "bob", "carol", "dave", "erin")
	group := "group:" + strings.TrimSpace(cli(t, srv, "alice", "group", "create", "team", "bob", "carol", "dave", "erin"))

	// Holds count from connecting: dave leaves first, erin joins while
	// he is still there and leaves before the three who stay.
	hold := map[string]string{"bob": "16s", "carol": "16s", "dave": "7s"}
	answers := map[string]*cliProcess{}
	for _, u := range []string{"bob", "carol", "dave"} {
		args := append([]string{"answer", "--wait", "60s", "--hold", hold[u]}, groupMedia...)
		if u == "carol" {
			// Behind a NAT that lets only the server's TURN relay through:
			// the relay reaches the SFU's media port.
			args = append(args, "--relay-only")
		}
		answers[u] = startCLI(t, srv, u, args...)
		waitOnline(t, srv, "alice", u)
	}
	alice := startCLI(t, srv, "alice", append([]string{"call", group, "bob", "carol", "dave", "--video", "--hold", "16s"}, groupMedia...)...)
	alice.waitFor(t, `"event":"connected"`)
	for _, u := range []string{"bob", "carol", "dave"} {
		answers[u].waitFor(t, `"event":"connected"`)
	}
	erin := startCLI(t, srv, "erin", append([]string{"join", group, "--hold", "6s"}, groupMedia...)...)

	outs := map[string]string{"alice": alice.wait(t), "erin": erin.wait(t)}
	for u, p := range answers {
		outs[u] = p.wait(t)
	}
	summaries := map[string]cliLine{}
	for u, out := range outs {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" {
			t.Errorf("%s: outcome %v", u, s)
		}
		summaries[u] = s
	}
	for u, s := range summaries {
		for from := range summaries {
			if from == u {
				continue
			}
			// Everybody overlaps for a few seconds at least; dave and
			// erin overlap only until dave leaves.
			if f, a := peerCounts(s, from); f < 10 || a < 25 {
				t.Errorf("%s got %v video frames and %v audio packets from %s: %v", u, f, a, from, s["peers"])
			}
		}
	}
	// Those who stay hear each other for about twice as long as dave.
	for _, u := range []string{"alice", "bob", "carol"} {
		other := "bob"
		if u == "bob" {
			other = "carol"
		}
		_, fromOther := peerCounts(summaries[u], other)
		_, fromDave := peerCounts(summaries[u], "dave")
		if fromOther < fromDave*3/2 {
			t.Errorf("%s: %v audio packets from %s, %v from dave who left early: dave's media did not stop, or the others' did", u, fromOther, other, fromDave)
		}
	}
	if n := len(events(t, outs["erin"], "join_sent")); n != 1 {
		t.Errorf("erin printed join_sent %d times", n)
	}
}
