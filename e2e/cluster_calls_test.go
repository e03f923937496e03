package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
	"parley/internal/natstest"
	"parley/internal/pgtest"
	"parley/protocol"
)

// twoNodes starts two parley-server processes on one PostgreSQL database
// and one NATS server.
func twoNodes(t *testing.T) (one, two *harness.Server) {
	t.Helper()
	db := pgtest.Start(t).NewDatabase(t)
	nats := natstest.Start(t)
	return harness.StartServer(t, "", "--db", db, "--nats", nats), harness.StartServer(t, "", "--db", db, "--nats", nats)
}

// TestTwoNodesCallCarriesMedia: alice on node one calls bob on node two,
// each with parley-cli. The call, owned by node one, carries video and
// audio both ways, and both have its completed record. (Not parallel, as
// the other media tests: real encoding on both sides.)
func TestTwoNodesCallCarriesMedia(t *testing.T) {
	one, two := twoNodes(t)
	cli(t, one, "alice", "register")
	cli(t, two, "bob", "register")
	media := []string{"--test-media", "--video-size", "320x240"}

	var answerOut string
	var wg sync.WaitGroup
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, errOut, code := two.CLI(ctx, "bob", append([]string{"answer", "--wait", "60s"}, media...)...)
		if code != 0 {
			t.Errorf("answer on node two: exit %d: %s\n%s", code, errOut, out)
		}
		answerOut = out
	})
	waitOnline(t, one, "alice", "bob") // node one knows bob is on node two
	callOut := cli(t, one, "alice", append([]string{"call", "bob", "--video", "--hold", "5s"}, media...)...)
	wg.Wait()
	for who, out := range map[string]string{"alice, on node one": callOut, "bob, on node two": answerOut} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") < 30 || s.num("audio_packets_received") < 100 {
			t.Errorf("%s: %v", who, s)
		}
	}
	for _, tc := range []struct {
		srv        *harness.Server
		user, peer string
	}{{one, "alice", "bob"}, {two, "bob", "alice"}} {
		if r := lastRecord(t, tc.srv, tc.user, tc.peer); r.str("outcome") != "completed" {
			t.Errorf("%s's record of the call: %v", tc.user, r)
		}
	}
}

// TestTwoNodesBusyAnsweredElsewhereAndLateDevice: alice on node one calls
// bob, who has a device on each node; he answers on node two and his
// device on node one stops ringing. carol on node two calling bob gets
// busy. dave, offline when alice calls him, rings when he connects to
// node two.
func TestTwoNodesBusyAnsweredElsewhereAndLateDevice(t *testing.T) {
	t.Parallel()
	one, two := twoNodes(t)
	register(t, one.URL, "alice", "bob", "carol", "dave")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	alice := dial(t, one.URL, "alice")
	bobTwo := dial(t, two.URL, "bob", func(o *client.Options) { o.Device = "bob-two" })
	bobOne := dial(t, one.URL, "bob", func(o *client.Options) { o.Device = "bob-one" })
	carol := dial(t, two.URL, "carol")

	var placed protocol.CallReply
	if err := alice.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, &placed); err != nil {
		t.Fatal(err)
	}
	id := placed.Call.ID
	waitFor(t, bobTwo, protocol.TypeCallIncoming, incoming(id))
	waitFor(t, bobOne, protocol.TypeCallIncoming, incoming(id))
	if err := bobTwo.Request(ctx, protocol.TypeCallAccept, protocol.CallRef{CallID: id}, nil); err != nil {
		t.Fatalf("bob accepting on node two a call of node one: %v", err)
	}
	waitFor(t, bobOne, protocol.TypeCallUpdate, update(id, protocol.EventAnsweredElsewhere))
	waitFor(t, alice, protocol.TypeCallUpdate, update(id, protocol.EventAccepted))
	var pe *protocol.Error
	if err := bobOne.Request(ctx, protocol.TypeCallAccept, protocol.CallRef{CallID: id}, nil); !errors.As(err, &pe) || pe.Code != protocol.CodeConflict {
		t.Errorf("bob's second accept, on node one: %v; want conflict", err)
	}

	var busy protocol.CallReply
	if err := carol.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:bob:carol", Media: protocol.MediaAudio}, &busy); err != nil {
		t.Fatal(err)
	}
	if busy.Call.Outcome != protocol.OutcomeBusy {
		t.Errorf("carol calling bob, in a call of the other node: %+v; want busy", busy.Call)
	}
	if err := alice.Request(ctx, protocol.TypeCallHangup, protocol.CallRef{CallID: id}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, bobTwo, protocol.TypeCallUpdate, update(id, protocol.EventEnded))

	if err := alice.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:dave", Media: protocol.MediaAudio}, &placed); err != nil {
		t.Fatal(err)
	}
	dave := dial(t, two.URL, "dave")
	waitFor(t, dave, protocol.TypeCallIncoming, incoming(placed.Call.ID))
	waitFor(t, alice, protocol.TypeCallUpdate, update(placed.Call.ID, protocol.EventRinging))
}

func incoming(id string) func(client.Event) bool {
	return func(ev client.Event) bool {
		var in protocol.CallIncoming
		return ev.Decode(&in) == nil && in.Call.ID == id
	}
}

func update(id, event string) func(client.Event) bool {
	return func(ev client.Event) bool {
		var u protocol.CallUpdate
		return ev.Decode(&u) == nil && u.Call.ID == id && u.Event == event
	}
}

// TestTwoNodesOwnerDiesWhileRinging: node one, which owns alice's call to
// bob, is killed while bob rings on node two. Node two ends the call with
// one failed record once node one's lease runs out, tells bob it ended,
// and bob is free for carol's call.
func TestTwoNodesOwnerDiesWhileRinging(t *testing.T) {
	t.Parallel()
	one, two := twoNodes(t)
	register(t, one.URL, "alice", "bob", "carol")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice := dial(t, one.URL, "alice")
	bob := dial(t, two.URL, "bob")
	carol := dial(t, two.URL, "carol")

	var placed protocol.CallReply
	if err := alice.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, &placed); err != nil {
		t.Fatal(err)
	}
	id := placed.Call.ID
	waitFor(t, bob, protocol.TypeCallIncoming, incoming(id))
	one.Kill()

	records := func() []protocol.Message {
		var out []protocol.Message
		for _, m := range history(t, bob, "direct:alice:bob") {
			if m.Type == protocol.KindCallRecord && m.CallID == id {
				out = append(out, m)
			}
		}
		return out
	}
	deadline := time.Now().Add(90 * time.Second)
	for len(records()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no record of the call of the killed node:\n%s", two.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// bob's app stops ringing: the node that stored the record says the
	// call ended (sent right after the record, so it is queued by now).
	var ended protocol.CallUpdate
	_ = waitFor(t, bob, protocol.TypeCallUpdate, update(id, protocol.EventEnded)).Decode(&ended)
	if ps := ended.Call.Participants; ended.Call.Outcome != protocol.OutcomeFailed || len(ps) != 2 || ps[0].User != "alice" || ps[1].User != "bob" {
		t.Errorf("bob was told the call ended with %+v; want failed, alice and bob", ended.Call)
	}

	var call protocol.CallReply
	if err := carol.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:bob:carol", Media: protocol.MediaAudio}, &call); err != nil {
		t.Fatal(err)
	}
	if call.Call.Outcome == protocol.OutcomeBusy {
		t.Fatalf("bob is busy in the call of the killed node: %+v", call.Call)
	}
	waitFor(t, bob, protocol.TypeCallIncoming, incoming(call.Call.ID))
	if rs := records(); len(rs) != 1 || rs[0].Outcome != protocol.OutcomeFailed {
		t.Errorf("records of the call of the killed node: %+v; want one, failed", rs)
	}
}
