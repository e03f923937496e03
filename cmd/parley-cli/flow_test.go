package main

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"parley/client"
	"parley/protocol"
)

// fakeSig plays the server for a call flow: script answers each request and
// may queue the events that follow it.
type fakeSig struct {
	user     string
	events   chan client.Event
	requests []string
	script   func(s *fakeSig, typ string) (protocol.Call, error)
}

func (s *fakeSig) Request(ctx context.Context, typ string, payload, reply any) error {
	s.requests = append(s.requests, typ)
	c, err := s.script(s, typ)
	if r, ok := reply.(*protocol.CallReply); ok && err == nil {
		r.Call = c
	}
	return err
}

func (s *fakeSig) Events() <-chan client.Event { return s.events }
func (s *fakeSig) User() string                { return s.user }
func (s *fakeSig) Device() string              { return "dev1" }

func (s *fakeSig) push(typ string, payload any) {
	raw, _ := json.Marshal(payload)
	s.events <- client.Event{Type: typ, Payload: raw}
}

func (s *fakeSig) update(event, user string, c protocol.Call) {
	s.push(protocol.TypeCallUpdate, protocol.CallUpdate{Call: c, Event: event, User: user})
}

// call builds a snapshot of call c1; parts are "user=state" or
// "user=state@device".
func call(state, outcome string, parts ...string) protocol.Call {
	c := protocol.Call{ID: "c1", Conversation: "direct:alice:bob", Media: protocol.MediaAudio, Caller: "alice", State: state, Outcome: outcome}
	for _, p := range parts {
		user, st, _ := strings.Cut(p, "=")
		st, device, _ := strings.Cut(st, "@")
		c.Participants = append(c.Participants, protocol.Participant{User: user, State: st, Device: device})
	}
	return c
}

var (
	ringing   = call(protocol.CallRinging, "", "alice=joined@dev1", "bob=ringing")
	active    = call(protocol.CallActive, "", "alice=joined@dev1", "bob=joined@dev1")
	completed = call(protocol.CallEnded, protocol.OutcomeCompleted, "alice=left", "bob=left")
)

func TestCallFlow(t *testing.T) {
	tests := []struct {
		name        string
		me          string
		answer      bool // answer rather than call
		decline     bool
		hold        time.Duration
		cancelAfter time.Duration
		script      func(s *fakeSig, typ string) (protocol.Call, error)
		events      []string // the event lines, in order
		outcome     string
		connected   bool
		requests    []string
	}{
		{
			name: "call completed", me: "alice", hold: 10 * time.Millisecond,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				switch typ {
				case protocol.TypeCallInvite:
					s.update(protocol.EventInvited, "alice", ringing)
					s.update(protocol.EventRinging, "bob", ringing)
					s.update(protocol.EventAccepted, "bob", active)
					return call(protocol.CallRinging, "", "alice=joined@dev1", "bob=invited"), nil
				case protocol.TypeCallHangup:
					s.update(protocol.EventLeft, "alice", completed)
					s.update(protocol.EventEnded, "", completed)
					return completed, nil
				}
				return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "unexpected %s", typ)
			},
			events:    []string{"invite_sent", "invited", "ringing", "accepted", "connected", "hangup_sent", "left", "ended"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallInvite, protocol.TypeCallHangup},
		},
		{
			name: "call declined", me: "alice", hold: time.Hour,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				declined := call(protocol.CallEnded, protocol.OutcomeDeclined, "alice=left", "bob=declined")
				s.update(protocol.EventRinging, "bob", ringing)
				s.update(protocol.EventDeclined, "bob", declined)
				s.update(protocol.EventEnded, "", declined)
				return ringing, nil
			},
			events:   []string{"invite_sent", "ringing", "declined", "ended"},
			outcome:  protocol.OutcomeDeclined,
			requests: []string{protocol.TypeCallInvite},
		},
		{
			name: "callee busy at once", me: "alice", hold: time.Hour,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				busy := call(protocol.CallEnded, protocol.OutcomeBusy, "alice=left", "bob=busy")
				s.update(protocol.EventInvited, "alice", busy)
				s.update(protocol.EventBusy, "bob", busy)
				s.update(protocol.EventEnded, "", busy)
				return busy, nil
			},
			events:   []string{"invite_sent", "invited", "busy", "ended"},
			outcome:  protocol.OutcomeBusy,
			requests: []string{protocol.TypeCallInvite},
		},
		{
			name: "call cancelled", me: "alice", hold: time.Hour, cancelAfter: 10 * time.Millisecond,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				if typ == protocol.TypeCallInvite {
					s.update(protocol.EventRinging, "bob", ringing)
					return ringing, nil
				}
				cancelled := call(protocol.CallEnded, protocol.OutcomeCancelled, "alice=left", "bob=cancelled")
				s.update(protocol.EventCancelled, "alice", cancelled)
				s.update(protocol.EventEnded, "", cancelled)
				return cancelled, nil
			},
			events:   []string{"invite_sent", "ringing", "cancel_sent", "cancelled", "ended"},
			outcome:  protocol.OutcomeCancelled,
			requests: []string{protocol.TypeCallInvite, protocol.TypeCallCancel},
		},
		{
			name: "callee hangs up first", me: "alice", hold: time.Hour,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				s.update(protocol.EventAccepted, "bob", active)
				s.update(protocol.EventLeft, "bob", completed)
				s.update(protocol.EventEnded, "", completed)
				return ringing, nil
			},
			events:    []string{"invite_sent", "accepted", "connected", "left", "ended"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallInvite},
		},
		{
			name: "ended event lost", me: "alice", hold: 10 * time.Millisecond,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				if typ == protocol.TypeCallInvite {
					s.update(protocol.EventAccepted, "bob", active)
					return ringing, nil
				}
				return completed, nil
			},
			events:    []string{"invite_sent", "accepted", "connected", "hangup_sent"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallInvite, protocol.TypeCallHangup},
		},
		{
			name: "leaving a group call that goes on", me: "alice", hold: 10 * time.Millisecond,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				if typ == protocol.TypeCallInvite {
					s.update(protocol.EventAccepted, "bob", active)
					return ringing, nil
				}
				return call(protocol.CallActive, "", "alice=left", "bob=joined@x", "carol=joined@y"), nil
			},
			events:    []string{"invite_sent", "accepted", "connected", "hangup_sent"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallInvite, protocol.TypeCallHangup},
		},
		{
			name: "answer, the caller hangs up", me: "bob", answer: true, hold: time.Hour,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				s.update(protocol.EventAccepted, "bob", active)
				s.update(protocol.EventLeft, "alice", completed)
				s.update(protocol.EventEnded, "", completed)
				return active, nil
			},
			events:    []string{"incoming", "accept_sent", "connected", "accepted", "left", "ended"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallAccept},
		},
		{
			name: "answer and hang up", me: "bob", answer: true, hold: 10 * time.Millisecond,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				if typ == protocol.TypeCallAccept {
					return active, nil
				}
				// The server's snapshot for "left" predates the end.
				s.update(protocol.EventLeft, "bob", call(protocol.CallActive, "", "alice=joined@dev1", "bob=left"))
				s.update(protocol.EventEnded, "", completed)
				return completed, nil
			},
			events:    []string{"incoming", "accept_sent", "connected", "hangup_sent", "left", "ended"},
			outcome:   protocol.OutcomeCompleted,
			connected: true,
			requests:  []string{protocol.TypeCallAccept, protocol.TypeCallHangup},
		},
		{
			name: "decline", me: "bob", answer: true, decline: true,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				declined := call(protocol.CallEnded, protocol.OutcomeDeclined, "alice=left", "bob=declined")
				s.update(protocol.EventDeclined, "bob", call(protocol.CallRinging, "", "alice=joined@dev1", "bob=declined"))
				s.update(protocol.EventEnded, "", declined)
				return declined, nil
			},
			events:   []string{"incoming", "decline_sent", "declined", "ended"},
			outcome:  protocol.OutcomeDeclined,
			requests: []string{protocol.TypeCallDecline},
		},
		{
			name: "answered on another device", me: "bob", answer: true, hold: time.Hour,
			script: func(s *fakeSig, typ string) (protocol.Call, error) {
				s.update(protocol.EventAnsweredElsewhere, "bob", call(protocol.CallActive, "", "alice=joined@dev1", "bob=joined@phone"))
				return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "the call was answered on another device")
			},
			events:   []string{"incoming", "accept_failed", "answered_elsewhere"},
			outcome:  protocol.OutcomeCompleted,
			requests: []string{protocol.TypeCallAccept},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSig{user: tt.me, events: make(chan client.Event, 64), script: tt.script}
			var stdout bytes.Buffer
			f := newCallFlow(s, newPrinter(&stdout), tt.hold)
			f.grace = 20 * time.Millisecond
			var err error
			if tt.answer {
				s.push(client.EventConnected, client.ConnState{})
				s.push(protocol.TypeCallIncoming, protocol.CallIncoming{Call: ringing, TimeLeftMS: 30000})
				err = f.answer(t.Context(), time.Second, tt.decline)
			} else {
				err = f.place(t.Context(), &protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, tt.cancelAfter)
			}
			if err != nil {
				t.Fatal(err)
			}
			events, sum := readLines(t, stdout.String())
			if !reflect.DeepEqual(events, tt.events) {
				t.Errorf("events %q; want %q", events, tt.events)
			}
			if sum.CallID != "c1" || sum.Outcome != tt.outcome || sum.SetupMS < 0 || sum.DurationMS < 0 {
				t.Errorf("summary %+v; want call c1, outcome %s", sum, tt.outcome)
			}
			if !tt.connected && (sum.SetupMS != 0 || sum.DurationMS != 0) {
				t.Errorf("summary %+v: never connected, yet timed", sum)
			}
			if !reflect.DeepEqual(s.requests, tt.requests) {
				t.Errorf("requests %q; want %q", s.requests, tt.requests)
			}
		})
	}
}

// readLines returns the event names of the output, checking that each line
// is JSON with a time and that the summary comes last.
func readLines(t *testing.T, out string) ([]string, summary) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var events []string
	for _, l := range lines[:len(lines)-1] {
		var ev line
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Event == "" || ev.TimeMS == 0 {
			t.Fatalf("bad event line %q: %v", l, err)
		}
		events = append(events, ev.Event)
	}
	var sum summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || !sum.Summary {
		t.Fatalf("last line %q is not the summary: %v", lines[len(lines)-1], err)
	}
	return events, sum
}

func TestAnswerWaitsInVain(t *testing.T) {
	s := &fakeSig{user: "bob", events: make(chan client.Event, 1)}
	var stdout bytes.Buffer
	err := newCallFlow(s, newPrinter(&stdout), 0).answer(t.Context(), 20*time.Millisecond, false)
	if err == nil || !strings.Contains(err.Error(), "no incoming call within 20ms") {
		t.Errorf("got %v; want no incoming call", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("printed %q", stdout.String())
	}
}

func TestInterruptedCallHangsUp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s := &fakeSig{user: "alice", events: make(chan client.Event, 8), script: func(s *fakeSig, typ string) (protocol.Call, error) {
		if typ == protocol.TypeCallInvite {
			cancel() // as if the person pressed ^C while it rang
		}
		return ringing, nil
	}}
	var stdout bytes.Buffer
	err := newCallFlow(s, newPrinter(&stdout), time.Hour).place(ctx, &protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaAudio}, 0)
	if err == nil {
		t.Error("an interrupted call succeeded")
	}
	if want := []string{protocol.TypeCallInvite, protocol.TypeCallHangup}; !reflect.DeepEqual(s.requests, want) {
		t.Errorf("requests %q; want %q", s.requests, want)
	}
}
