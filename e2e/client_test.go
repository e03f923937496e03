// Package e2e runs the real parley-server binary on loopback with a fresh
// SQLite file and drives it through client/ and the built parley-cli.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
	"parley/protocol"
)

func register(t *testing.T, url string, users ...string) {
	t.Helper()
	for _, u := range users {
		if err := client.Register(context.Background(), url, u, "pw-"+u); err != nil {
			t.Fatalf("register %s: %v", u, err)
		}
	}
}

func dial(t *testing.T, url, user string, opts ...func(*client.Options)) *client.Client {
	t.Helper()
	o := client.Options{BaseURL: url, User: user, Password: "pw-" + user, Device: user + "-dev",
		BackoffMin: 50 * time.Millisecond, BackoffMax: 300 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, o)
	if err != nil {
		t.Fatalf("dial %s: %v", user, err)
	}
	t.Cleanup(c.Close)
	return c
}

// waitFor reads events until one of typ satisfies ok.
func waitFor(t *testing.T, c *client.Client, typ string, ok func(client.Event) bool) client.Event {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev := <-c.Events():
			if ev.Type == typ && (ok == nil || ok(ev)) {
				return ev
			}
		case <-timeout:
			t.Fatalf("%s: no %s event", c.User(), typ)
		}
	}
}

func history(t *testing.T, c *client.Client, conv string) []protocol.Message {
	t.Helper()
	var h protocol.Messages
	if err := c.Request(context.Background(), protocol.TypeChatHistory, protocol.ChatHistory{Conversation: conv, Limit: 200}, &h); err != nil {
		t.Fatal(err)
	}
	return h.Messages
}

func TestChatRoundTripAndHistory(t *testing.T) {
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice", "bob")
	alice, bob := dial(t, srv.URL, "alice"), dial(t, srv.URL, "bob")
	conv := protocol.DirectConversation("alice", "bob")
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if _, err := alice.SendText(ctx, conv, fmt.Sprintf("hello %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var m protocol.Message
	waitFor(t, bob, protocol.TypeChatMessage, func(ev client.Event) bool {
		return ev.Decode(&m) == nil && m.Seq == 3
	})
	if m.Text != "hello 3" || m.From != "alice" {
		t.Fatalf("bob got %+v", m)
	}
	if _, err := bob.SendText(ctx, conv, "hi alice"); err != nil {
		t.Fatal(err)
	}
	got := history(t, alice, conv)
	if len(got) != 4 || got[0].Text != "hello 1" || got[3].Text != "hi alice" || got[3].Seq != 4 {
		t.Fatalf("history %+v", got)
	}
}

func TestResendIsStoredOnce(t *testing.T) {
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice", "bob")
	alice := dial(t, srv.URL, "alice")
	conv := protocol.DirectConversation("alice", "bob")
	send := protocol.ChatSend{Conversation: conv, ClientID: "same-id", Text: "only once"}
	var first, second protocol.ChatSendReply
	for _, r := range []*protocol.ChatSendReply{&first, &second} {
		if err := alice.Request(context.Background(), protocol.TypeChatSend, send, r); err != nil {
			t.Fatal(err)
		}
	}
	if first.Message.Seq != second.Message.Seq || len(history(t, alice, conv)) != 1 {
		t.Fatalf("resend stored twice: %+v %+v", first, second)
	}
}

// TestCatchUpAfterDrop cuts bob's network while alice writes; bob's client
// reconnects by itself and delivers every message it missed, once.
func TestCatchUpAfterDrop(t *testing.T) {
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice", "bob")
	proxy := harness.StartProxy(t, srv.Addr)
	alice := dial(t, srv.URL, "alice")
	bob := dial(t, "http://"+proxy.Addr, "bob")
	conv := protocol.DirectConversation("alice", "bob")
	ctx := context.Background()
	if _, err := alice.SendText(ctx, conv, "before"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, bob, protocol.TypeChatMessage, nil)

	proxy.Cut()
	waitFor(t, bob, client.EventDisconnected, nil)
	for i := 0; i < 5; i++ {
		if _, err := alice.SendText(ctx, conv, fmt.Sprintf("missed %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	proxy.Restore()
	seen := map[int64]int{}
	waitFor(t, bob, protocol.TypeChatMessage, func(ev client.Event) bool {
		var m protocol.Message
		_ = ev.Decode(&m)
		seen[m.Seq]++
		return m.Seq == 6
	})
	for seq := int64(2); seq <= 6; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("message %d delivered %d times (%v)", seq, seen[seq], seen)
		}
	}
}

// TestCallSignalingThroughClient runs a call between two client devices
// of bob: the first accept wins and the other device is told.
func TestCallOnTwoDevices(t *testing.T) {
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice", "bob")
	alice := dial(t, srv.URL, "alice")
	phone := dial(t, srv.URL, "bob", func(o *client.Options) { o.Device = "phone" })
	laptop := dial(t, srv.URL, "bob", func(o *client.Options) { o.Device = "laptop" })
	ctx := context.Background()
	var placed protocol.CallReply
	if err := alice.Request(ctx, protocol.TypeCallInvite, protocol.CallInvite{
		Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaVideo}, &placed); err != nil {
		t.Fatal(err)
	}
	var inc protocol.CallIncoming
	waitFor(t, phone, protocol.TypeCallIncoming, nil).Decode(&inc)
	waitFor(t, laptop, protocol.TypeCallIncoming, nil)
	if left := phone.TimeLeft(inc.Call.DeadlineFor("bob")); inc.Call.ID != placed.Call.ID || left <= 0 || left > 30*time.Second {
		t.Fatalf("incoming %+v", inc)
	}
	if err := laptop.Request(ctx, protocol.TypeCallAccept, protocol.CallRef{CallID: inc.Call.ID}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, phone, protocol.TypeCallUpdate, func(ev client.Event) bool {
		var u protocol.CallUpdate
		return ev.Decode(&u) == nil && u.Event == protocol.EventAnsweredElsewhere
	})
	err := phone.Request(ctx, protocol.TypeCallAccept, protocol.CallRef{CallID: inc.Call.ID}, nil)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeConflict {
		t.Fatalf("second accept: %v", err)
	}
	if err := alice.Request(ctx, protocol.TypeCallHangup, protocol.CallRef{CallID: inc.Call.ID}, nil); err != nil {
		t.Fatal(err)
	}
	var rec protocol.Message
	waitFor(t, phone, protocol.TypeChatMessage, func(ev client.Event) bool {
		return ev.Decode(&rec) == nil && rec.Type == protocol.KindCallRecord
	})
	if rec.Outcome != protocol.OutcomeCompleted || rec.Media != protocol.MediaVideo || rec.CallID != inc.Call.ID {
		t.Fatalf("record %+v", rec)
	}
}

// TestClockOffsetIsSmallOnOneMachine checks the client's estimate against
// a server on the same clock.
func TestClockOffsetIsSmallOnOneMachine(t *testing.T) {
	srv := harness.StartServer(t, "")
	register(t, srv.URL, "alice")
	alice := dial(t, srv.URL, "alice")
	if off := alice.ClockOffset(); off > time.Second || off < -time.Second {
		t.Fatalf("offset %s on one machine", off)
	}
}
