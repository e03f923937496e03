package e2e

import "testing"

// TestCLIAnswerHoldsPastItsWait: answer's --wait bounds the wait for the
// invite, not the call. A call answered within it is held for --hold, hung
// up by answer, and summed up on both sides; answer exits 0.
func TestCLIAnswerHoldsPastItsWait(t *testing.T) {
	t.Parallel()
	srv := cliServer(t, "alice", "bob")
	const wait, hold = 3000, 6000 // ms: bob's --wait and --hold
	// alice would hold the call far longer: bob's --hold ends it.
	c, a := pair(t, srv, "alice", []string{"bob", "--hold", "60s", "--test-media"},
		"bob", []string{"--wait", "3s", "--hold", "6s", "--test-media"})
	if len(events(t, a, "hangup_sent")) != 1 {
		t.Fatalf("answer did not hang up:\n%s", a)
	}
	if s := summaryOf(t, a); s.str("outcome") != "completed" || s.num("duration_ms") < hold {
		t.Fatalf("answer's summary %v, want completed after its %d ms hold", s, hold)
	}
	if s := summaryOf(t, c); s.str("outcome") != "completed" || s.num("duration_ms") <= wait {
		t.Fatalf("call's summary %v, want completed, longer than bob's %d ms wait", s, wait)
	}
}
