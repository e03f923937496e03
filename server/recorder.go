package server

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"parley/protocol"
	"parley/server/store"
)

// callRecorder persists calls in the order the engine decided them and writes
// each ended call's record into its conversation. One goroutine does every
// write, so a call's end is never stored before its start. Newly placed
// calls, which their invites wait for, have a queue of their own that goes
// first: an invite waits for at most the one write under way, not for the
// records of every call that ended before it.
//
// A placed call is written once: if that fails its invite is refused, and
// nobody has been rung. Everything after (answered, ended and the record)
// is retried until it is stored, in order, so a disk that fills up and
// frees again loses no record; while a write is being retried new invites
// are refused at once.
type callRecorder struct {
	store   Store
	log     *slog.Logger
	deliver func(context.Context, protocol.Message) // tells a conversation of its new call record
	counted func(outcome string)                    // counts an ended call, once

	placements chan record   // newly placed calls
	queue      chan record   // everything else
	closing    chan struct{} // closed when the server closes: stop retrying
	done       chan struct{} // closed when the writer has ended
	failing    atomic.Bool   // a write is being retried
	placed     sync.Map      // call id → *placement, until the invite takes it

	retryFirst, retryMost time.Duration // the pause between tries doubles from first to most
}

// record is a call event to persist.
type record struct {
	call            protocol.Call
	answered, ended bool
	placed          *placement // set on a newly placed call
}

// placement is the storing of a newly placed call, which its invite awaits.
type placement struct {
	state atomic.Int32 // placementWaiting, then placementTaken or placementAbandoned
	done  chan struct{}
	err   error // set before done is closed
}

const (
	placementWaiting = iota
	placementTaken
	placementAbandoned
)

func newCallRecorder(db Store, log *slog.Logger, deliver func(context.Context, protocol.Message), counted func(string)) *callRecorder {
	return &callRecorder{
		store: db, log: log, deliver: deliver, counted: counted,
		placements: make(chan record, 1024),
		queue:      make(chan record, 1024),
		closing:    make(chan struct{}),
		done:       make(chan struct{}),
		retryFirst: 100 * time.Millisecond,
		retryMost:  5 * time.Second,
	}
}

// The engine calls these under its lock, in the order of its decisions. The
// queue is large; if it is ever full the engine waits, which is the
// back-pressure we want rather than losing a record.

func (r *callRecorder) created(c protocol.Call) {
	p := &placement{done: make(chan struct{})}
	r.placed.Store(c.ID, p)
	r.placements <- record{call: c, placed: p}
}

func (r *callRecorder) answered(c protocol.Call) { r.queue <- record{call: c, answered: true} }
func (r *callRecorder) ended(c protocol.Call)    { r.queue <- record{call: c, ended: true} }

// healthy is false while a write is failing and being retried.
func (r *callRecorder) healthy() bool { return !r.failing.Load() }

// awaitPlaced waits until the newly placed call id is stored. An error means
// it is not, and never will be: the invite must be refused.
func (r *callRecorder) awaitPlaced(ctx context.Context, id string) error {
	v, ok := r.placed.LoadAndDelete(id)
	if !ok {
		return errors.New("no placement for call " + id)
	}
	p := v.(*placement)
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
	}
	if p.state.CompareAndSwap(placementWaiting, placementAbandoned) {
		return ctx.Err() // the writer will skip it
	}
	<-p.done // being written now, under its own deadline
	return p.err
}

// run writes what is queued until both queues are closed.
func (r *callRecorder) run() {
	defer close(r.done)
	placements, rest := r.placements, r.queue
	for placements != nil || rest != nil {
		select {
		case rec, ok := <-placements:
			if !ok {
				placements = nil
				continue
			}
			r.place(rec)
		case rec, ok := <-rest:
			if !ok {
				rest = nil
				continue
			}
			// rec's call was placed before rec was queued: the placements
			// queued so far are written first, so that its start is.
			r.placeQueued()
			r.keep(rec)
		}
	}
}

// placeQueued writes the placements queued now.
func (r *callRecorder) placeQueued() {
	for {
		select {
		case rec, ok := <-r.placements:
			if !ok {
				return
			}
			r.place(rec)
		default:
			return
		}
	}
}

// place writes a newly placed call, once, unless its invite gave up
// waiting.
func (r *callRecorder) place(rec record) {
	if p := rec.placed; p.state.CompareAndSwap(placementWaiting, placementTaken) {
		p.err = r.write(rec)
		close(p.done)
	}
}

// keep writes rec, trying again until it succeeds or the server closes.
func (r *callRecorder) keep(rec record) {
	pause := r.retryFirst
	for {
		err := r.write(rec)
		if err == nil || errors.Is(err, store.ErrNotFound) {
			// Not found: the call was never stored (its invite was
			// refused); there is nothing to update.
			r.failing.Store(false)
			return
		}
		r.failing.Store(true)
		r.log.Error("storing a call failed; trying again", "call", rec.call.ID, "in", pause, "err", err)
		select {
		case <-time.After(pause):
		case <-r.closing:
			r.log.Error("server closing: giving up storing a call; the next start records it as failed", "call", rec.call.ID)
			return
		}
		pause = min(2*pause, r.retryMost)
	}
}

func (r *callRecorder) write(rec record) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := rec.call
	switch {
	case rec.ended:
		_, err := r.persistEnd(ctx, c)
		return err
	case rec.answered:
		return r.store.CallAnswered(ctx, c.ID, c.StartedMS)
	default:
		return r.store.CallStarted(ctx, store.CallRow{ID: c.ID, Conversation: c.Conversation,
			Media: c.Media, Caller: c.Caller, CreatedMS: c.CreatedMS})
	}
}

// persistEnd writes the call record message, tells the conversation and
// marks the call ended. The record's client id is derived from the call, so
// doing this again (a retry, or after a crash) stores one record: fresh
// says whether this time stored it.
func (r *callRecorder) persistEnd(ctx context.Context, c protocol.Call) (fresh bool, err error) {
	var dur int64
	if c.StartedMS != 0 {
		dur = c.EndedMS - c.StartedMS
	}
	m, existed, err := r.store.AppendMessage(ctx, protocol.Message{
		Conversation: c.Conversation, ClientID: "call." + c.ID, From: c.Caller, Type: protocol.KindCallRecord,
		TimeMS: c.EndedMS, CallID: c.ID, Media: c.Media, Outcome: c.Outcome, DurationMS: dur,
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	fresh = err == nil && !existed
	if fresh {
		r.deliver(ctx, m)
		r.counted(c.Outcome)
	}
	return fresh, r.store.CallEnded(ctx, c.ID, c.Outcome, c.EndedMS)
}

// close stops retrying, writes what is queued (each once more at least) and
// waits for the writer to end.
func (r *callRecorder) close() {
	close(r.closing)
	close(r.placements)
	close(r.queue)
	<-r.done
}
