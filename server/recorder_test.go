package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"parley/protocol"
	"parley/server/store"
)

var errDiskFull = errors.New("database or disk is full")

// fullableDisk is the server's real store, whose writes of calls and
// messages fail while full is set, as they do on a full disk.
type fullableDisk struct {
	Store
	full atomic.Bool
}

func (d *fullableDisk) refused() error {
	if d.full.Load() {
		return errDiskFull
	}
	return nil
}

func (d *fullableDisk) CallStarted(ctx context.Context, c store.CallRow) error {
	if err := d.refused(); err != nil {
		return err
	}
	return d.Store.CallStarted(ctx, c)
}

func (d *fullableDisk) CallAnswered(ctx context.Context, id string, startedMS int64) error {
	if err := d.refused(); err != nil {
		return err
	}
	return d.Store.CallAnswered(ctx, id, startedMS)
}

func (d *fullableDisk) CallEnded(ctx context.Context, id, outcome string, endedMS int64) error {
	if err := d.refused(); err != nil {
		return err
	}
	return d.Store.CallEnded(ctx, id, outcome, endedMS)
}

func (d *fullableDisk) AppendMessage(ctx context.Context, m protocol.Message) (protocol.Message, bool, error) {
	if err := d.refused(); err != nil {
		return protocol.Message{}, false, err
	}
	return d.Store.AppendMessage(ctx, m)
}

// startServerOnFullableDisk is startServer on a disk the test can fill. The
// recorder retries quickly, so that tests wait little for it.
func startServerOnFullableDisk(t *testing.T) (*testServer, *fullableDisk) {
	cfg, err := testConfig(t, Config{}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	disk := &fullableDisk{Store: db}
	s, err := newWithStore(cfg, disk)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	s.rec.retryFirst, s.rec.retryMost = 5*time.Millisecond, 20*time.Millisecond
	return serve(t, s), disk
}

func directCall(a, b string) protocol.CallInvite {
	return protocol.CallInvite{Conversation: protocol.DirectConversation(a, b), Media: protocol.MediaAudio}
}

// eventually waits for cond, which the server makes true soon.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("%s never happened", what)
		}
	}
}

func TestInviteIsRefusedWhenItsCallCannotBeStored(t *testing.T) {
	ts, disk := startServerOnFullableDisk(t)
	alice, bob := ts.connect("alice", "a1"), ts.connect("bob", "b1")

	disk.full.Store(true)
	alice.refused(protocol.CodeInternal, protocol.TypeCallInvite, directCall("alice", "bob"))
	// Bob was never rung: his next frame is the reply to his own request,
	// which was queued after anything the invite could have sent him.
	env := bob.request(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{"alice"}})
	if env.Type != protocol.TypeReply {
		t.Fatalf("bob got %s %s before his reply: rung for a call that was refused", env.Type, env.Payload)
	}
	if ts.s.calls.Live() != 0 {
		t.Fatalf("%d calls live after a refused invite", ts.s.calls.Live())
	}

	disk.full.Store(false)
	var placed protocol.CallReply
	alice.ok(protocol.TypeCallInvite, directCall("alice", "bob"), &placed) // alice is not left busy
	if got := bob.event(protocol.TypeCallIncoming); got == nil {
		t.Fatal("bob not rung once the disk had room")
	}
	rows, err := ts.s.store.UnfinishedCalls(context.Background())
	if err != nil || len(rows) != 1 || rows[0].ID != placed.Call.ID {
		t.Fatalf("stored live calls %+v, %v: want only %s", rows, err, placed.Call.ID)
	}
}

func TestACompletedCallIsRecordedOnceTheDiskHasRoomAgain(t *testing.T) {
	ts, disk := startServerOnFullableDisk(t)
	alice, bob, carol := ts.connect("alice", "a1"), ts.connect("bob", "b1"), ts.connect("carol", "c1")

	var placed protocol.CallReply
	alice.ok(protocol.TypeCallInvite, directCall("alice", "bob"), &placed)
	bob.event(protocol.TypeCallIncoming)
	disk.full.Store(true)
	bob.ok(protocol.TypeCallAccept, protocol.CallRef{CallID: placed.Call.ID}, nil)
	eventually(t, "the recorder failing", func() bool { return !ts.s.rec.healthy() })
	// While the store fails, a new call is refused at once rather than
	// rung without a record.
	carol.refused(protocol.CodeInternal, protocol.TypeCallInvite, directCall("carol", "alice"))
	time.Sleep(20 * time.Millisecond) // a call that lasted
	alice.ok(protocol.TypeCallHangup, protocol.CallRef{CallID: placed.Call.ID}, nil)

	disk.full.Store(false)
	var rec protocol.Message
	for rec.Type != protocol.KindCallRecord {
		env := bob.event(protocol.TypeChatMessage)
		if err := json.Unmarshal(env.Payload, &rec); err != nil {
			t.Fatal(err)
		}
	}
	if rec.CallID != placed.Call.ID || rec.Outcome != protocol.OutcomeCompleted || rec.DurationMS < 20 {
		t.Fatalf("record %+v: want call %s completed, lasting 20 ms or more", rec, placed.Call.ID)
	}
	eventually(t, "the call stored as ended", func() bool {
		rows, err := ts.s.store.UnfinishedCalls(context.Background())
		return err == nil && len(rows) == 0
	})
	eventually(t, "the recorder healthy", ts.s.rec.healthy)
	carol.ok(protocol.TypeCallInvite, directCall("carol", "alice"), nil)
}

// heldDisk writes down the calls' writes in the order they come, each
// once gate is closed.
type heldDisk struct {
	Store  // nil: only the writes of calls are used
	gate   chan struct{}
	writes []string // only the recorder's writer appends, and reads after close
}

func (d *heldDisk) note(w string) error {
	<-d.gate
	d.writes = append(d.writes, w)
	return nil
}
func (d *heldDisk) CallStarted(_ context.Context, c store.CallRow) error {
	return d.note("start " + c.ID)
}
func (d *heldDisk) CallEnded(_ context.Context, id, _ string, _ int64) error {
	return d.note("end " + id)
}
func (d *heldDisk) AppendMessage(_ context.Context, m protocol.Message) (protocol.Message, bool, error) {
	return m, false, nil
}

// TestAPlacedCallGoesAheadOfEndedOnes: while the disk holds a write, the
// records of five ended calls and a new call are queued; the new call is
// stored next, ahead of them (its invite waits for it), and its own end
// after its start.
func TestAPlacedCallGoesAheadOfEndedOnes(t *testing.T) {
	d := &heldDisk{gate: make(chan struct{})}
	r := newCallRecorder(d, slog.New(slog.DiscardHandler), func(context.Context, protocol.Message) {}, func(string) {})
	go r.run() // ended by close
	call := func(id string) protocol.Call { return protocol.Call{ID: id, Conversation: "direct:a:b", Caller: "a"} }
	r.created(call("a"))
	for _, id := range []string{"b1", "b2", "b3", "b4", "b5"} {
		r.ended(call(id))
	}
	r.created(call("c"))
	r.ended(call("c"))
	close(d.gate)
	r.close()
	want := []string{"start a", "start c", "end b1", "end b2", "end b3", "end b4", "end b5", "end c"}
	if !slices.Equal(d.writes, want) {
		t.Errorf("writes %q, want %q", d.writes, want)
	}
}
