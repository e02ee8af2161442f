package journal

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1 (PRAGMA user_version).
// Append only: a released migration is never edited. No column may hold a
// password or any other secret; TestSchemaHasNoSecretColumns guards the names.
var migrations = []string{
	`CREATE TABLE runs (
		id          INTEGER PRIMARY KEY,
		command     TEXT NOT NULL,
		source      TEXT NOT NULL DEFAULT '',
		args        TEXT NOT NULL DEFAULT '[]',
		started_at  TEXT NOT NULL,
		finished_at TEXT NOT NULL DEFAULT '',
		status      TEXT NOT NULL DEFAULT 'running'
		            CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
		summary     TEXT NOT NULL DEFAULT '{}'
	);
	CREATE TABLE people (
		account          TEXT NOT NULL,
		user_key         TEXT NOT NULL,
		user_name        TEXT NOT NULL,
		email            TEXT NOT NULL DEFAULT '',
		managed          INTEGER NOT NULL DEFAULT 0,
		user_state       TEXT NOT NULL DEFAULT '',
		credential_id    TEXT NOT NULL DEFAULT '',
		credential_state TEXT NOT NULL DEFAULT 'none'
		                 CHECK (credential_state IN ('none', 'issued', 'delivered')),
		channel          TEXT NOT NULL DEFAULT '',
		receipt          TEXT NOT NULL DEFAULT '',
		updated_at       TEXT NOT NULL,
		last_run         INTEGER NOT NULL REFERENCES runs(id),
		PRIMARY KEY (account, user_key)
	) WITHOUT ROWID;
	CREATE INDEX people_credential_state ON people(credential_state, account, user_key);
	CREATE TABLE steps (
		id        INTEGER PRIMARY KEY,
		run_id    INTEGER NOT NULL REFERENCES runs(id),
		account   TEXT NOT NULL,
		user_name TEXT NOT NULL,
		email     TEXT NOT NULL DEFAULT '',
		step      TEXT NOT NULL,
		status    TEXT NOT NULL CHECK (status IN ('done', 'failed', 'skipped')),
		detail    TEXT NOT NULL DEFAULT '',
		at        TEXT NOT NULL
	);
	CREATE INDEX steps_run ON steps(run_id);
	CREATE TABLE credentials (
		id            INTEGER PRIMARY KEY,
		run_id        INTEGER NOT NULL REFERENCES runs(id),
		account       TEXT NOT NULL,
		user_name     TEXT NOT NULL,
		credential_id TEXT NOT NULL,
		at            TEXT NOT NULL
	);
	CREATE INDEX credentials_run ON credentials(run_id);
	CREATE TABLE deliveries (
		id            INTEGER PRIMARY KEY,
		run_id        INTEGER NOT NULL REFERENCES runs(id),
		account       TEXT NOT NULL,
		user_name     TEXT NOT NULL,
		credential_id TEXT NOT NULL,
		channel       TEXT NOT NULL,
		status        TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
		receipt       TEXT NOT NULL DEFAULT '',
		error         TEXT NOT NULL DEFAULT '',
		at            TEXT NOT NULL
	);
	CREATE INDEX deliveries_run ON deliveries(run_id);`,
	offboardMigration,     // version 2: archives and suspensions (offboard.go)
	archiveEmailMigration, // version 3: the person's e-mail on archives (offboard.go)
	linksMigration,        // version 4: the claim links that carried credentials (links.go)
	eventsMigration,       // version 5: the events watchers handled (events.go)
	oktaMigration,         // version 6: the Okta hook's queue and what its events said (okta.go)
}

// migrate applies the migrations the file has not seen, each in its own
// transaction together with the version bump.
func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading the journal's schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("reading the journal: schema version %d is newer than this gatehouse knows (%d); upgrade gatehouse", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if err := applyMigration(ctx, db, v); err != nil {
			return fmt.Errorf("migrating the journal to schema version %d: %w", v+1, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// Another process may have migrated between our read and our write lock.
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current > v {
		return nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return err
	}
	return tx.Commit()
}
