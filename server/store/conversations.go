package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"parley/protocol"
)

// EnsureDirect returns the id of the conversation of users a and b (see
// protocol.DirectConversation), creating it with both as members the first
// time. Both must be accounts (ErrNotFound).
func (db *DB) EnsureDirect(ctx context.Context, a, b string) (id string, err error) {
	defer wrap(&err, "ensure direct")
	id = protocol.DirectConversation(a, b)
	if err := protocol.ValidConversation(id); err != nil {
		return "", err
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		created, err := createConversation(ctx, tx, id, "")
		if err != nil || !created {
			return err
		}
		return addMembers(ctx, tx, id, []string{a, b})
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// CreateGroup creates the group conversation of the group id, given bare or
// as its conversation id ("group:ID"), with creator and members as members.
// It returns ErrExists if the id is taken, and ErrNotFound if a member is not
// an account.
func (db *DB) CreateGroup(ctx context.Context, id, name, creator string, members []string) (c protocol.Conversation, err error) {
	defer wrap(&err, "create group")
	if !strings.HasPrefix(id, protocol.GroupConversation("")) {
		id = protocol.GroupConversation(id)
	}
	if err := protocol.ValidConversation(id); err != nil {
		return protocol.Conversation{}, err
	}
	// Sorted, as Conversation returns them; Compact drops duplicates.
	all := slices.Compact(slices.Sorted(slices.Values(append([]string{creator}, members...))))
	err = db.update(ctx, func(tx *sql.Tx) error {
		created, err := createConversation(ctx, tx, id, name)
		if err != nil {
			return err
		}
		if !created {
			return fmt.Errorf("conversation %q: %w", id, ErrExists)
		}
		return addMembers(ctx, tx, id, all)
	})
	if err != nil {
		return protocol.Conversation{}, err
	}
	return protocol.Conversation{ID: id, Name: name, Members: all}, nil
}

// AddMembers adds members to a group conversation; those already in it are
// skipped. It returns the conversation as it is afterwards, or a conflict
// (and adds nobody) when the group would grow past protocol.MaxGroupMembers.
func (db *DB) AddMembers(ctx context.Context, conv string, members []string) (c protocol.Conversation, err error) {
	defer wrap(&err, "add members")
	// A direct conversation is two people by its very id.
	if _, g, err := protocol.ParseConversation(conv); err != nil || g == "" {
		return protocol.Conversation{}, fmt.Errorf("%q is not a group conversation", conv)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		// The lock makes two adds at once on PostgreSQL take turns, as
		// they do on SQLite, for the limit below.
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM conversations WHERE id = $1`+db.dialect.lockRow, conv).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("conversation %q: %w", conv, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := addMembers(ctx, tx, conv, members); err != nil {
			return err
		}
		c, err = conversation(ctx, tx, conv)
		if err == nil && len(c.Members) > protocol.MaxGroupMembers {
			// Checked after the insert, in the same transaction, so two adds
			// at once cannot both slip under the limit.
			return protocol.Errorf(protocol.CodeConflict, "the group would have %d members; a group holds at most %d",
				len(c.Members), protocol.MaxGroupMembers)
		}
		return err
	})
	if err != nil {
		return protocol.Conversation{}, err
	}
	return c, nil
}

// createConversation inserts a conversation and reports whether it was new.
func createConversation(ctx context.Context, tx *sql.Tx, id, name string) (bool, error) {
	n, err := affected(tx.ExecContext(ctx,
		`INSERT INTO conversations (id, name, active_ms) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		id, name, time.Now().UnixMilli()))
	return n == 1, err
}

func addMembers(ctx context.Context, tx *sql.Tx, conv string, users []string) error {
	if err := requireUsers(ctx, tx, users); err != nil {
		return err
	}
	for _, u := range users {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO members (conversation, "user") VALUES ($1, $2) ON CONFLICT DO NOTHING`, conv, u)
		if err != nil {
			return err
		}
	}
	return nil
}

// Conversation returns the conversation conv, or ErrNotFound.
func (db *DB) Conversation(ctx context.Context, conv string) (c protocol.Conversation, err error) {
	defer wrap(&err, "conversation")
	err = db.view(ctx, func(tx *sql.Tx) error {
		c, err = conversation(ctx, tx, conv)
		return err
	})
	return c, err
}

func conversation(ctx context.Context, q querier, id string) (c protocol.Conversation, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, name, last_seq FROM conversations WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.LastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	c.Members, err = members(ctx, q, id)
	return c, err
}

// IsMember reports whether user is a member of conv.
func (db *DB) IsMember(ctx context.Context, conv, user string) (member bool, err error) {
	defer wrap(&err, "is member")
	err = db.read.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM members WHERE conversation = $1 AND "user" = $2)`, conv, user).Scan(&member)
	return member, err
}

// Members returns the members of conv, sorted, or ErrNotFound.
func (db *DB) Members(ctx context.Context, conv string) (users []string, err error) {
	defer wrap(&err, "members")
	users, err = members(ctx, db.read, conv)
	// Every conversation is made with members, and none leaves.
	if err == nil && len(users) == 0 {
		err = fmt.Errorf("conversation %q: %w", conv, ErrNotFound)
	}
	return users, err
}

func members(ctx context.Context, q querier, conv string) ([]string, error) {
	return scanStrings(q.QueryContext(ctx, `SELECT "user" FROM members WHERE conversation = $1 ORDER BY "user"`, conv))
}

// Conversations returns every conversation user is a member of, with its
// members and last seq, the most recently active first.
func (db *DB) Conversations(ctx context.Context, user string) (convs []protocol.Conversation, err error) {
	defer wrap(&err, "conversations")
	convs = []protocol.Conversation{}
	err = db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT c.id, c.name, c.last_seq
			FROM members AS m JOIN conversations AS c ON c.id = m.conversation
			WHERE m."user" = $1
			ORDER BY c.active_ms DESC, c.id`, user)
		if err != nil {
			return err
		}
		defer rows.Close()
		at := make(map[string]int)
		for rows.Next() {
			c := protocol.Conversation{Members: []string{}}
			if err := rows.Scan(&c.ID, &c.Name, &c.LastSeq); err != nil {
				return err
			}
			at[c.ID] = len(convs)
			convs = append(convs, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// All the members of all those conversations, in one query. It sees
		// the same snapshot, so it names the same conversations.
		rows, err = tx.QueryContext(ctx, `
			SELECT o.conversation, o."user"
			FROM members AS m JOIN members AS o ON o.conversation = m.conversation
			WHERE m."user" = $1
			ORDER BY m.conversation, o."user"`, user)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var conv, member string
			if err := rows.Scan(&conv, &member); err != nil {
				return err
			}
			c := &convs[at[conv]]
			c.Members = append(c.Members, member)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return convs, nil
}

// Contacts returns, sorted, the users who share a conversation with user.
func (db *DB) Contacts(ctx context.Context, user string) (users []string, err error) {
	defer wrap(&err, "contacts")
	return scanStrings(db.read.QueryContext(ctx, `
		SELECT DISTINCT o."user"
		FROM members AS m JOIN members AS o ON o.conversation = m.conversation
		WHERE m."user" = $1 AND o."user" <> $1
		ORDER BY o."user"`, user))
}

// scanStrings reads a one-column result. The slice is never nil, so that it
// encodes as a JSON array.
func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, nil
}
