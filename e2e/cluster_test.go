package e2e

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
	"parley/internal/natstest"
	"parley/internal/pgtest"
	"parley/protocol"
)

// TestTwoNodes: two parley-server processes on one PostgreSQL database and
// one NATS server. alice is on node one (and, with a second device, on node
// two), bob on node two: they see each other come and go, chat both ways
// with each message arriving once and in order on every device, and get
// each other's group updates. When node one dies, bob sees alice go.
func TestTwoNodes(t *testing.T) {
	t.Parallel()
	db := pgtest.Start(t).NewDatabase(t)
	nats := natstest.Start(t)
	one := harness.StartServer(t, "", "--db", db, "--nats", nats)
	two := harness.StartServer(t, "", "--db", db, "--nats", nats)
	register(t, one.URL, "alice", "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const conv = "direct:alice:bob"

	// A first message makes them contacts, whom presence goes to.
	alice := dial(t, one.URL, "alice")
	if _, err := alice.SendText(ctx, conv, "hello"); err != nil {
		t.Fatal(err)
	}
	bob := dial(t, two.URL, "bob")
	alice.Close()
	waitFor(t, bob, protocol.TypePresence, presence("alice", false))
	alice = dial(t, one.URL, "alice")
	waitFor(t, bob, protocol.TypePresence, presence("alice", true))
	aliceTwo := dial(t, two.URL, "alice", func(o *client.Options) { o.Device = "alice-dev2" })

	for _, tc := range []struct {
		name string
		from *client.Client
		to   map[string]*client.Client
	}{
		{"alice", alice, map[string]*client.Client{"bob": bob, "alice's other device": aliceTwo}},
		{"bob", bob, map[string]*client.Client{"alice": alice, "alice's other device": aliceTwo}},
	} {
		sent := sendQuickly(t, ctx, tc.from, conv, 50)
		for name, c := range tc.to {
			got := chatMessages(t, c, len(sent))
			for i, m := range got {
				if m.Seq != sent[i].Seq || m.Text != sent[i].Text {
					t.Fatalf("%s's message %d from %s is seq %d %q; want seq %d %q: each once, in order",
						name, i, tc.name, m.Seq, m.Text, sent[i].Seq, sent[i].Text)
				}
			}
		}
	}

	var group protocol.ConversationReply
	if err := alice.Request(ctx, protocol.TypeGroupCreate, protocol.GroupCreate{Name: "Team", Members: []string{"bob"}}, &group); err != nil {
		t.Fatal(err)
	}
	waitFor(t, bob, protocol.TypeGroupUpdate, func(ev client.Event) bool {
		var got protocol.ConversationReply
		return ev.Decode(&got) == nil && got.Conversation.ID == group.Conversation.ID
	})

	// A node that dies says nothing: the others drop its users once its
	// heartbeats stop. alice's device on node two keeps her online.
	aliceTwo.Close()
	waitFor(t, bob, protocol.TypePresence, presence("alice", true))
	one.Kill()
	waitFor(t, bob, protocol.TypePresence, presence("alice", false))
}

func presence(user string, online bool) func(client.Event) bool {
	return func(ev client.Event) bool {
		var p protocol.Presence
		return ev.Decode(&p) == nil && p.User == user && p.Online == online
	}
}

// sendQuickly sends n messages at once, each from its own goroutine, and
// returns them as stored, in seq order.
func sendQuickly(t *testing.T, ctx context.Context, c *client.Client, conv string, n int) []protocol.Message {
	t.Helper()
	sent := make([]protocol.Message, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sent[i], errs[i] = c.SendText(ctx, conv, fmt.Sprintf("%s %d", c.User(), i)) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(sent, func(a, b protocol.Message) int { return cmp.Compare(a.Seq, b.Seq) })
	return sent
}

// chatMessages reads the next n chat messages c is handed.
func chatMessages(t *testing.T, c *client.Client, n int) []protocol.Message {
	t.Helper()
	out := make([]protocol.Message, 0, n)
	for len(out) < n {
		var m protocol.Message
		if err := waitFor(t, c, protocol.TypeChatMessage, nil).Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
