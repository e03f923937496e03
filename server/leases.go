package server

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"parley/protocol"
	"parley/server/cluster"
	"parley/server/store"
)

// Leases: a node of a cluster says in the store, every leaseRenew, that it
// runs for leaseTTL more. Once a node's lease has run out, the nodes still
// running end the calls it left live. The nodes' clocks must agree to well
// within leaseTTL.
const (
	leaseTTL   = 10 * time.Second
	leaseRenew = 2 * time.Second
)

// leaseStore is the part of the Store that leases use.
type leaseStore interface {
	unfinishedCallLister
	RenewLease(ctx context.Context, node string, untilMS int64) error
	LiveNodes(ctx context.Context, nowMS int64) ([]string, error)
	DropLeases(ctx context.Context, nowMS int64) error
}

// nodeLease keeps this node's lease and ends the calls of dead nodes. Its
// goroutine, run, is ended by close.
type nodeLease struct {
	node string
	db   leaseStore
	rec  *callRecorder
	// ended tells the members of a call this node ended for a dead node.
	ended func(context.Context, protocol.Call)
	log   *slog.Logger
	stop  chan struct{}
	done  chan struct{}
}

func newNodeLease(node string, db leaseStore, rec *callRecorder, ended func(context.Context, protocol.Call), log *slog.Logger) *nodeLease {
	return &nodeLease{node: node, db: db, rec: rec, ended: ended, log: log, stop: make(chan struct{}), done: make(chan struct{})}
}

// renewAndSweep renews the lease, then ends the calls of the nodes whose
// lease ran out, and those of servers that ran alone (their ids name no
// node), and forgets those leases. Several nodes may end the same call at
// once: its record is stored once all the same (persistEnd).
func (l *nodeLease) renewAndSweep(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, leaseRenew)
	defer cancel()
	now := time.Now()
	if err := l.db.RenewLease(ctx, l.node, now.Add(leaseTTL).UnixMilli()); err != nil {
		return err
	}
	// The calls are listed before the leases: a call listed was placed by
	// a node whose lease was already stored.
	rows, err := l.db.UnfinishedCalls(ctx)
	if err != nil {
		return err
	}
	live, err := l.db.LiveNodes(ctx, now.UnixMilli())
	if err != nil {
		return err
	}
	orphans := slices.DeleteFunc(rows, func(r store.CallRow) bool {
		owner := cluster.CallOwner(r.ID)
		return owner == l.node || slices.Contains(live, owner)
	})
	if err := finishOrphanCalls(ctx, orphans, l.rec, l.ended, l.log); err != nil {
		return err
	}
	return l.db.DropLeases(ctx, now.UnixMilli())
}

func (l *nodeLease) run() {
	defer close(l.done)
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		if err := l.renewAndSweep(context.Background()); err != nil {
			l.log.Warn("renewing this node's lease, or ending the calls of dead nodes, failed", "err", err)
		}
	}
}

func (l *nodeLease) close() {
	close(l.stop)
	<-l.done
}
