package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The migrations of each dialect bring the schema from one version to the
// next: migrations[i] takes version i to i+1. Each runs once, in its own
// transaction, and schema_version keeps a row for every version reached. Add
// new ones at the end, to both lists, which stay the same length and make
// the same tables; never change one that has been released.
var sqliteMigrations = []string{
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
	`
-- A node of a cluster holds a lease while it runs: once it has run out,
-- another node ends the calls it left live.
CREATE TABLE node_leases (
	node     TEXT PRIMARY KEY,
	until_ms INTEGER NOT NULL
) STRICT;
`,
}

// PostgreSQL's schema is SQLite's with its types. Identifiers collate as
// "C", byte by byte, so that they sort as in Go and in SQLite whatever the
// database's locale.
var postgresMigrations = []string{
	`
CREATE TABLE users (
	name          TEXT COLLATE "C" PRIMARY KEY,
	password_hash BYTEA NOT NULL,
	created_ms    BIGINT NOT NULL
);

CREATE TABLE settings (
	key   TEXT COLLATE "C" PRIMARY KEY,
	value BYTEA NOT NULL
);

CREATE TABLE conversations (
	id        TEXT COLLATE "C" PRIMARY KEY,
	name      TEXT NOT NULL,
	last_seq  BIGINT NOT NULL DEFAULT 0,
	active_ms BIGINT NOT NULL
);

CREATE TABLE members (
	conversation TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
	"user"       TEXT COLLATE "C" NOT NULL REFERENCES users (name),
	PRIMARY KEY (conversation, "user")
);

CREATE INDEX members_user ON members ("user", conversation);

CREATE TABLE messages (
	conversation TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
	seq          BIGINT NOT NULL,
	client_id    TEXT COLLATE "C" NOT NULL,
	sender       TEXT COLLATE "C" NOT NULL,
	kind         TEXT NOT NULL,
	text         TEXT NOT NULL,
	time_ms      BIGINT NOT NULL,
	call_id      TEXT NOT NULL,
	media        TEXT NOT NULL,
	outcome      TEXT NOT NULL,
	duration_ms  BIGINT NOT NULL,
	PRIMARY KEY (conversation, seq)
);

CREATE UNIQUE INDEX messages_client_id ON messages (conversation, sender, client_id)
	WHERE client_id <> '';

CREATE TABLE calls (
	id           TEXT COLLATE "C" PRIMARY KEY,
	conversation TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
	media        TEXT NOT NULL,
	caller       TEXT NOT NULL,
	created_ms   BIGINT NOT NULL,
	started_ms   BIGINT NOT NULL,
	ended_ms     BIGINT,
	outcome      TEXT NOT NULL DEFAULT ''
);

CREATE INDEX calls_live ON calls (created_ms) WHERE ended_ms IS NULL;
`,
	`
CREATE TABLE node_leases (
	node     TEXT COLLATE "C" PRIMARY KEY,
	until_ms BIGINT NOT NULL
);
`,
}

// migrate applies the migrations that db has not had yet.
func (db *DB) migrate(ctx context.Context) error {
	// Servers starting together on one SQLite file queue for its write
	// lock, each for busy_timeout at most; on a loaded machine the
	// migrations ahead of one can take longer than that, so a busy
	// database is tried again for a while before giving up.
	giveUp := time.Now().Add(time.Minute)
	for {
		done, err := db.migrateOne(ctx)
		if isBusy(err) && time.Now().Before(giveUp) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next migration, if any. It reads the version in the
// same transaction that applies the migration, and that transaction is
// IMMEDIATE (SQLite) or holds the lock of migrations (PostgreSQL), so that
// two servers starting on the same database cannot both apply it.
func (db *DB) migrateOne(ctx context.Context) (done bool, err error) {
	migrations := db.dialect.migrations
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if db.dialect.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.lockMigrations); err != nil {
			return false, err
		}
	}
	// Both dialects take this; a SQLite database made by an earlier version
	// has it as a STRICT table, which is the same.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return false, err
	}
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, version+1); err != nil {
		return false, err
	}
	return false, tx.Commit()
}

// isBusy tells whether err is SQLite's "database is locked" (SQLITE_BUSY,
// or one of its extended codes).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 5
}
