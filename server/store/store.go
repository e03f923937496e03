// Package store keeps parley-server's state: users, the server's secret,
// conversations and their members, messages, and calls. It keeps them in a
// SQLite file (Open), or in a PostgreSQL database that several servers may
// share (OpenPostgres).
//
// Both run the same queries through database/sql; a dialect holds the few
// things that differ. The drivers, modernc.org/sqlite and pgx, are pure Go,
// so that the server builds with CGO_ENABLED=0.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Errors that callers tell apart, through errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// DB is the store. Its methods may be called from any goroutine.
//
// On SQLite it holds two pools on the same file. Writes go through a pool of
// one connection that begins every transaction IMMEDIATE, so a transaction
// that reads a sequence number and writes the next one is never interleaved
// with another writer, in this process or in another. Reads go through their
// own pool so that, with WAL, they run beside the writer and each other.
//
// On PostgreSQL read and write are one pool: there, writers of the same rows
// wait for each other through row locks, taken by the UPDATE that hands out
// a sequence number or by a SELECT ending in dialect.lockRow.
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect *dialect
}

// dialect is what differs between the databases; the queries are the same.
// They are written for both: $N placeholders (SQLite takes $N as ?N) and
// "user" quoted, as PostgreSQL reserves the word.
type dialect struct {
	// migrations[i] takes the schema from version i to i+1 (see migrate).
	migrations []string
	// lockMigrations, run first in each migration transaction, keeps two
	// servers starting together from applying the same migration twice.
	// SQLite needs none: its transactions of the write pool are IMMEDIATE.
	lockMigrations string
	// lockRow ends a SELECT of a row that the transaction goes on to
	// depend on, locking it against other writers until the transaction
	// ends. A SQLite write transaction locks the whole database anyway.
	lockRow string
	// readTx begins the transactions of view, which must see one snapshot.
	readTx *sql.TxOptions
}

var sqlite = &dialect{
	migrations: sqliteMigrations,
}

var postgres = &dialect{
	migrations: postgresMigrations,
	// Any constant: it names the lock of parley's migrations.
	lockMigrations: `SELECT pg_advisory_xact_lock(7000)`,
	// Not FOR UPDATE: inserts that refer to the row need not wait.
	lockRow: ` FOR NO KEY UPDATE`,
	// READ COMMITTED, the default, takes a snapshot per statement.
	readTx: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
}

// Open opens the store in dir, creating dir and the database as needed, and
// brings the schema up to date.
func Open(dir string) (_ *DB, err error) {
	defer wrap(&err, "open")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dsn, err := dataSource(filepath.Join(dir, "parley.db"))
	if err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	// query_only makes a write sent to the wrong pool fail instead of racing
	// with the writer.
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	// Queries are short: a connection per core, and a few at least, keep the
	// cores busy without a file and a page cache for every waiting goroutine.
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db := &DB{read: read, write: write, dialect: sqlite}
	if err := db.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenPostgres opens the store in the PostgreSQL database at url (a URL,
// postgres://user:password@host:port/database?sslmode=..., or the key=value
// form of libpq) and brings the schema up to date. Several servers may share
// the database.
func OpenPostgres(ctx context.Context, url string) (_ *DB, err error) {
	defer wrap(&err, "open")
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	// Enough for a busy server, and far below PostgreSQL's default 100
	// connections, which a few servers share.
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	db := &DB{read: pool, write: pool, dialect: postgres}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// dataSource makes a SQLite URI of path, so that no character of the path
// (such as '?' or '#') is taken for URI syntax. The _pragma parameters are
// run by the driver on every new connection, so every pooled connection has
// them.
func dataSource(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/...
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() +
		"?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(1)", nil
}

// Close closes the database. The writer goes last: the last connection to
// close checkpoints a SQLite WAL into the main file.
func (db *DB) Close() error {
	if db.read == db.write {
		return db.write.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// update runs fn in a write transaction and commits it when fn succeeds.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// view runs fn in a read transaction, so that its queries see one snapshot.
func (db *DB) view(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, db.dialect.readTx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// querier is what *sql.DB and *sql.Tx share, for helpers used both inside
// and outside transactions.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// wrap prefixes a method's error with the store and the operation, so that a
// log line tells where it came from. Sentinels stay visible to errors.Is.
func wrap(err *error, op string) {
	if *err != nil {
		*err = fmt.Errorf("store: %s: %w", op, *err)
	}
}

// affected returns how many rows a statement changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
