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

	"parley/internal/pgtest"
	"parley/protocol"
)

// TestMain stops the PostgreSQL server the tests started.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// testStore is an empty store for one test: a SQLite directory, or a
// PostgreSQL database when url is set.
type testStore struct {
	dir, url string
}

// storeKinds are the databases the tests run on; fresh makes an empty store
// for a test.
var storeKinds = []struct {
	name  string
	fresh func(testing.TB) testStore
}{
	{"sqlite", func(t testing.TB) testStore { return testStore{dir: t.TempDir()} }},
	{"postgres", func(t testing.TB) testStore { return testStore{url: pgtest.Shared(t).NewDatabase(t)} }},
}

// forEachStore runs test on a fresh store of each kind.
func forEachStore(t *testing.T, test func(t *testing.T, s testStore)) {
	t.Helper()
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { test(t, k.fresh(t)) })
	}
}

// openErr opens a handle on the store. Each call opens another, as another
// server process would.
func (s testStore) openErr() (*DB, error) {
	if s.url != "" {
		return OpenPostgres(context.Background(), s.url)
	}
	return Open(s.dir)
}

// open opens a handle on the store, closed when the test ends.
func (s testStore) open(t testing.TB) *DB {
	t.Helper()
	db, err := s.openErr()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newTest opens the store s with the users alice, bob, carol and dave.
func newTest(t testing.TB, s testStore) *DB {
	t.Helper()
	return seed(t, s.open(t))
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
			db := testStore{dir: dir}.open(t)
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
	// The database name is right, the cluster is not there.
	url := pgtest.Shared(t).URL("nowhere")
	for _, url := range []string{"postgres://%zz", url} {
		if _, err := OpenPostgres(t.Context(), url); err == nil || !strings.HasPrefix(err.Error(), "store: open: ") {
			t.Errorf("OpenPostgres(%q): %v, want a store: open: error", url, err)
		}
	}
}

func TestReopen(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db, err := s.openErr()
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

		db = s.open(t)
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
		if versions != len(db.dialect.migrations) || last != len(db.dialect.migrations) {
			t.Errorf("schema_version has %d rows up to %d, want %d", versions, last, len(db.dialect.migrations))
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		db := s.open(t)
		if _, err := db.write.Exec(`INSERT INTO schema_version (version) VALUES ($1)`, len(db.dialect.migrations)+1); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if db, err := s.openErr(); err == nil {
			db.Close()
			t.Error("Open of a database from a newer program succeeded")
		}
	})
}

// TestConcurrentOpen starts several servers on one new database at once:
// each migration is applied once, and every Open succeeds.
func TestConcurrentOpen(t *testing.T) {
	if len(sqliteMigrations) != len(postgresMigrations) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(sqliteMigrations), len(postgresMigrations))
	}
	forEachStore(t, func(t *testing.T, s testStore) {
		dbs := make([]*DB, 4)
		errs := make([]error, len(dbs))
		var wg sync.WaitGroup
		for i := range dbs {
			wg.Go(func() { dbs[i], errs[i] = s.openErr() })
		}
		wg.Wait()
		for i, db := range dbs {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			t.Cleanup(func() { db.Close() })
		}
		var versions int
		if err := dbs[0].read.QueryRow(`SELECT count(*) FROM schema_version`).Scan(&versions); err != nil || versions != len(sqliteMigrations) {
			t.Errorf("schema_version has %d rows, %v; want %d", versions, err, len(sqliteMigrations))
		}
	})
}

// TestConcurrentAppends has writers on several handles, as in several server
// processes, append to one conversation at once. Two writers, on different
// handles, send each message, with the same ClientID, as a client that
// resends after a reconnect might: each is stored once, and the seqs have no
// gap and no repeat.
func TestConcurrentAppends(t *testing.T) {
	const writers, each = 8, 50
	const messages = writers / 2 * each
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		dbs := []*DB{seed(t, s.open(t)), s.open(t)}
		conv, err := dbs[0].EnsureDirect(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		var stored sync.Map // ClientID → Seq, of the writer that stored it
		for w := range writers {
			wg.Go(func() {
				db := dbs[w%len(dbs)]
				for i := range each {
					m, existed, err := db.AppendMessage(ctx, protocol.Message{
						Conversation: conv, From: "alice", Type: protocol.KindText,
						ClientID: fmt.Sprintf("w%d-%d", w/2, i), Text: "hi", TimeMS: int64(i),
					})
					if err != nil {
						errs <- err
						continue
					}
					if !existed {
						if prev, dup := stored.LoadOrStore(m.ClientID, m.Seq); dup {
							errs <- fmt.Errorf("%s stored twice, as %d and %d", m.ClientID, prev, m.Seq)
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		msgs, more, err := dbs[1].History(ctx, conv, 0, messages+1)
		if err != nil || more || len(msgs) != messages {
			t.Fatalf("history: %d messages, more %v, %v; want %d", len(msgs), more, err, messages)
		}
		for i, m := range msgs {
			if seq, _ := stored.Load(m.ClientID); m.Seq != int64(i+1) || seq != m.Seq {
				t.Fatalf("message %d has seq %d; its writer got %v", i, m.Seq, seq)
			}
		}
		c, err := dbs[0].Conversation(ctx, conv)
		if err != nil || c.LastSeq != messages {
			t.Errorf("last seq %d, %v; want %d", c.LastSeq, err, messages)
		}
	})
}

// TestConcurrentAddMembers has two handles add members to one group at once,
// each add fitting the limit but not both: one of them is refused.
func TestConcurrentAddMembers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		dbs := []*DB{seed(t, s.open(t)), s.open(t)}
		var users []string
		for i := range protocol.MaxGroupMembers + 1 {
			u := fmt.Sprintf("user%03d", i)
			if err := dbs[0].CreateUser(ctx, u, []byte("h")); err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		// alice and limit-3 others: each add of two fits, both do not.
		n := protocol.MaxGroupMembers - 3
		for round := range 5 {
			group := fmt.Sprint("g", round)
			if _, err := dbs[0].CreateGroup(ctx, group, "G", "alice", users[:n]); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, db := range dbs {
				wg.Go(func() { _, errs[i] = db.AddMembers(ctx, "group:"+group, users[n+2*i:n+2*i+2]) })
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("errors %v; want one add refused", errs)
			}
			if members, err := dbs[0].Members(ctx, "group:"+group); err != nil || len(members) != protocol.MaxGroupMembers {
				t.Fatalf("%d members, %v; want %d", len(members), err, protocol.MaxGroupMembers)
			}
		}
	})
}

// TestQueryPlans checks that the queries run on every message go through an
// index: no scan of a table, no sort.
//
// The plans are SQLite's: PostgreSQL plans by the size of its tables.
func TestQueryPlans(t *testing.T) {
	db := newTest(t, testStore{dir: t.TempDir()})
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
	forEachStore(t, func(t *testing.T, s testStore) {
		db := newTest(t, s)
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
	})
}

func BenchmarkAppendMessage(b *testing.B) {
	for _, k := range storeKinds {
		b.Run(k.name, func(b *testing.B) {
			db := newTest(b, k.fresh(b))
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
		})
	}
}

// TestIsBusy checks that a locked SQLite database is told apart, as the
// migrations' retry needs.
func TestIsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Begin()
	if !isBusy(err) {
		t.Errorf("a second writer got %v: not taken for busy", err)
	}
	if isBusy(nil) || isBusy(errors.New("database is locked")) {
		t.Error("an error without SQLite's code taken for busy")
	}
}
