package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"parley/client"
	"parley/protocol"
)

// signaling is what a call needs of the connection; *client.Client has it.
type signaling interface {
	Request(ctx context.Context, typ string, payload, reply any) error
	Events() <-chan client.Event
	User() string
	Device() string
}

// endGrace is how long a call flow waits for the server's ended event once
// a reply said the call was over (or a request about it failed), before it
// ends with what it knows.
const endGrace = 5 * time.Second

// callFlow is one call of this device from the invite, or the ring, to its
// end. It prints what happens as JSON lines and the summary last.
type callFlow struct {
	sig   signaling
	out   *printer
	me    string
	hold  time.Duration
	grace time.Duration

	caller    bool
	id        string
	setupFrom time.Time // the accept: sent (callee) or seen (caller)
	connected time.Time
	ended     time.Time
	final     string // the outcome a reply has shown, until the ended event confirms it
	outcome   string // set when the call is over for this device
	media     mediaStats

	// Timers; nil until armed.
	cancelAt <-chan time.Time // caller, while ringing: --cancel-after
	hangupAt <-chan time.Time // once connected: --hold
	giveUpAt <-chan time.Time // waiting for the ended event
}

func newCallFlow(sig signaling, out *printer, hold time.Duration) *callFlow {
	return &callFlow{sig: sig, out: out, me: sig.User(), hold: hold, grace: endGrace}
}

// place invites, then follows the call to its end.
func (f *callFlow) place(ctx context.Context, inv *protocol.CallInvite, cancelAfter time.Duration) error {
	f.caller = true
	var r protocol.CallReply
	if err := f.sig.Request(ctx, protocol.TypeCallInvite, inv, &r); err != nil {
		return fmt.Errorf("call.invite: %w", err)
	}
	f.id = r.Call.ID
	var invitees []string
	for _, p := range r.Call.Participants {
		if p.User != f.me {
			invitees = append(invitees, p.User)
		}
	}
	f.out.event(line{Event: "invite_sent", CallID: f.id, Conversation: r.Call.Conversation, Media: r.Call.Media, Invitees: invitees})
	if cancelAfter > 0 {
		f.cancelAt = time.After(cancelAfter)
	}
	f.observe(&r.Call)
	return f.follow(ctx)
}

// answer waits for a call to ring, accepts or declines it, then follows
// it to its end.
func (f *callFlow) answer(ctx context.Context, wait time.Duration, decline bool) error {
	inc, err := f.incoming(ctx, wait)
	if err != nil {
		return err
	}
	f.id = inc.Call.ID
	f.out.event(line{Event: "incoming", CallID: f.id, User: inc.Call.Caller, Conversation: inc.Call.Conversation,
		Media: inc.Call.Media, TimeLeftMS: inc.TimeLeftMS})
	if decline {
		f.act(ctx, protocol.TypeCallDecline, &protocol.CallDecline{CallID: f.id, Reason: protocol.ReasonDeclined}, "decline")
	} else {
		f.setupFrom = time.Now()
		if f.act(ctx, protocol.TypeCallAccept, &protocol.CallRef{CallID: f.id}, "accept") && f.outcome == "" {
			f.connect(ctx)
		}
	}
	return f.follow(ctx)
}

// incoming waits for the first call.incoming.
func (f *callFlow) incoming(ctx context.Context, wait time.Duration) (*protocol.CallIncoming, error) {
	timeout := time.After(wait)
	for {
		select {
		case ev, ok := <-f.sig.Events():
			if !ok {
				return nil, errors.New("the connection closed")
			}
			switch ev.Type {
			case protocol.TypeCallIncoming:
				var inc protocol.CallIncoming
				return &inc, ev.Decode(&inc)
			case client.EventDisconnected, client.EventReconnected:
				f.out.event(line{Event: ev.Type})
			}
		case <-timeout:
			return nil, fmt.Errorf("no incoming call within %v", wait)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// connect decides when an accepted call is connected. Until calls carry
// media the accept is the connection, so it is connected at once; the
// media issue negotiates here, and counts into f.media.
func (f *callFlow) connect(ctx context.Context) {
	f.connected = time.Now()
	f.cancelAt = nil
	f.hangupAt = time.After(f.hold)
	f.out.event(line{Event: "connected", CallID: f.id})
}

// follow handles the call's events and timers until it is over for this
// device, then prints the summary.
func (f *callFlow) follow(ctx context.Context) error {
	for f.outcome == "" {
		select {
		case ev, ok := <-f.sig.Events():
			if !ok {
				return errors.New("the connection closed")
			}
			f.handle(ctx, ev)
		case <-f.cancelAt:
			f.cancelAt = nil
			f.act(ctx, protocol.TypeCallCancel, &protocol.CallRef{CallID: f.id}, "cancel")
		case <-f.hangupAt:
			f.hangupAt = nil
			f.act(ctx, protocol.TypeCallHangup, &protocol.CallRef{CallID: f.id}, "hangup")
		case <-f.giveUpAt:
			f.finish(cmp.Or(f.final, protocol.OutcomeFailed))
		case <-ctx.Done():
			f.abandon(ctx)
			return ctx.Err()
		}
	}
	s := summary{Summary: true, CallID: f.id, Outcome: f.outcome, mediaStats: f.media}
	if !f.connected.IsZero() {
		s.SetupMS = f.connected.Sub(f.setupFrom).Milliseconds()
		s.DurationMS = f.ended.Sub(f.connected).Milliseconds()
	}
	f.out.json(s)
	return nil
}

func (f *callFlow) handle(ctx context.Context, ev client.Event) {
	switch ev.Type {
	case client.EventDisconnected, client.EventReconnected:
		f.out.event(line{Event: ev.Type, CallID: f.id})
	case protocol.TypeCallUpdate:
		var u protocol.CallUpdate
		if ev.Decode(&u) != nil || u.Call.ID != f.id {
			return
		}
		l := line{Event: u.Event, CallID: f.id, User: u.User}
		if p := u.Call.Participant(u.User); p != nil {
			l.Reason = p.Reason
		}
		if u.Event == protocol.EventEnded {
			l.Outcome = u.Call.Outcome
		}
		f.out.event(l)
		switch {
		case u.Event == protocol.EventEnded:
			f.finish(u.Call.Outcome)
		case u.Event == protocol.EventAccepted && f.caller && u.User != f.me && f.connected.IsZero():
			f.setupFrom = time.Now()
			f.connect(ctx)
		default:
			f.observe(&u.Call)
		}
	}
}

// act sends a request about the call, prints how it went and notes the
// call as the reply shows it. It reports whether the request succeeded.
func (f *callFlow) act(ctx context.Context, typ string, payload any, name string) bool {
	var r protocol.CallReply
	if err := f.sig.Request(ctx, typ, payload, &r); err != nil {
		f.out.event(line{Event: name + "_failed", CallID: f.id, Error: err.Error()})
		// Most likely the call is over already and its end is on the way.
		f.awaitEnd("")
		return false
	}
	f.out.event(line{Event: name + "_sent", CallID: f.id})
	f.observe(&r.Call)
	return true
}

// observe notes a snapshot of the call, from a reply or an update.
func (f *callFlow) observe(c *protocol.Call) {
	switch {
	case c.State == protocol.CallEnded:
		// Wait for the ended event, so that the events that led to the end
		// are printed first.
		f.awaitEnd(c.Outcome)
	case f.final != "":
		// An older snapshot (the server sends its updates before its reply)
		// of a call already known to be over.
	case !f.inCall(c):
		f.finish(outcomeFor(c, f.me))
	}
}

// inCall reports whether this device still takes part in c: invited, or
// joined from this device.
func (f *callFlow) inCall(c *protocol.Call) bool {
	p := c.Participant(f.me)
	if p == nil {
		return false
	}
	switch p.State {
	case protocol.StateInvited, protocol.StateRinging:
		return true
	case protocol.StateJoined:
		return p.Device == "" || p.Device == f.sig.Device()
	}
	return false
}

// outcomeFor is what a call that goes on without this device (answered on
// another device, left, declined in a group) came to for this user.
func outcomeFor(c *protocol.Call, me string) string {
	p := c.Participant(me)
	if p == nil {
		return protocol.OutcomeFailed
	}
	switch p.State {
	case protocol.StateJoined, protocol.StateLeft:
		return protocol.OutcomeCompleted
	case protocol.StateDeclined, protocol.StateBusy, protocol.StateNoAnswer, protocol.StateCancelled:
		return p.State // the participant states are named as the outcomes
	}
	return protocol.OutcomeFailed
}

func (f *callFlow) awaitEnd(outcome string) {
	f.final = cmp.Or(outcome, f.final)
	if f.giveUpAt == nil {
		f.giveUpAt = time.After(f.grace)
	}
}

func (f *callFlow) finish(outcome string) {
	f.outcome, f.ended = outcome, time.Now()
}

// abandon leaves the call when the command is interrupted, rather than
// leave it ringing or held until the server's timeouts. A hangup does for
// every state: the server takes it as a cancel from a ringing caller and
// as a decline from a ringing callee.
func (f *callFlow) abandon(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_ = f.sig.Request(ctx, protocol.TypeCallHangup, &protocol.CallRef{CallID: f.id}, nil)
}
