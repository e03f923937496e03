package server

import (
	"context"
	"log/slog"
	"time"

	"parley/protocol"
	"parley/server/store"
)

// unfinishedCallLister is the part of the Store the orphan sweep reads.
type unfinishedCallLister interface {
	UnfinishedCalls(ctx context.Context) ([]store.CallRow, error)
}

// finishOrphanCalls ends the calls a crashed or killed server left live, so
// that nobody shows as busy in a call that no longer exists. It runs at
// start, before the recorder's writer and before anyone can connect.
func finishOrphanCalls(ctx context.Context, db unfinishedCallLister, rec *callRecorder, log *slog.Logger) error {
	rows, err := db.UnfinishedCalls(ctx)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	for _, r := range rows {
		// An answered call did happen; how long it lasted is not known, so
		// its record says failed with no duration rather than guess.
		c := protocol.Call{ID: r.ID, Conversation: r.Conversation, Media: r.Media, Caller: r.Caller,
			State: protocol.CallEnded, Outcome: protocol.OutcomeFailed, CreatedMS: r.CreatedMS, EndedMS: now}
		if err := rec.persistEnd(ctx, c); err != nil {
			return err
		}
		log.Info("ended a call left live by the previous run", "call", r.ID)
	}
	return nil
}
