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

// scripted is bob's connection to a server whose replies the test sets:
// an error, or a call, per request type; other requests succeed.
type scripted struct {
	mu      sync.Mutex
	replies map[string]protocol.Call
	errs    map[string]error
}

func (s *scripted) Request(ctx context.Context, typ string, payload, reply any) error {
	s.mu.Lock()
	c, ok := s.replies[typ]
	err := s.errs[typ]
	s.mu.Unlock()
	if err != nil || !ok || reply == nil {
		return err
	}
	raw, _ := json.Marshal(protocol.CallReply{Call: c})
	return json.Unmarshal(raw, reply)
}

func (s *scripted) fail(typ string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[typ] = err
}

func (s *scripted) TimeLeft(deadlineMS int64) time.Duration {
	return time.Until(time.UnixMilli(deadlineMS))
}
func (s *scripted) User() string                     { return "bob" }
func (s *scripted) Device() string                   { return "phone" }
func (s *scripted) ICEServers() []protocol.ICEServer { return nil }
func (s *scripted) RootCAs() *x509.CertPool          { return nil }

// answeredCall is alice's voice call as bob has it once he answered it.
func answeredCall() protocol.Call {
	return protocol.Call{ID: "c1", Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaAudio,
		Caller: "alice", State: protocol.CallActive, DeadlineMS: time.Now().Add(30 * time.Second).UnixMilli(),
		StartedMS: time.Now().UnixMilli(),
		Participants: []protocol.Participant{{User: "alice", Device: "laptop", State: protocol.StateJoined},
			{User: "bob", Device: "phone", State: protocol.StateJoined}}}
}

// inCall returns bob's Phone in alice's call, which he answered: media to
// her device is on its way, on a real session. events gets what the Phone
// says from then on.
func inCall(t *testing.T) (*Phone, *scripted, <-chan Event) {
	t.Helper()
	call := answeredCall()
	srv := &scripted{replies: map[string]protocol.Call{protocol.TypeCallAccept: call}, errs: map[string]error{}}
	events := make(chan Event, 256)
	p := New(srv, Config{TestMedia: true, LoopbackOnly: true, OnEvent: func(ev Event) {
		select {
		case events <- ev:
		default:
			t.Errorf("event buffer full")
		}
	}})
	t.Cleanup(p.Close)
	ringing := call
	ringing.State, ringing.StartedMS = protocol.CallRinging, 0
	ringing.Participants = []protocol.Participant{call.Participants[0], {User: "bob", State: protocol.StateRinging}}
	handle(p, protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing})
	if err := p.Accept(false); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.State(); st != Connecting && st != Active {
		t.Fatalf("state %s after accepting", st)
	}
	for len(events) > 0 {
		<-events
	}
	return p, srv, events
}

// handle passes the Phone a server event with payload.
func handle(p *Phone, typ string, payload any) {
	raw, _ := json.Marshal(payload)
	p.HandleEvent(client.Event{Type: typ, Payload: raw})
}

// ended returns the outcome of the Ended event among events so far, and
// whether there was one.
func ended(events <-chan Event) (string, bool) {
	for len(events) > 0 {
		if ev := <-events; ev.Type == EventState && ev.State == Ended {
			return ev.Outcome, true
		}
	}
	return "", false
}

// checkEnded checks that the call is over here, with outcome, and its
// media closed.
func checkEnded(t *testing.T, p *Phone, events <-chan Event, outcome string) {
	t.Helper()
	if got, ok := ended(events); !ok || got != outcome {
		t.Errorf("ended: %v, outcome %q; want outcome %q", ok, got, outcome)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != Idle || len(p.peers) != 0 || p.chosen != nil {
		t.Errorf("state %s with %d media links; want idle with none", p.state, len(p.peers))
	}
}

// TestReconnectKeepsOnlyACallTheServerRestates: signaling drops mid-call
// while media goes on. After the reconnect the server restates the calls
// it has; one it does not has ended, as its record says, or, with no
// record (a restarted server forgot it), as failed.
func TestReconnectKeepsOnlyACallTheServerRestates(t *testing.T) {
	call := answeredCall()
	record := protocol.Message{Conversation: call.Conversation, Seq: 7, From: "alice", Type: protocol.KindCallRecord,
		CallID: call.ID, Media: call.Media, Outcome: protocol.OutcomeCompleted, DurationMS: 5000}
	tests := []struct {
		name string
		// sent is what the server sends after the welcome.
		sent    func(p *Phone)
		outcome string // "": the call goes on
	}{
		{"restated", func(p *Phone) {
			handle(p, protocol.TypeCallUpdate, protocol.CallUpdate{Event: protocol.EventState, Call: call})
		}, ""},
		{"not restated, no record", func(*Phone) {}, protocol.OutcomeFailed},
		{"not restated, recorded", func(p *Phone) { handle(p, protocol.TypeChatMessage, record) }, protocol.OutcomeCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, events := inCall(t)
			p.HandleEvent(client.Event{Type: client.EventDisconnected})
			p.HandleEvent(client.Event{Type: client.EventReconnected})
			tt.sent(p)
			p.HandleEvent(client.Event{Type: client.EventCaughtUp})
			if tt.outcome != "" {
				checkEnded(t, p, events, tt.outcome)
				return
			}
			if st, c := p.State(); (st != Connecting && st != Active) || c.ID != call.ID {
				t.Errorf("state %s in call %q; want the call to go on", st, c.ID)
			}
			if outcome, ok := ended(events); ok {
				t.Errorf("the call ended (%s)", outcome)
			}
		})
	}
}

// TestHangupOfACallTheServerNoLongerHas: the hangup is answered not_found
// (the call ended, or a restarted server forgot it). The call ends here at
// once, as a hangup's would.
func TestHangupOfACallTheServerNoLongerHas(t *testing.T) {
	p, srv, events := inCall(t)
	srv.fail(protocol.TypeCallHangup, protocol.Errorf(protocol.CodeNotFound, "no live call c1"))
	if err := p.Hangup(); err != nil {
		t.Fatal(err)
	}
	checkEnded(t, p, events, protocol.OutcomeCompleted)
}
