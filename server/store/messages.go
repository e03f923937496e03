package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"parley/protocol"
)

// Page sizes of History and Since: a limit of 0 or less asks for the
// default, and one above maxPage is cut to it, so that no call loads a whole
// conversation into memory.
const maxPage = 1000

func pageSize(limit int) int {
	if limit <= 0 {
		return protocol.DefaultHistoryPage
	}
	return min(limit, maxPage)
}

const messageColumns = `conversation, seq, client_id, sender, kind, text, time_ms, call_id, media, outcome, duration_ms`

// The queries of messages, named so that a test can check their plans.
const (
	// The client_id <> '' term lets SQLite use the partial index
	// messages_client_id, whose WHERE clause it repeats.
	selectByClientID = `SELECT ` + messageColumns + ` FROM messages
		WHERE conversation = $1 AND sender = $2 AND client_id = $3 AND client_id <> ''`
	selectBefore = `SELECT ` + messageColumns + ` FROM messages
		WHERE conversation = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`
	selectAfter = `SELECT ` + messageColumns + ` FROM messages
		WHERE conversation = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	// The conversations of a user, in the order Since returns them.
	selectLastSeqs = `SELECT c.id, c.last_seq
		FROM members AS m JOIN conversations AS c ON c.id = m.conversation
		WHERE m."user" = $1 ORDER BY m.conversation`
)

// AppendMessage stores m as the next message of its conversation, which must
// exist (ErrNotFound), and returns it with its Seq. A message with a ClientID
// is stored once: when the conversation already has one from the same sender
// with the same ClientID, that one is returned, unchanged, with existed set.
func (db *DB) AppendMessage(ctx context.Context, m protocol.Message) (stored protocol.Message, existed bool, err error) {
	defer wrap(&err, "append message")
	err = db.update(ctx, func(tx *sql.Tx) error {
		// The UPDATE comes first: it locks the conversation's row until the
		// transaction ends, so a writer of the same ClientID on PostgreSQL
		// waits for this one, then finds its message. (SQLite's IMMEDIATE
		// transactions take one writer at a time anyway.)
		err := tx.QueryRowContext(ctx, `
			UPDATE conversations SET last_seq = last_seq + 1,
				active_ms = CASE WHEN active_ms < $1 THEN $1 ELSE active_ms END
			WHERE id = $2 RETURNING last_seq`, m.TimeMS, m.Conversation).Scan(&m.Seq)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("conversation %q: %w", m.Conversation, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if m.ClientID != "" {
			old, err := scanMessage(tx.QueryRowContext(ctx, selectByClientID, m.Conversation, m.From, m.ClientID))
			if err == nil {
				stored, existed = old, true
				return errResent // rolls the new seq back
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO messages (`+messageColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			m.Conversation, m.Seq, m.ClientID, m.From, m.Type, m.Text, m.TimeMS,
			m.CallID, m.Media, m.Outcome, m.DurationMS)
		stored = m
		return err
	})
	if errors.Is(err, errResent) {
		return stored, true, nil
	}
	if err != nil {
		return protocol.Message{}, false, err
	}
	return stored, existed, nil
}

// errResent ends the transaction of AppendMessage without a trace when the
// message was stored before.
var errResent = errors.New("message stored before")

// History returns the newest limit messages of conv with a seq below before
// (0: no bound), oldest first. more is true when older ones remain.
func (db *DB) History(ctx context.Context, conv string, before int64, limit int) (msgs []protocol.Message, more bool, err error) {
	defer wrap(&err, "history")
	if before == 0 {
		before = math.MaxInt64
	}
	limit = pageSize(limit)
	// One more than asked tells whether there are more.
	msgs, err = queryMessages(ctx, db.read, []protocol.Message{}, selectBefore, conv, before, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(msgs) > limit {
		msgs, more = msgs[:limit], true
	}
	slices.Reverse(msgs)
	return msgs, more, nil
}

// Since returns the messages a client of user has not seen: in every
// conversation user is a member of, those with a seq above after[conv] (0
// when absent), ordered by conversation then seq, at most limit in all. more
// is true when the list was cut; the client then asks again with after
// updated from what it got.
func (db *DB) Since(ctx context.Context, user string, after map[string]int64, limit int) (msgs []protocol.Message, more bool, err error) {
	defer wrap(&err, "since")
	limit = pageSize(limit)
	msgs = []protocol.Message{}
	err = db.view(ctx, func(tx *sql.Tx) error {
		// The conversations with something new, found from their last seq
		// without touching messages. Read in the same snapshot as the
		// messages, last tells whether a conversation's list was cut.
		type pending struct {
			conv        string
			after, last int64
		}
		var todo []pending
		rows, err := tx.QueryContext(ctx, selectLastSeqs, user)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.conv, &p.last); err != nil {
				return err
			}
			p.after = after[p.conv]
			if p.last > p.after {
				todo = append(todo, p)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i, p := range todo {
			msgs, err = queryMessages(ctx, tx, msgs, selectAfter, p.conv, p.after, limit-len(msgs))
			if err != nil {
				return err
			}
			if len(msgs) == limit {
				more = i < len(todo)-1 || msgs[limit-1].Seq < p.last
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return msgs, more, nil
}

// queryMessages appends to msgs the messages a query returns.
func queryMessages(ctx context.Context, q querier, msgs []protocol.Message, query string, args ...any) ([]protocol.Message, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// scanMessage reads a row of messageColumns from a *sql.Row or *sql.Rows.
func scanMessage(row interface{ Scan(...any) error }) (m protocol.Message, err error) {
	err = row.Scan(&m.Conversation, &m.Seq, &m.ClientID, &m.From, &m.Type, &m.Text, &m.TimeMS,
		&m.CallID, &m.Media, &m.Outcome, &m.DurationMS)
	return m, err
}
