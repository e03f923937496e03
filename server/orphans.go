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

// finishOrphanCalls ends calls that a server which crashed or was killed
// left live (rows, from UnfinishedCalls), so that nobody shows as busy in
// a call that no longer exists. A node alone ends every such call at
// start, before the recorder's writer and before anyone can connect; a
// node of a cluster, the calls of nodes whose lease ran out (nodeLease).
// ended tells the call's conversation, once, by the node that stored its
// record.
func finishOrphanCalls(ctx context.Context, rows []store.CallRow, rec *callRecorder, ended func(context.Context, protocol.Call), log *slog.Logger) error {
	now := time.Now().UnixMilli()
	for _, r := range rows {
		// An answered call did happen; how long it lasted is not known, so
		// its record says failed with no duration rather than guess.
		c := endedOrphan(r, now)
		fresh, err := rec.persistEnd(ctx, c)
		if err != nil {
			return err
		}
		if fresh {
			ended(ctx, c)
		}
		log.Info("ended a call its server left live", "call", r.ID)
	}
	return nil
}

// endedOrphan is a call its engine no longer holds, ended as failed at
// now, with what the store tells of it. Its participants are the caller
// first and, in a direct call, the other person, all left: a group call's
// invitees are not stored.
func endedOrphan(r store.CallRow, now int64) protocol.Call {
	c := protocol.Call{ID: r.ID, Conversation: r.Conversation, Media: r.Media, Caller: r.Caller,
		State: protocol.CallEnded, Outcome: protocol.OutcomeFailed, CreatedMS: r.CreatedMS, EndedMS: now,
		Participants: []protocol.Participant{{User: r.Caller, State: protocol.StateLeft}}}
	users, group, err := protocol.ParseConversation(r.Conversation)
	switch {
	case err != nil:
	case group != "":
		c.Group = true
	default:
		other := users[0]
		if other == r.Caller {
			other = users[1]
		}
		c.Participants = append(c.Participants, protocol.Participant{User: other, State: protocol.StateLeft})
	}
	return c
}
