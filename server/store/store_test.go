package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"parley/protocol"
)

func openTest(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newTest opens a store with the users alice, bob, carol and dave.
func newTest(t testing.TB) *DB {
	t.Helper()
	return seed(t, openTest(t, t.TempDir()))
}

func seed(t testing.TB, db *DB) *DB {
	t.Helper()
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		if err := db.CreateUser(t.Context(), u, []byte("hash of "+u)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// errAny, as the error a test wants, stands for any error.
var errAny = errors.New("any error")

// matches reports whether err is the error a test wants: nil, errAny, or
// one that errors.Is finds.
func matches(err, want error) bool {
	if want == errAny {
		return err != nil
	}
	return errors.Is(err, want)
}

func TestOpen(t *testing.T) {
	for _, name := range []string{"data", "with space", "odd?#%name", "nested/deeper"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			db := openTest(t, dir)
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o700 {
				t.Errorf("dir mode %v, want 0700", perm)
			}
			if _, err := os.Stat(filepath.Join(dir, "parley.db")); err != nil {
				t.Error(err)
			}
			checkPragmas(t, db.write, 1, 0)
			checkPragmas(t, db.read, 3, 1)
		})
	}
}

// checkPragmas holds n connections of pool at once, so that they are
// distinct, and checks the settings of each.
func checkPragmas(t *testing.T, pool *sql.DB, n int, queryOnly int64) {
	t.Helper()
	want := map[string]any{
		"journal_mode": "wal",
		"busy_timeout": int64(5000),
		"foreign_keys": int64(1),
		"synchronous":  int64(1), // NORMAL
		"query_only":   queryOnly,
	}
	for range n {
		conn, err := pool.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, w := range want {
			var got any
			if err := conn.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s = %v, want %v", pragma, got, w)
			}
		}
	}
}

func TestOpenFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file); err == nil || !strings.HasPrefix(err.Error(), "store: open: ") {
		t.Errorf("Open of a file: %v, want a store: open: error", err)
	}
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, "bob", []byte("h")); err != nil {
		t.Fatal(err)
	}
	conv, err := db.EnsureDirect(ctx, "alice", "bob")
	if err != nil {
		t.Fatal(err)
	}
	sent, _, err := db.AppendMessage(ctx, protocol.Message{Conversation: conv, From: "alice", Type: protocol.KindText, Text: "hi", TimeMS: 1})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.Secret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTest(t, dir)
	if _, err := db.User(ctx, "alice"); err != nil {
		t.Error(err)
	}
	again, err := db.Secret(ctx)
	if err != nil || !bytes.Equal(again, secret) {
		t.Errorf("secret after reopen: %x, %v; want %x", again, err, secret)
	}
	msgs, _, err := db.History(ctx, conv, 0, 0)
	if err != nil || len(msgs) != 1 || msgs[0] != sent {
		t.Errorf("history after reopen: %+v, %v; want [%+v]", msgs, err, sent)
	}
	// The first migration creates its tables without IF NOT EXISTS: had it
	// run again, Open would have failed. One row per version says the same.
	var versions, last int
	if err := db.read.QueryRow(`SELECT count(*), max(version) FROM schema_version`).Scan(&versions, &last); err != nil {
		t.Fatal(err)
	}
	if versions != len(migrations) || last != len(migrations) {
		t.Errorf("schema_version has %d rows up to %d, want %d", versions, last, len(migrations))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_version (version) VALUES (?)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := Open(dir); err == nil {
		db.Close()
		t.Error("Open of a database from a newer program succeeded")
	}
}

func TestConcurrentAppends(t *testing.T) {
	const writers, each = 8, 50
	// handles > 1 stands for several processes on one file: only the
	// IMMEDIATE transactions keep them from reading the same last seq.
	for _, handles := range []int{1, 2} {
		t.Run(fmt.Sprint(handles, " handles"), func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			first := seed(t, openTest(t, dir))
			dbs := []*DB{first}
			for range handles - 1 {
				dbs = append(dbs, openTest(t, dir))
			}
			conv, err := first.EnsureDirect(ctx, "alice", "bob")
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := range writers {
				wg.Go(func() {
					db := dbs[w%len(dbs)]
					for i := range each {
						_, _, err := db.AppendMessage(ctx, protocol.Message{
							Conversation: conv, From: "alice", Type: protocol.KindText,
							ClientID: fmt.Sprintf("w%d-%d", w, i), Text: "hi", TimeMS: int64(i),
						})
						if err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			msgs, more, err := first.History(ctx, conv, 0, writers*each)
			if err != nil || more || len(msgs) != writers*each {
				t.Fatalf("history: %d messages, more %v, %v", len(msgs), more, err)
			}
			for i, m := range msgs {
				if m.Seq != int64(i+1) {
					t.Fatalf("message %d has seq %d", i, m.Seq)
				}
			}
			c, err := first.Conversation(ctx, conv)
			if err != nil || c.LastSeq != writers*each {
				t.Errorf("last seq %d, %v; want %d", c.LastSeq, err, writers*each)
			}
		})
	}
}

// TestQueryPlans checks that the queries run on every message go through an
// index: no scan of a table, no sort.
func TestQueryPlans(t *testing.T) {
	db := newTest(t)
	for _, tc := range []struct {
		name, query string
		args        []any
	}{
		{"by client id", selectByClientID, []any{"group:g", "alice", "c1"}},
		{"before", selectBefore, []any{"group:g", 10, 5}},
		{"after", selectAfter, []any{"group:g", 10, 5}},
		{"last seqs", selectLastSeqs, []any{"alice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := db.read.Query("EXPLAIN QUERY PLAN "+tc.query, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				if !strings.HasPrefix(step, "SEARCH ") || !strings.Contains(step, "INDEX") {
					t.Errorf("plan %q has step %q", plan, step)
				}
			}
		})
	}
}

// TestCanceled checks that every method fails, without panicking, on a
// context that is done, and says that it was the store.
func TestCanceled(t *testing.T) {
	db := newTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"CreateUser":   func() error { return db.CreateUser(ctx, "erin", nil) },
		"User":         func() error { _, err := db.User(ctx, "alice"); return err },
		"MissingUsers": func() error { _, err := db.MissingUsers(ctx, []string{"alice"}); return err },
		"Secret":       func() error { _, err := db.Secret(ctx); return err },
		"EnsureDirect": func() error { _, err := db.EnsureDirect(ctx, "alice", "bob"); return err },
		"CreateGroup":  func() error { _, err := db.CreateGroup(ctx, "g", "G", "alice", nil); return err },
		"AddMembers":   func() error { _, err := db.AddMembers(ctx, "group:g", []string{"bob"}); return err },
		"Conversation": func() error { _, err := db.Conversation(ctx, "group:g"); return err },
		"IsMember":     func() error { _, err := db.IsMember(ctx, "group:g", "alice"); return err },
		"Members":      func() error { _, err := db.Members(ctx, "group:g"); return err },
		"Conversations": func() error {
			_, err := db.Conversations(ctx, "alice")
			return err
		},
		"Contacts": func() error { _, err := db.Contacts(ctx, "alice"); return err },
		"AppendMessage": func() error {
			_, _, err := db.AppendMessage(ctx, protocol.Message{Conversation: "group:g"})
			return err
		},
		"History":         func() error { _, _, err := db.History(ctx, "group:g", 0, 0); return err },
		"Since":           func() error { _, _, err := db.Since(ctx, "alice", nil, 0); return err },
		"CallStarted":     func() error { return db.CallStarted(ctx, CallRow{ID: "c"}) },
		"CallAnswered":    func() error { return db.CallAnswered(ctx, "c", 1) },
		"CallEnded":       func() error { return db.CallEnded(ctx, "c", protocol.OutcomeFailed, 1) },
		"UnfinishedCalls": func() error { _, err := db.UnfinishedCalls(ctx); return err },
	}
	for name, call := range calls {
		err := call()
		if err == nil || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("%s: %v, want a store: error", name, err)
		}
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) {
			t.Errorf("%s: %v is not a context error", name, err)
		}
	}
}

func BenchmarkAppendMessage(b *testing.B) {
	db := newTest(b)
	conv, err := db.EnsureDirect(b.Context(), "alice", "bob")
	if err != nil {
		b.Fatal(err)
	}
	m := protocol.Message{Conversation: conv, From: "alice", Type: protocol.KindText, Text: strings.Repeat("x", 100)}
	i := 0
	for b.Loop() {
		i++
		m.ClientID = fmt.Sprint("c", i)
		if _, _, err := db.AppendMessage(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
}
