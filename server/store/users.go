package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is an account.
type User struct {
	Name         string
	PasswordHash []byte
	CreatedMS    int64
}

// CreateUser adds an account. It returns ErrExists if the name is taken.
func (db *DB) CreateUser(ctx context.Context, name string, passwordHash []byte) (err error) {
	defer wrap(&err, "create user")
	n, err := affected(db.write.ExecContext(ctx,
		`INSERT INTO users (name, password_hash, created_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, passwordHash, time.Now().UnixMilli()))
	if err == nil && n == 0 {
		err = fmt.Errorf("user %q: %w", name, ErrExists)
	}
	return err
}

// User returns the account called name, or ErrNotFound.
func (db *DB) User(ctx context.Context, name string) (u User, err error) {
	defer wrap(&err, "user")
	err = db.read.QueryRowContext(ctx, `SELECT name, password_hash, created_ms FROM users WHERE name = $1`, name).
		Scan(&u.Name, &u.PasswordHash, &u.CreatedMS)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return u, err
}

// MissingUsers returns, in the order given, those of names that are not
// accounts.
func (db *DB) MissingUsers(ctx context.Context, names []string) (missing []string, err error) {
	defer wrap(&err, "missing users")
	return missingUsers(ctx, db.read, names)
}

func missingUsers(ctx context.Context, q querier, names []string) ([]string, error) {
	var missing []string
	for _, name := range names {
		var exists bool
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE name = $1)`, name).Scan(&exists)
		if err != nil {
			return nil, err
		}
		if !exists {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// requireUsers returns ErrNotFound, naming them, if some of names are not
// accounts.
func requireUsers(ctx context.Context, tx *sql.Tx, names []string) error {
	missing, err := missingUsers(ctx, tx, names)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("users %s: %w", strings.Join(missing, ", "), ErrNotFound)
	}
	return nil
}

// Secret returns the server's 32-byte HMAC key. The first call makes it; it
// is kept so that tokens stay valid across restarts.
func (db *DB) Secret(ctx context.Context) (secret []byte, err error) {
	defer wrap(&err, "secret")
	const get = `SELECT value FROM settings WHERE key = 'secret'`
	err = db.read.QueryRowContext(ctx, get).Scan(&secret)
	if !errors.Is(err, sql.ErrNoRows) {
		return secret, err
	}
	// Two first callers may race here; DO NOTHING keeps the first key written,
	// and both return it.
	key := make([]byte, 32)
	rand.Read(key) // never fails since Go 1.24
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`, key)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, get).Scan(&secret)
	})
	return secret, err
}
