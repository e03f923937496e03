package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from one version to the next: migrations[i]
// takes version i to i+1. Each runs once, in its own transaction, and
// schema_version keeps a row for every version reached. Add new ones at the
// end; never change one that has been released.
var migrations = []string{
	`
CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	password_hash BLOB NOT NULL,
	created_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;

-- last_seq is the seq of the newest message; active_ms the time of it, or of
-- the creation, to list a user's conversations by recent activity.
CREATE TABLE conversations (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	last_seq  INTEGER NOT NULL DEFAULT 0,
	active_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE members (
	conversation TEXT NOT NULL REFERENCES conversations (id),
	user         TEXT NOT NULL REFERENCES users (name),
	PRIMARY KEY (conversation, user)
) STRICT, WITHOUT ROWID;

CREATE INDEX members_user ON members (user, conversation);

-- A rowid table: texts of kilobytes are too big for a WITHOUT ROWID one.
CREATE TABLE messages (
	conversation TEXT NOT NULL REFERENCES conversations (id),
	seq          INTEGER NOT NULL,
	client_id    TEXT NOT NULL,
	sender       TEXT NOT NULL,
	kind         TEXT NOT NULL,
	text         TEXT NOT NULL,
	time_ms      INTEGER NOT NULL,
	call_id      TEXT NOT NULL,
	media        TEXT NOT NULL,
	outcome      TEXT NOT NULL,
	duration_ms  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX messages_seq ON messages (conversation, seq);

CREATE UNIQUE INDEX messages_client_id ON messages (conversation, sender, client_id)
	WHERE client_id <> '';

-- ended_ms is NULL while the call is live.
CREATE TABLE calls (
	id           TEXT PRIMARY KEY,
	conversation TEXT NOT NULL REFERENCES conversations (id),
	media        TEXT NOT NULL,
	caller       TEXT NOT NULL,
	created_ms   INTEGER NOT NULL,
	started_ms   INTEGER NOT NULL,
	ended_ms     INTEGER,
	outcome      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX calls_live ON calls (created_ms) WHERE ended_ms IS NULL;
`,
}

// migrate applies the migrations that db has not had yet.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next migration, if any. It reads the version in the
// same (immediate) transaction that applies the migration, so that two
// servers starting on the same file cannot both apply it.
func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&version); err != nil {
		return false, err
	}
	if version > len(migrations) {
		return false, fmt.Errorf("the database has schema version %d, newer than this program's %d", version, len(migrations))
	}
	if version == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("version %d: %w", version+1, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, version+1); err != nil {
		return false, err
	}
	return false, tx.Commit()
}
