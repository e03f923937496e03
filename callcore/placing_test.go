package callcore

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"parley/client"
	"parley/protocol"
)

// slowInvite is a server connection whose call.invite (or call.join)
// reply is held back until the test lets it go, as a loaded server's is
// while it stores the call: the call's events get to the caller first.
type slowInvite struct {
	asked   chan struct{} // closed when the invite is sent
	release chan struct{} // closing it lets the reply come
	reply   protocol.Call
	once    sync.Once
}

func (s *slowInvite) Request(ctx context.Context, typ string, payload, reply any) error {
	if typ != protocol.TypeCallInvite && typ != protocol.TypeCallJoin {
		return nil
	}
	s.once.Do(func() { close(s.asked) })
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	raw, _ := json.Marshal(protocol.CallReply{Call: s.reply})
	return json.Unmarshal(raw, reply)
}

func (s *slowInvite) TimeLeft(deadlineMS int64) time.Duration {
	return time.Until(time.UnixMilli(deadlineMS))
}
func (s *slowInvite) User() string                     { return "alice" }
func (s *slowInvite) Device() string                   { return "laptop" }
func (s *slowInvite) ICEServers() []protocol.ICEServer { return nil }
func (s *slowInvite) RootCAs() *x509.CertPool          { return nil }

// TestEventsBeforeTheInviteReply: the callee declines so fast that the
// call has ended before the caller's invite is answered. The caller must
// end too, not ring on a call the server has closed.
func TestEventsBeforeTheInviteReply(t *testing.T) {
	ringing := protocol.Call{ID: "c1", Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaAudio,
		Caller: "alice", State: protocol.CallRinging, DeadlineMS: time.Now().Add(30 * time.Second).UnixMilli(),
		Participants: []protocol.Participant{{User: "alice", Device: "laptop", State: protocol.StateJoined},
			{User: "bob", State: protocol.StateInvited}}}
	ended := ringing
	ended.State, ended.Outcome = protocol.CallEnded, protocol.OutcomeDeclined
	ended.Participants = []protocol.Participant{ringing.Participants[0], {User: "bob", State: protocol.StateDeclined}}

	sig := &slowInvite{asked: make(chan struct{}), release: make(chan struct{}), reply: ringing}
	events := make(chan Event, 64)
	p := New(sig, Config{TestMedia: true, OnEvent: func(ev Event) { events <- ev }})
	defer p.Close()
	placed := make(chan error, 1)
	go func() {
		_, err := p.Call(ringing.Conversation, protocol.MediaAudio, nil, 0)
		placed <- err
	}()
	<-sig.asked
	for _, u := range []protocol.CallUpdate{
		{Call: ringing, Event: protocol.EventInvited, User: "alice"},
		{Call: ended, Event: protocol.EventDeclined, User: "bob"},
		{Call: ended, Event: protocol.EventEnded},
	} {
		raw, _ := json.Marshal(u)
		p.HandleEvent(client.Event{Type: protocol.TypeCallUpdate, Payload: raw})
	}
	close(sig.release)
	if err := <-placed; err != nil {
		t.Fatal(err)
	}
	if st, c := p.State(); st != Idle || c.Outcome != protocol.OutcomeDeclined {
		t.Fatalf("after the reply: %s, outcome %q; want idle after a declined call", st, c.Outcome)
	}
	var states []State
	for len(events) > 0 {
		if ev := <-events; ev.Type == EventState {
			states = append(states, ev.State)
		}
	}
	if want := []State{Outgoing, Ended, Idle}; len(states) != len(want) || states[0] != want[0] || states[1] != want[1] || states[2] != want[2] {
		t.Errorf("states %v; want %v", states, want)
	}
}

// TestGroupCallEndsBeforeTheJoinReply: the group call ends just as this
// device joins it. The join fails and the engine is idle, not in a call
// that is over.
func TestGroupCallEndsBeforeTheJoinReply(t *testing.T) {
	ended := protocol.Call{ID: "g1", Conversation: "group:team", Group: true, Media: protocol.MediaAudio,
		Caller: "bob", State: protocol.CallEnded, Outcome: protocol.OutcomeCompleted,
		Participants: []protocol.Participant{{User: "bob", State: protocol.StateLeft}}}
	joined := ended
	joined.State, joined.Outcome = protocol.CallActive, ""
	joined.Participants = []protocol.Participant{{User: "bob", State: protocol.StateJoined},
		{User: "alice", Device: "laptop", State: protocol.StateJoined}}

	sig := &slowInvite{asked: make(chan struct{}), release: make(chan struct{}), reply: joined}
	p := New(sig, Config{TestMedia: true})
	defer p.Close()
	done := make(chan error, 1)
	go func() { done <- p.Join("g1") }()
	<-sig.asked
	raw, _ := json.Marshal(protocol.CallUpdate{Call: ended, Event: protocol.EventEnded})
	p.HandleEvent(client.Event{Type: protocol.TypeCallUpdate, Payload: raw})
	close(sig.release)
	if err := <-done; err != ErrNoCall {
		t.Fatalf("join of a call that ended: %v; want ErrNoCall", err)
	}
	if st, _ := p.State(); st != Idle {
		t.Fatalf("state %s after the call ended; want idle", st)
	}
}
