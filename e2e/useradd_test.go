package e2e

import (
	"context"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
	"parley/protocol"
)

// TestUserAddLeavesLiveCallsAlone: `parley-server user add` beside a
// running server, on the same store, ends none of its calls: a call that
// rang through it completes and has one record, "completed".
func TestUserAddLeavesLiveCallsAlone(t *testing.T) {
	t.Parallel()
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice", "bob")
	alice, bob := dial(t, srv.URL, "alice"), dial(t, srv.URL, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var placed protocol.CallReply
	if err := alice.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, &placed); err != nil {
		t.Fatal(err)
	}
	id := placed.Call.ID
	waitFor(t, bob, protocol.TypeCallIncoming, incoming(id))

	srv.AddUser("carol", "pw-carol")

	for _, step := range []struct {
		c   *client.Client
		typ string
	}{{bob, protocol.TypeCallAccept}, {alice, protocol.TypeCallHangup}} {
		if err := step.c.Request(ctx, step.typ, protocol.CallRef{CallID: id}, nil); err != nil {
			t.Fatalf("%s: %v", step.typ, err)
		}
	}
	// The first record bob hears of is the one that counts: before, user
	// add had stored one saying "failed" while the call rang.
	ev := waitFor(t, bob, protocol.TypeChatMessage, func(ev client.Event) bool {
		var m protocol.Message
		return ev.Decode(&m) == nil && m.CallID == id
	})
	var first protocol.Message
	_ = ev.Decode(&first)
	if first.Outcome != protocol.OutcomeCompleted {
		t.Errorf("bob heard of the call's record %+v; want completed", first)
	}
	var records []protocol.Message
	for _, m := range history(t, bob, "direct:alice:bob") {
		if m.Type == protocol.KindCallRecord && m.CallID == id {
			records = append(records, m)
		}
	}
	if len(records) != 1 || records[0].Outcome != protocol.OutcomeCompleted {
		t.Errorf("records of the call %+v; want one, completed", records)
	}
}
