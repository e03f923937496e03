package e2e

import "testing"

// The media tests run one at a time: each is a real call with VP8 and Opus
// encoding on both sides, and this machine has two cores.

func TestCLIVideoCallCarriesMediaBothWays(t *testing.T) {
	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--video", "--hold", "5s", "--test-media"}, "bob", []string{"--test-media"})
	for who, out := range map[string]string{"bob": c, "alice": a} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") < 60 || s.num("audio_packets_received") < 100 || s.num("setup_ms") <= 0 {
			t.Errorf("from %s: %v", who, s)
		}
		// One entry, the other user's, holding the totals.
		if f, p := peerCounts(s, who); f != s.num("video_frames_decoded") || p != s.num("audio_packets_received") {
			t.Errorf("from %s: peers %v", who, s["peers"])
		}
	}
}

func TestCLIAudioCallCarriesNoVideo(t *testing.T) {
	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--hold", "3s", "--test-media"}, "bob", []string{"--test-media"})
	for who, out := range map[string]string{"caller": c, "callee": a} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") != 0 || s.num("audio_packets_received") < 50 {
			t.Errorf("%s: %v", who, s)
		}
	}
}

// TestCLISwitchToAudioStopsVideo switches 2 s into a video call; the last
// stats of each side (the two seconds before the hang up) show no video.
func TestCLISwitchToAudioStopsVideo(t *testing.T) {
	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--video", "--hold", "7s", "--switch-to-audio-after", "2s", "--test-media"},
		"bob", []string{"--test-media", "--hold", "30s"})
	for who, out := range map[string]string{"caller": c, "callee": a} {
		if len(events(t, out, "switched_to_audio")) == 0 {
			t.Errorf("%s was not told of the switch", who)
		}
		st := events(t, out, "stats")
		if len(st) < 2 {
			t.Fatalf("%s: too few stats: %v", who, st)
		}
		last := st[len(st)-1]["stats"].(map[string]any)
		if last["frame_rate"].(float64) != 0 {
			t.Errorf("%s: video still decoded after the switch: %v", who, last)
		}
		s := summaryOf(t, out)
		if s.num("video_frames_decoded") == 0 || s.num("audio_packets_received") < 100 {
			t.Errorf("%s: %v", who, s)
		}
	}
}

// TestCLIMuteStopsAudioLeaving mutes bob one second into a five-second
// call: alice gets far fewer audio packets than bob does.
func TestCLIMuteStopsAudioLeaving(t *testing.T) {
	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--hold", "5s", "--test-media"}, "bob", []string{"--test-media", "--mute-after", "1s"})
	fromBob, fromAlice := summaryOf(t, c).num("audio_packets_received"), summaryOf(t, a).num("audio_packets_received")
	// 50 packets a second: about 50-100 before the mute, about 250 unmuted.
	if fromAlice < 200 || fromBob > 150 || fromBob == 0 {
		t.Fatalf("audio packets: alice got %v from muted bob, bob got %v from alice", fromBob, fromAlice)
	}
	if len(events(t, c, "media_state")) == 0 {
		t.Error("alice was not told that bob muted")
	}
}

// TestCLICallThroughTURN forces both sides to relay-only ICE: media must
// go through the server's TURN service.
func TestCLICallThroughTURN(t *testing.T) {
	srv := cliServer(t, "alice", "bob")
	c, a := pair(t, srv, "alice", []string{"bob", "--video", "--hold", "3s", "--test-media", "--relay-only"},
		"bob", []string{"--test-media", "--relay-only"})
	for who, out := range map[string]string{"caller": c, "callee": a} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") < 30 || s.num("audio_packets_received") < 50 {
			t.Errorf("%s: %v", who, s)
		}
	}
}
