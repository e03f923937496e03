package e2e

import (
	"strings"
	"testing"

	"parley/client"
	"parley/internal/harness"
	"parley/protocol"
)

// TestTwoNodesGroupCallCarriesMedia: alice and carol on node one, bob on
// node two, each with parley-cli, in a group video call that alice places
// on node one, which owns it and its SFU room. bob's media.join and
// media.signal go to node one through NATS, the SFU's offers and
// candidates come back to him the same way, and his media goes to node
// one's media port. Everybody receives video and sound from each of the
// two others, on both nodes, and everybody gets the call's completed
// record. (Not parallel, as the other media tests: real encoding.)
func TestTwoNodesGroupCallCarriesMedia(t *testing.T) {
	one, two := twoNodes(t)
	nodeOf := map[string]*harness.Server{"alice": one, "bob": two, "carol": one}
	for u, srv := range nodeOf {
		cli(t, srv, u, "register")
	}
	group := "group:" + strings.TrimSpace(cli(t, one, "alice", "group", "create", "team", "bob", "carol"))

	// Holds count from connecting, so all three overlap for most of it.
	answers := map[string]*cliProcess{}
	for _, u := range []string{"bob", "carol"} {
		answers[u] = startCLI(t, nodeOf[u], u, append([]string{"answer", "--wait", "60s", "--hold", "15s"}, groupMedia...)...)
		waitOnline(t, one, "alice", u) // for bob: node one has heard he is on node two
	}
	alice := startCLI(t, one, "alice", append([]string{"call", group, "bob", "carol", "--video", "--hold", "15s"}, groupMedia...)...)

	outs := map[string]string{"alice": alice.wait(t)}
	for u, p := range answers {
		outs[u] = p.wait(t)
	}
	summaries := map[string]cliLine{}
	id := summaryOf(t, outs["alice"]).str("call_id")
	for u, out := range outs {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.str("call_id") != id {
			t.Errorf("%s: %v; want call %s completed", u, s, id)
		}
		summaries[u] = s
		t.Logf("%s received %v", u, s["peers"])
	}
	for u, s := range summaries {
		for from := range summaries {
			if from == u {
				continue
			}
			// About 15 s together at 15 fps and 50 packets a second: far
			// more than these unless media stops crossing the nodes.
			if f, a := peerCounts(s, from); f < 20 || a < 100 {
				t.Errorf("%s (node %s) got %v video frames and %v audio packets from %s (node %s): %v",
					u, nodeName(one, nodeOf[u]), f, a, from, nodeName(one, nodeOf[from]), s["peers"])
			}
		}
	}
	if t.Failed() {
		t.Logf("node one:\n%s\nnode two:\n%s", one.Log(), two.Log())
	}
	for u, srv := range nodeOf {
		if r := groupRecord(t, srv, u, group, id); r.Outcome != protocol.OutcomeCompleted || r.DurationMS <= 0 {
			t.Errorf("%s's record of the call, on node %s: %+v", u, nodeName(one, srv), r)
		}
	}
}

func nodeName(one, srv *harness.Server) string {
	if srv == one {
		return "one"
	}
	return "two"
}

// groupRecord is the record of call id in conv, as user's device on srv
// gets it: from the history, or, when it is not written yet, as it
// arrives (the device is connected before the history is read, so it
// cannot slip between the two).
func groupRecord(t *testing.T, srv *harness.Server, user, conv, id string) protocol.Message {
	t.Helper()
	c := dial(t, srv.URL, user)
	for _, m := range history(t, c, conv) {
		if m.Type == protocol.KindCallRecord && m.CallID == id {
			return m
		}
	}
	var m protocol.Message
	waitFor(t, c, protocol.TypeChatMessage, func(ev client.Event) bool {
		return ev.Decode(&m) == nil && m.Type == protocol.KindCallRecord && m.CallID == id
	})
	return m
}
