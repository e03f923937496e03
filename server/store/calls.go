package store

import (
	"context"
	"fmt"
)

// CallRow is a call as the store keeps it while it is live. The server keeps
// calls in memory; these rows exist so that a call cut short by a restart is
// still ended and recorded in its conversation.
type CallRow struct {
	ID, Conversation, Media, Caller string
	CreatedMS                       int64
	StartedMS                       int64 // 0 until someone answers
}

// CallStarted records a new live call. It returns ErrExists if the id is
// taken.
func (db *DB) CallStarted(ctx context.Context, c CallRow) (err error) {
	defer wrap(&err, "call started")
	n, err := affected(db.write.ExecContext(ctx, `
		INSERT INTO calls (id, conversation, media, caller, created_ms, started_ms)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.Conversation, c.Media, c.Caller, c.CreatedMS, c.StartedMS))
	if err == nil && n == 0 {
		err = fmt.Errorf("call %q: %w", c.ID, ErrExists)
	}
	return err
}

// CallAnswered records when the call was first answered.
func (db *DB) CallAnswered(ctx context.Context, id string, startedMS int64) (err error) {
	defer wrap(&err, "call answered")
	n, err := affected(db.write.ExecContext(ctx, `UPDATE calls SET started_ms = $1 WHERE id = $2`, startedMS, id))
	if err == nil && n == 0 {
		err = fmt.Errorf("call %q: %w", id, ErrNotFound)
	}
	return err
}

// CallEnded records the end of a call, which is then no longer unfinished.
func (db *DB) CallEnded(ctx context.Context, id, outcome string, endedMS int64) (err error) {
	defer wrap(&err, "call ended")
	n, err := affected(db.write.ExecContext(ctx, `UPDATE calls SET ended_ms = $1, outcome = $2 WHERE id = $3`, endedMS, outcome, id))
	if err == nil && n == 0 {
		err = fmt.Errorf("call %q: %w", id, ErrNotFound)
	}
	return err
}

// UnfinishedCalls returns the calls that were never ended, oldest first: at
// start, the server records and ends each of them.
func (db *DB) UnfinishedCalls(ctx context.Context) (calls []CallRow, err error) {
	defer wrap(&err, "unfinished calls")
	rows, err := db.read.QueryContext(ctx, `
		SELECT id, conversation, media, caller, created_ms, started_ms
		FROM calls WHERE ended_ms IS NULL ORDER BY created_ms, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c CallRow
		if err := rows.Scan(&c.ID, &c.Conversation, &c.Media, &c.Caller, &c.CreatedMS, &c.StartedMS); err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, rows.Err()
}
