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
	// Changed tells the call as it stands after each event about it, so
	// that the server keeps the call's media in step (a group call's SFU
	// room: who may be in it, who is muted, when it ends).
	Changed(c protocol.Call)
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
	// BusyElsewhere, when set, tells whether user takes part in a live
	// call another engine holds (another node's). It is called with the
	// engine's lock held and must not block.
	BusyElsewhere func(user string) bool
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
		if p := c.Participant(user); p != nil && live(p.State) {
			return true
		}
	}
	return e.cfg.BusyElsewhere != nil && e.cfg.BusyElsewhere(user)
}

// track notes that user takes part in c, so that busy need not scan every call.
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
	e.out.Changed(u.Call)
}

// sortedCalls lists the live calls oldest first, so that a device hears of
// them, and Close ends them, in a stable order.
func (e *Engine) sortedCalls() []*call {
	cs := make([]*call, 0, len(e.calls))
	for _, c := range e.calls {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].CreatedMS < cs[j].CreatedMS })
	return cs
}

// stopTimer stops user's timer in timers, if there is one, and forgets it:
// a stopped timer left in the map would still look pending.
func stopTimer(timers map[string]Timer, user string) {
	if t := timers[user]; t != nil {
		t.Stop()
		delete(timers, user)
	}
}
