package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/internal/natstest"
	"parley/protocol"
)

// startNodes starts n servers on one data directory and one NATS server,
// as the nodes of one cluster. A device that drops out of a call has a
// short grace, so that a test sees it leave.
func startNodes(t *testing.T, n int) []*testServer {
	t.Helper()
	url, dir := natstest.Start(t), t.TempDir()
	nodes := make([]*testServer, n)
	for i := range nodes {
		cfg := testConfig(t, Config{NATS: url, ReconnectGrace: time.Second})
		cfg.DataDir = dir
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = serve(t, s)
	}
	return nodes
}

// presenceOf reads events up to the presence of user that says online.
func (p *peer) presenceOf(user string, online bool) protocol.Presence {
	p.t.Helper()
	var pr protocol.Presence
	p.until(fmt.Sprintf("presence of %s online=%v", user, online), func(env *protocol.Envelope) bool {
		if env.Type != protocol.TypePresence {
			return false
		}
		if err := json.Unmarshal(env.Payload, &pr); err != nil {
			p.t.Fatal(err)
		}
		return pr.User == user && pr.Online == online
	})
	return pr
}

// messages reads the next n chat.message events, skipping other events,
// and fails on a reply.
func (p *peer) messages(n int) []protocol.Message {
	p.t.Helper()
	var out []protocol.Message
	for len(out) < n {
		env := p.until("chat.message", func(env *protocol.Envelope) bool { return env.Type == protocol.TypeChatMessage })
		var m protocol.Message
		if err := json.Unmarshal(env.Payload, &m); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// quiet checks that nothing but presence comes for a moment: what it
// waits for, a frame that should not come, cannot be waited on.
func (p *peer) quiet() {
	p.t.Helper()
	_ = p.ws.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	for {
		_, data, err := p.ws.ReadMessage()
		if err != nil {
			return
		}
		var env protocol.Envelope
		_ = json.Unmarshal(data, &env)
		if env.Type != protocol.TypePresence {
			p.t.Fatalf("unexpected frame %s", data)
		}
	}
}

// sendAll sends texts to conv without waiting in between, then reads the
// replies, and returns the stored messages.
func (p *peer) sendAll(conv string, texts []string) []protocol.Message {
	p.t.Helper()
	first := p.n + 1
	for _, text := range texts {
		p.n++
		frame, _ := protocol.Encode(protocol.TypeChatSend, fmt.Sprint(p.n), protocol.ChatSend{Conversation: conv, ClientID: text, Text: text})
		p.sendRaw(string(frame))
	}
	var out []protocol.Message
	for id := first; id <= p.n; id++ {
		env := p.reply(fmt.Sprint(id))
		var r protocol.ChatSendReply
		if env.Type != protocol.TypeReply || json.Unmarshal(env.Payload, &r) != nil {
			p.t.Fatalf("chat.send: %+v", env.Error)
		}
		out = append(out, r.Message)
	}
	return out
}

// checkOrder fails unless got are want's messages, once each, in seq order.
func checkOrder(t *testing.T, who string, got, want []protocol.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s got %d messages; want %d", who, len(got), len(want))
	}
	for i := range got {
		if got[i].Seq != want[i].Seq || got[i].Text != want[i].Text || (i > 0 && got[i].Seq <= got[i-1].Seq) {
			t.Fatalf("%s's message %d is seq %d %q; want seq %d %q, in order", who, i, got[i].Seq, got[i].Text, want[i].Seq, want[i].Text)
		}
	}
}

func TestNodesShareChatAndPresence(t *testing.T) {
	t.Parallel()
	nodes := startNodes(t, 2)
	one, two := nodes[0], nodes[1]
	const conv = "direct:alice:bob"
	two.token("bob") // registers bob

	// A conversation first: presence goes to contacts.
	alice := one.connect("alice", "a1")
	alice.ok(protocol.TypeChatSend, protocol.ChatSend{Conversation: conv, ClientID: "hello", Text: "hello"}, nil)
	bob := two.connect("bob", "b1")
	deadline := time.Now().Add(20 * time.Second)
	for !bob.presenceQuery("alice").Online {
		if time.Now().After(deadline) {
			t.Fatal("bob never sees alice online on the other node")
		}
		time.Sleep(20 * time.Millisecond)
	}
	alice.ws.Close()
	bob.presenceOf("alice", false)
	alice = one.connect("alice", "a1")
	if pr := bob.presenceOf("alice", true); pr.Devices != 1 {
		t.Errorf("alice online on %d devices; want 1", pr.Devices)
	}

	// Each side sends 50 without waiting: the other gets each once, in
	// order.
	for _, tc := range []struct {
		name     string
		from, to *peer
	}{{"alice to bob", alice, bob}, {"bob to alice", bob, alice}} {
		var texts []string
		for i := range 50 {
			texts = append(texts, fmt.Sprintf("%s-%d", strings.ReplaceAll(tc.name, " ", "-"), i))
		}
		sent := tc.from.sendAll(conv, texts)
		checkOrder(t, tc.name, tc.to.messages(len(sent)), sent)
	}
	bob.quiet()
	alice.quiet()
}

func TestNodesShareGroupsAndDevices(t *testing.T) {
	t.Parallel()
	nodes := startNodes(t, 2)
	one, two := nodes[0], nodes[1]

	// carol has a device on each node; alice and bob are on one each.
	one.token("bob")
	one.token("carol")
	alice := one.connect("alice", "a1")
	bob := two.connect("bob", "b1")
	carolHere, carolThere := one.connect("carol", "c1"), two.connect("carol", "c2")

	var created protocol.ConversationReply
	alice.ok(protocol.TypeGroupCreate, protocol.GroupCreate{Name: "Team", Members: []string{"alice", "bob", "carol"}}, &created)
	for name, p := range map[string]*peer{"bob": bob, "carol on node 1": carolHere, "carol on node 2": carolThere} {
		env := p.event(protocol.TypeGroupUpdate)
		var got protocol.ConversationReply
		if err := json.Unmarshal(env.Payload, &got); err != nil || got.Conversation.ID != created.Conversation.ID {
			t.Errorf("%s got group.update %s; want %s", name, env.Payload, created.Conversation.ID)
		}
	}

	// Each message reaches every device of every member once, the
	// sender's own device excepted (it has the message in its reply).
	conv := created.Conversation.ID
	devices := map[string]*peer{"alice": alice, "bob": bob, "carol on node 1": carolHere, "carol on node 2": carolThere}
	for _, tc := range []struct {
		from  string
		texts []string
	}{{"bob", []string{"one", "two", "three"}}, {"alice", []string{"four"}}, {"carol on node 2", []string{"five"}}} {
		sent := devices[tc.from].sendAll(conv, tc.texts)
		for name, p := range devices {
			if name != tc.from {
				checkOrder(t, name, p.messages(len(sent)), sent)
			}
		}
	}
	for _, p := range devices {
		p.quiet()
	}
}

func (p *peer) presenceQuery(user string) protocol.Presence {
	p.t.Helper()
	var r protocol.PresenceReply
	p.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{user}}, &r)
	return r.Users[0]
}

// update reads events up to the call.update of call id with event.
func (p *peer) update(id, event string) protocol.CallUpdate {
	p.t.Helper()
	var u protocol.CallUpdate
	p.until(fmt.Sprintf("call.update %s of %s", event, id), func(env *protocol.Envelope) bool {
		u = protocol.CallUpdate{}
		return env.Type == protocol.TypeCallUpdate && json.Unmarshal(env.Payload, &u) == nil &&
			u.Call.ID == id && u.Event == event
	})
	return u
}

// incoming reads events up to the call.incoming of call id.
func (p *peer) incoming(id string) {
	p.t.Helper()
	p.until("call.incoming "+id, func(env *protocol.Envelope) bool {
		var in protocol.CallIncoming
		return env.Type == protocol.TypeCallIncoming && json.Unmarshal(env.Payload, &in) == nil && in.Call.ID == id
	})
}

// online waits until node sees user online on as many devices.
func (ts *testServer) online(user string, devices int) {
	ts.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for ts.s.devices.presence(user).Devices != devices {
		if time.Now().After(deadline) {
			ts.t.Fatalf("never sees %s on %d devices", user, devices)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNodesShareCalls: alice on node one calls bob, who has a device on
// each node. Both ring; negotiation crosses the nodes both ways; bob
// answers on node two and his device on node one stops ringing. carol, on
// node two, gets busy calling bob; once the call is over he is free. dave,
// offline, rings on connecting to node two, and his device dropping there
// leaves the call after the grace, as on one node.
func TestNodesShareCalls(t *testing.T) {
	t.Parallel()
	nodes := startNodes(t, 2)
	one, two := nodes[0], nodes[1]
	for _, u := range []string{"bob", "carol", "dave"} {
		one.token(u)
	}
	alice := one.connect("alice", "a1")
	bobThere, bobHere := two.connect("bob", "b1"), one.connect("bob", "b2")
	carol := two.connect("carol", "c1")
	one.online("bob", 2)

	var placed protocol.CallReply
	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, &placed)
	id := placed.Call.ID
	bobThere.incoming(id)
	bobHere.incoming(id)

	bobThere.ok(protocol.TypeCallSignal, protocol.CallSignal{CallID: id, To: "alice", Kind: protocol.SignalOffer, SDP: "offer"}, nil)
	var sig protocol.CallSignal
	if err := json.Unmarshal(alice.event(protocol.TypeCallSignal).Payload, &sig); err != nil || sig.From != "bob" || sig.FromDevice != "b1" || sig.SDP != "offer" {
		t.Fatalf("alice got signal %+v (%v); want bob's offer from b1", sig, err)
	}
	alice.ok(protocol.TypeCallSignal, protocol.CallSignal{CallID: id, To: "bob", ToDevice: "b1", Kind: protocol.SignalAnswer, SDP: "answer"}, nil)
	if err := json.Unmarshal(bobThere.event(protocol.TypeCallSignal).Payload, &sig); err != nil || sig.From != "alice" || sig.SDP != "answer" {
		t.Fatalf("bob got signal %+v (%v); want alice's answer", sig, err)
	}

	var accepted protocol.CallReply
	bobThere.ok(protocol.TypeCallAccept, protocol.CallRef{CallID: id}, &accepted)
	if accepted.Call.State != protocol.CallActive {
		t.Fatalf("accepted on node two, the call is %s", accepted.Call.State)
	}
	alice.update(id, protocol.EventAccepted)
	bobHere.update(id, protocol.EventAnsweredElsewhere)
	bobHere.refused(protocol.CodeConflict, protocol.TypeCallAccept, protocol.CallRef{CallID: id})

	var busy protocol.CallReply
	carol.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:bob:carol", Media: protocol.MediaAudio}, &busy)
	if busy.Call.Outcome != protocol.OutcomeBusy {
		t.Errorf("carol calling bob in a call on the other node: outcome %q; want busy", busy.Call.Outcome)
	}

	bobThere.ok(protocol.TypeCallHangup, protocol.CallRef{CallID: id}, nil)
	alice.update(id, protocol.EventEnded)
	deadline := time.Now().Add(20 * time.Second)
	for two.s.nodes.Busy("bob") || two.s.nodes.Busy("alice") {
		if time.Now().After(deadline) {
			t.Fatal("node two still holds bob or alice busy after their call ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A call about a call id of the other node that is over.
	bobThere.refused(protocol.CodeNotFound, protocol.TypeCallAccept, protocol.CallRef{CallID: id})

	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: "direct:alice:dave", Media: protocol.MediaAudio}, &placed)
	id = placed.Call.ID
	dave := two.connect("dave", "d1")
	dave.incoming(id)
	alice.update(id, protocol.EventRinging)
	dave.ok(protocol.TypeCallAccept, protocol.CallRef{CallID: id}, nil)
	alice.update(id, protocol.EventAccepted)
	dave.ws.Close()
	if u := alice.update(id, protocol.EventLeft); u.User != "dave" {
		t.Errorf("%s left; want dave, whose device went", u.User)
	}
}
