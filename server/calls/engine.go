// Package calls is the server's call state machine. The server decides every
// call: it runs the invite deadlines, answers busy, rings devices that come
// online late, lets the first accepting device win, and ends the call. The
// engine knows nothing of websockets or storage; it reports through Output.
package calls

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"parley/protocol"
)

// Clock is time as the engine sees it; tests drive a fake one.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface{ Stop() bool }

// Target names the devices an event goes to: one device of User, or all of
// them but Except.
type Target struct {
	User   string
	Device string
	Except string
}

// Output receives what the engine decides. The engine calls it while holding
// its lock so that events leave in the order they happened: implementations
// must not block for long and must not call back into the engine.
type Output interface {
	// Send delivers an event and returns how many devices it reached.
	Send(to Target, typ string, payload any) int
	// Push asks for an offline invitee to be woken up (push webhook).
	Push(user string, inv protocol.CallIncoming)
	// Created, Answered and Ended let the server persist calls and write
	// their records.
	Created(c protocol.Call)
	Answered(c protocol.Call)
	Ended(c protocol.Call)
}

// Config holds the engine's knobs.
type Config struct {
	// InviteTimeout is the default time an invite rings.
	InviteTimeout time.Duration
	// ReconnectGrace is how long a joined device may be gone before it is
	// taken to have left: a network change must not end a call.
	ReconnectGrace time.Duration
	// NewID makes call ids; random when nil.
	NewID func() string
}

// Engine holds every live call.
type Engine struct {
	cfg   Config
	clock Clock
	out   Output

	mu     sync.Mutex
	calls  map[string]*call
	byUser map[string]map[string]*call // live calls each user takes part in
	closed bool
}

// New makes an engine.
func New(cfg Config, clock Clock, out Output) *Engine {
	if cfg.InviteTimeout <= 0 {
		cfg.InviteTimeout = protocol.DefaultInviteTimeout
	}
	if cfg.ReconnectGrace <= 0 {
		cfg.ReconnectGrace = 10 * time.Second
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	return &Engine{
		cfg:    cfg,
		clock:  clock,
		out:    out,
		calls:  make(map[string]*call),
		byUser: make(map[string]map[string]*call),
	}
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// call is one live call; Participants are in invite order, the caller first.
type call struct {
	protocol.Call
	audience []string         // who hears about the call: the conversation's members, sorted
	timers   map[string]Timer // invite deadlines, by invitee
	grace    map[string]Timer // reconnect grace of joined devices that dropped, by user
	// toRing holds the invitees of a call placed but not yet stored: it
	// rings nobody until Ring, so that no one is rung for a call the server
	// could not keep.
	toRing []string
}

func (c *call) part(user string) *protocol.Participant { return c.Participant(user) }

func pending(state string) bool {
	return state == protocol.StateInvited || state == protocol.StateRinging
}

func live(state string) bool { return pending(state) || state == protocol.StateJoined }

func (c *call) count(pred func(string) bool) int {
	n := 0
	for _, p := range c.Participants {
		if pred(p.State) {
			n++
		}
	}
	return n
}

func (c *call) inAudience(user string) bool {
	i := sort.SearchStrings(c.audience, user)
	return i < len(c.audience) && c.audience[i] == user
}

func (c *call) snapshot() protocol.Call {
	s := c.Call
	s.Participants = append([]protocol.Participant(nil), c.Participants...)
	return s
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// Live returns the number of live calls.
func (e *Engine) Live() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

// InCall reports whether user takes part in a live call.
func (e *Engine) InCall(user string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.busy(user)
}

func (e *Engine) busy(user string) bool {
	for _, c := range e.byUser[user] {
		if p := c.part(user); p != nil && live(p.State) {
			return true
		}
	}
	return false
}

// Invite places a call and holds it: the caller is in it (and busy), but
// nobody hears of it until Ring, which the server calls once the call is
// stored; a call that could not be stored is dropped with Abandon. audience
// is every member of the conversation, the caller included; invitees are the
// users to ring. The server has checked that the caller belongs to the
// conversation and that invitees exist and are members.
func (e *Engine) Invite(user, device string, req protocol.CallInvite, invitees, audience []string, group bool) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return protocol.Call{}, protocol.Errorf(protocol.CodeInternal, "the server is shutting down")
	}
	if len(invitees) == 0 {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "nobody to call")
	}
	if len(invitees)+1 > protocol.MaxCallSize {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "a call holds at most %d participants", protocol.MaxCallSize)
	}
	if e.busy(user) {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBusy, "you are already in a call")
	}
	timeout := e.cfg.InviteTimeout
	if req.TimeoutMS > 0 {
		timeout = time.Duration(req.TimeoutMS) * time.Millisecond
	}
	now := e.clock.Now()
	aud := append([]string(nil), audience...)
	sort.Strings(aud)
	c := &call{
		Call: protocol.Call{
			ID:           e.cfg.NewID(),
			Conversation: req.Conversation,
			Group:        group,
			Media:        req.Media,
			Caller:       user,
			State:        protocol.CallRinging,
			DeadlineMS:   ms(now.Add(timeout)),
			CreatedMS:    ms(now),
			Participants: []protocol.Participant{{User: user, State: protocol.StateJoined, Device: device}},
		},
		audience: aud,
		timers:   make(map[string]Timer),
		grace:    make(map[string]Timer),
		toRing:   append([]string(nil), invitees...),
	}
	e.calls[c.ID] = c
	e.track(user, c)
	e.out.Created(c.snapshot())
	return c.snapshot(), nil
}

// Ring rings the invitees of a call that Invite holds, up to the deadline
// Invite set.
func (e *Engine) Ring(id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.toRing == nil {
		// Ended meanwhile: the caller's device went away, or the server
		// is closing.
		return protocol.Call{}, protocol.Errorf(protocol.CodeNotFound, "call %s ended before it rang", id)
	}
	invitees := c.toRing
	c.toRing = nil
	now := e.clock.Now()
	left := time.Duration(c.DeadlineMS-ms(now)) * time.Millisecond
	e.invite(c, c.Caller, invitees, now, max(left, 0))
	e.settle(c, c.Caller)
	return c.snapshot(), nil
}

// Abandon drops a call that Invite holds and nobody has heard of; it ends
// without a record, as if never placed.
func (e *Engine) Abandon(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.toRing == nil {
		return
	}
	e.forget(c)
}

// invite adds invitees to c: busy ones are answered at once, the others are
// rung on every device they have online, or kept (and pushed) until one
// connects or the deadline passes.
func (e *Engine) invite(c *call, inviter string, invitees []string, now time.Time, timeout time.Duration) {
	deadline := now.Add(timeout)
	var ring, busy []string
	for _, u := range invitees {
		if e.busy(u) {
			if p := c.part(u); p != nil {
				p.State, p.Reason, p.Device = protocol.StateBusy, "", ""
			} else {
				c.Participants = append(c.Participants, protocol.Participant{User: u, State: protocol.StateBusy})
			}
			busy = append(busy, u)
			continue
		}
		if p := c.part(u); p != nil {
			// Invited again after leaving or declining.
			p.State, p.Reason, p.Device = protocol.StateInvited, "", ""
			p.DeadlineMS = ms(deadline)
		} else {
			c.Participants = append(c.Participants, protocol.Participant{User: u, State: protocol.StateInvited, DeadlineMS: ms(deadline)})
		}
		e.track(u, c)
		user := u
		c.timers[u] = e.clock.AfterFunc(timeout, func() { e.deadline(c.ID, user) })
		ring = append(ring, u)
	}
	e.broadcast(c, protocol.EventInvited, inviter)
	for _, u := range busy {
		e.broadcast(c, protocol.EventBusy, u)
	}
	for _, u := range ring {
		inv := protocol.CallIncoming{Call: c.snapshot()}
		if e.out.Send(Target{User: u}, protocol.TypeCallIncoming, inv) > 0 {
			e.ringing(c, u)
		} else {
			e.out.Push(u, inv)
		}
	}
}

func (e *Engine) ringing(c *call, user string) {
	p := c.part(user)
	if p.State == protocol.StateInvited {
		p.State = protocol.StateRinging
		e.broadcast(c, protocol.EventRinging, user)
	}
}

func (e *Engine) track(user string, c *call) {
	m := e.byUser[user]
	if m == nil {
		m = make(map[string]*call)
		e.byUser[user] = m
	}
	m[c.ID] = c
}

// broadcast sends a call.update to everyone who should see it: in a group,
// every member of the conversation (so they can join); in a direct call, both.
func (e *Engine) broadcast(c *call, event, user string) {
	u := protocol.CallUpdate{Call: c.snapshot(), Event: event, User: user}
	for _, a := range c.audience {
		e.out.Send(Target{User: a}, protocol.TypeCallUpdate, u)
	}
}

// lookup finds a live call the user may act on.
func (e *Engine) lookup(user, id string) (*call, *protocol.Participant, error) {
	c := e.calls[id]
	if c == nil {
		return nil, nil, protocol.Errorf(protocol.CodeNotFound, "no live call %s", id)
	}
	p := c.part(user)
	if p == nil {
		if c.inAudience(user) {
			return c, nil, nil
		}
		return nil, nil, protocol.Errorf(protocol.CodeForbidden, "you are not in call %s", id)
	}
	return c, p, nil
}

func (e *Engine) mustTakePart(user, id string) (*call, *protocol.Participant, error) {
	c, p, err := e.lookup(user, id)
	if err == nil && p == nil {
		err = protocol.Errorf(protocol.CodeForbidden, "you are not in call %s", id)
	}
	return c, p, err
}

// Accept joins the call from device; the user's other devices stop ringing.
func (e *Engine) Accept(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	switch {
	case p.State == protocol.StateJoined && p.Device == device:
		return c.snapshot(), nil // a retry after a lost reply
	case p.State == protocol.StateJoined:
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "the call was answered on another device")
	case !pending(p.State):
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "the invite is over (%s)", p.State)
	}
	e.join(c, p, device)
	return c.snapshot(), nil
}

func (e *Engine) join(c *call, p *protocol.Participant, device string) {
	if t := c.timers[p.User]; t != nil {
		t.Stop()
		delete(c.timers, p.User)
	}
	p.State, p.Device = protocol.StateJoined, device
	e.track(p.User, c)
	if c.State == protocol.CallRinging {
		c.State = protocol.CallActive
		c.StartedMS = ms(e.clock.Now())
		e.out.Answered(c.snapshot())
	}
	e.broadcast(c, protocol.EventAccepted, p.User)
	e.out.Send(Target{User: p.User, Except: device}, protocol.TypeCallUpdate,
		protocol.CallUpdate{Call: c.snapshot(), Event: protocol.EventAnsweredElsewhere, User: p.User})
}

// Decline refuses the invite for the user on all devices.
func (e *Engine) Decline(user, device, id, reason string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if p.State == protocol.StateDeclined {
		return c.snapshot(), nil
	}
	if !pending(p.State) {
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "nothing to decline: you are %s", p.State)
	}
	if reason == "" {
		reason = protocol.ReasonDeclined
	}
	e.decline(c, p, reason)
	return c.snapshot(), nil
}

// decline records an invitee's refusal, for all of the user's devices.
func (e *Engine) decline(c *call, p *protocol.Participant, reason string) {
	e.finishInvite(c, p, protocol.StateDeclined, reason)
	e.broadcast(c, protocol.EventDeclined, p.User)
	e.settle(c, p.User)
}

func (e *Engine) finishInvite(c *call, p *protocol.Participant, state, reason string) {
	if t := c.timers[p.User]; t != nil {
		t.Stop()
		delete(c.timers, p.User)
	}
	p.State, p.Reason = state, reason
}

// Cancel is the caller ending the call before anyone answered. Once someone
// has, it is a hang up: the person wants the call to stop either way.
func (e *Engine) Cancel(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if user != c.Caller {
		return protocol.Call{}, protocol.Errorf(protocol.CodeForbidden, "only the caller can cancel; decline instead")
	}
	if c.State == protocol.CallRinging {
		e.callerLeftRinging(c, p, protocol.OutcomeCancelled)
		return c.snapshot(), nil
	}
	if p.State != protocol.StateJoined {
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you are not in the call any more (%s)", p.State)
	}
	e.leave(c, p)
	return c.snapshot(), nil
}

// callerLeftRinging ends a call whose caller left it before anyone
// answered: every invite still pending is cancelled.
func (e *Engine) callerLeftRinging(c *call, p *protocol.Participant, outcome string) {
	e.cancelPending(c)
	p.State = protocol.StateLeft
	e.broadcast(c, protocol.EventCancelled, p.User)
	e.end(c, outcome)
}

func (e *Engine) cancelPending(c *call) {
	for i := range c.Participants {
		if p := &c.Participants[i]; pending(p.State) {
			e.finishInvite(c, p, protocol.StateCancelled, "")
		}
	}
}

// Hangup leaves the call. In a direct call that ends it for both.
func (e *Engine) Hangup(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	switch {
	case pending(p.State):
		e.decline(c, p, protocol.ReasonDeclined)
	case p.State == protocol.StateJoined && user == c.Caller && c.State == protocol.CallRinging:
		e.callerLeftRinging(c, p, protocol.OutcomeCancelled)
	case p.State == protocol.StateJoined:
		e.leave(c, p)
	default:
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you are not in the call any more (%s)", p.State)
	}
	return c.snapshot(), nil
}

func (e *Engine) leave(c *call, p *protocol.Participant) {
	if t := c.grace[p.User]; t != nil {
		t.Stop()
		delete(c.grace, p.User)
	}
	p.State = protocol.StateLeft
	e.broadcast(c, protocol.EventLeft, p.User)
	e.settle(c, p.User)
}

// Join enters a group call that is going on, as a member of its group who
// was not rung (or who declined, or left, earlier).
func (e *Engine) Join(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.lookup(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if !c.Group {
		if p == nil {
			return protocol.Call{}, protocol.Errorf(protocol.CodeForbidden, "you are not in call %s", id)
		}
		if pending(p.State) {
			e.join(c, p, device)
			return c.snapshot(), nil
		}
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "a direct call cannot be joined again")
	}
	if p != nil && p.State == protocol.StateJoined {
		if p.Device == device {
			return c.snapshot(), nil
		}
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you are in this call on another device")
	}
	if p == nil || !pending(p.State) {
		if e.busy(user) {
			return protocol.Call{}, protocol.Errorf(protocol.CodeBusy, "you are already in a call")
		}
		if c.count(live) >= protocol.MaxCallSize {
			return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "the call is full (%d)", protocol.MaxCallSize)
		}
	}
	if p == nil {
		c.Participants = append(c.Participants, protocol.Participant{User: user, State: protocol.StateInvited})
		p = c.part(user)
	}
	e.join(c, p, device)
	return c.snapshot(), nil
}

// Add invites more members of the group into the call.
func (e *Engine) Add(user, device, id string, invitees []string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if !c.Group {
		return protocol.Call{}, protocol.Errorf(protocol.CodeBadRequest, "only a group call can take more people")
	}
	if p.State != protocol.StateJoined {
		return protocol.Call{}, protocol.Errorf(protocol.CodeForbidden, "join the call before inviting others")
	}
	var fresh []string
	for _, u := range invitees {
		if !c.inAudience(u) {
			return protocol.Call{}, protocol.Errorf(protocol.CodeForbidden, "%s is not a member of this group", u)
		}
		if q := c.part(u); q != nil && live(q.State) {
			continue
		}
		fresh = append(fresh, u)
	}
	if c.count(live)+len(fresh) > protocol.MaxCallSize {
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "a call holds at most %d participants", protocol.MaxCallSize)
	}
	if len(fresh) > 0 {
		e.invite(c, user, fresh, e.clock.Now(), e.cfg.InviteTimeout)
		e.settle(c, user)
	}
	return c.snapshot(), nil
}

// MediaState records and announces the user's microphone and camera.
func (e *Engine) MediaState(user, device string, req protocol.CallMediaState) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, req.CallID)
	if err != nil {
		return protocol.Call{}, err
	}
	if p.State != protocol.StateJoined {
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you have not joined the call")
	}
	if p.Muted != req.Muted || p.CameraOff != req.CameraOff {
		p.Muted, p.CameraOff = req.Muted, req.CameraOff
		e.broadcast(c, protocol.EventMediaState, user)
	}
	return c.snapshot(), nil
}

// SwitchToAudio turns a video call into a voice call for everyone.
func (e *Engine) SwitchToAudio(user, device, id string) (protocol.Call, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, id)
	if err != nil {
		return protocol.Call{}, err
	}
	if !live(p.State) {
		return protocol.Call{}, protocol.Errorf(protocol.CodeConflict, "you are not in the call any more (%s)", p.State)
	}
	if c.Media != protocol.MediaAudio {
		c.Media = protocol.MediaAudio
		e.broadcast(c, protocol.EventSwitchedToAudio, user)
	}
	return c.snapshot(), nil
}

// Signal relays WebRTC negotiation between two participants of a live call.
// Invitees that are still ringing may take part, so that ICE and DTLS can be
// done before the answer.
func (e *Engine) Signal(user, device string, sig protocol.CallSignal) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, p, err := e.mustTakePart(user, sig.CallID)
	if err != nil {
		return err
	}
	if !live(p.State) {
		return protocol.Errorf(protocol.CodeConflict, "you are not in the call any more (%s)", p.State)
	}
	q := c.part(sig.To)
	if q == nil || !live(q.State) || sig.To == user {
		return protocol.Errorf(protocol.CodeForbidden, "%s is not in this call", sig.To)
	}
	sig.From, sig.FromDevice = user, device
	if e.out.Send(Target{User: sig.To, Device: sig.ToDevice}, protocol.TypeCallSignal, sig) == 0 {
		return protocol.Errorf(protocol.CodeNotFound, "%s has no device connected", sig.To)
	}
	return nil
}

// deadline runs when an invite's time is up.
func (e *Engine) deadline(id, user string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil {
		return
	}
	p := c.part(user)
	if p == nil || !pending(p.State) || c.timers[user] == nil {
		return
	}
	e.finishInvite(c, p, protocol.StateNoAnswer, "")
	e.broadcast(c, protocol.EventNoAnswer, user)
	e.settle(c, user)
}

// settle ends the call when nobody is left to talk to.
func (e *Engine) settle(c *call, user string) {
	if c.State == protocol.CallEnded {
		return
	}
	joined, waiting := c.count(func(s string) bool { return s == protocol.StateJoined }), c.count(pending)
	if joined >= 2 || (waiting > 0 && joined >= 1) {
		return
	}
	e.end(c, outcome(c))
}

// outcome says how a call that is over went.
func outcome(c *call) string {
	if c.StartedMS != 0 {
		return protocol.OutcomeCompleted
	}
	var declined, busy, noAnswer, cancelled int
	for _, p := range c.Participants[1:] {
		switch p.State {
		case protocol.StateDeclined:
			declined++
		case protocol.StateBusy:
			busy++
		case protocol.StateNoAnswer:
			noAnswer++
		case protocol.StateCancelled:
			cancelled++
		}
	}
	n := len(c.Participants) - 1
	switch {
	case cancelled > 0 || c.Participants[0].State == protocol.StateLeft:
		return protocol.OutcomeCancelled
	case busy == n:
		return protocol.OutcomeBusy
	case noAnswer == 0 && declined > 0:
		return protocol.OutcomeDeclined
	}
	return protocol.OutcomeNoAnswer
}

// end finishes c with the outcome, tells everyone and lets the server record it.
func (e *Engine) end(c *call, outcome string) {
	for i := range c.Participants {
		p := &c.Participants[i]
		switch {
		case pending(p.State):
			p.State = protocol.StateCancelled
		case p.State == protocol.StateJoined:
			p.State = protocol.StateLeft
		}
	}
	c.State, c.Outcome, c.EndedMS = protocol.CallEnded, outcome, ms(e.clock.Now())
	e.forget(c)
	e.broadcast(c, protocol.EventEnded, "")
	e.out.Ended(c.snapshot())
}

// forget stops c's timers and removes it from the engine.
func (e *Engine) forget(c *call) {
	for u, t := range c.timers {
		t.Stop()
		delete(c.timers, u)
	}
	for u, t := range c.grace {
		t.Stop()
		delete(c.grace, u)
	}
	delete(e.calls, c.ID)
	for _, p := range c.Participants {
		if m := e.byUser[p.User]; m != nil {
			delete(m, c.ID)
			if len(m) == 0 {
				delete(e.byUser, p.User)
			}
		}
	}
}

// DeviceOnline is called when a device of user has said hello. It rings the
// device for invites still waiting, tells it of calls it can see, and ends
// the grace period of a device that was in a call.
func (e *Engine) DeviceOnline(user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.sortedCalls() {
		if !c.inAudience(user) {
			continue
		}
		p := c.part(user)
		if p != nil && p.State == protocol.StateJoined && p.Device == device {
			if t := c.grace[user]; t != nil {
				t.Stop()
				delete(c.grace, user)
			}
		}
		if c.toRing != nil {
			continue // not placed yet: nobody may hear of it
		}
		if p != nil && pending(p.State) {
			if e.out.Send(Target{User: user, Device: device}, protocol.TypeCallIncoming, protocol.CallIncoming{Call: c.snapshot()}) > 0 {
				e.ringing(c, user)
			}
			continue
		}
		e.out.Send(Target{User: user, Device: device}, protocol.TypeCallUpdate,
			protocol.CallUpdate{Call: c.snapshot(), Event: protocol.EventState})
	}
}

func (e *Engine) sortedCalls() []*call {
	cs := make([]*call, 0, len(e.calls))
	for _, c := range e.calls {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].CreatedMS < cs[j].CreatedMS })
	return cs
}

// DeviceOffline is called when a device's connection is gone. A device that
// was in a call gets ReconnectGrace to come back before it leaves.
func (e *Engine) DeviceOffline(user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.byUser[user] {
		p := c.part(user)
		if p == nil || p.State != protocol.StateJoined || p.Device != device || c.grace[user] != nil {
			continue
		}
		id := c.ID
		c.grace[user] = e.clock.AfterFunc(e.cfg.ReconnectGrace, func() { e.graceOver(id, user, device) })
	}
}

func (e *Engine) graceOver(id, user, device string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[id]
	if c == nil || c.grace[user] == nil {
		return
	}
	delete(c.grace, user)
	p := c.part(user)
	if p == nil || p.State != protocol.StateJoined || p.Device != device {
		return
	}
	if user == c.Caller && c.State == protocol.CallRinging {
		e.callerLeftRinging(c, p, protocol.OutcomeFailed)
		return
	}
	e.leave(c, p)
}

// Close ends every live call as failed: the server is going away and no
// call may be left ringing or "busy" behind it.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for _, c := range e.sortedCalls() {
		e.end(c, protocol.OutcomeFailed)
	}
}
