package media

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestStatsPollerLivesAsLongAsItsSession: the peer's hang-up (its DTLS
// close_notify) must not close this side's PeerConnection behind its
// Session, whose stats poller would then poll a closed one ("the agent is
// closed" logged every StatsInterval) until the engine closes the Session.
// This side sees its peer go quiet, as after a crash, and its stats say
// the connection is down; once its Session is closed, nothing of it runs.
func TestStatsPollerLivesAsLongAsItsSession(t *testing.T) {
	// Registered first, so it runs last: after newCall's cleanup has
	// closed both Sessions and ended its relays.
	running := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, running) })

	states, stats := make(chan State, 16), make(chan Stats, 16)
	cfg := audioConfig()
	// Pion calls OnState on goroutines of its own; neither callback may
	// block once the test has stopped listening.
	cfg.OnState = func(st State) { offer(states, st) }
	cfg.OnStats = func(st Stats) { offer(stats, st) }
	c := newCall(t, cfg, audioConfig())
	c.accept(t)
	c.callee.Close()
	deadline := time.After(patience)
	for gone := false; ; {
		select {
		case st := <-states:
			switch st {
			case StateClosed:
				t.Fatal("the peer's hang-up closed the PeerConnection under its open Session")
			case StateDisconnected, StateFailed:
				gone = true
			}
		case st := <-stats:
			if gone && st.Quality == QualityDown {
				return
			}
		case <-deadline:
			t.Fatal("gave up waiting for the stats to say that the callee is gone")
		}
	}
}

// offer sends v unless ch is full.
func offer[T any](ch chan<- T, v T) {
	select {
	case ch <- v:
	default:
	}
}
