package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// offboardMigration (schema version 2) adds what offboarding records: the
// archive of every user it is about to change, and what each suspension
// deactivated. Like every migration, it is never edited once released.
const offboardMigration = `CREATE TABLE archives (
		id        INTEGER PRIMARY KEY,
		run_id    INTEGER NOT NULL REFERENCES runs(id),
		account   TEXT NOT NULL,
		user_key  TEXT NOT NULL,
		user_name TEXT NOT NULL,
		user_id   TEXT NOT NULL DEFAULT '',
		action    TEXT NOT NULL CHECK (action IN ('remove', 'suspend', 'reinstate')),
		record    TEXT NOT NULL,
		file      TEXT NOT NULL DEFAULT '',
		at        TEXT NOT NULL
	);
	CREATE INDEX archives_user ON archives(account, user_key, id);
	CREATE TABLE suspensions (
		account       TEXT NOT NULL,
		user_key      TEXT NOT NULL,
		user_name     TEXT NOT NULL,
		state         TEXT NOT NULL CHECK (state IN ('suspended', 'reinstated')),
		login_removed INTEGER NOT NULL DEFAULT 0,
		suspended_at  TEXT NOT NULL,
		reinstated_at TEXT NOT NULL DEFAULT '',
		run_id        INTEGER NOT NULL REFERENCES runs(id),
		PRIMARY KEY (account, user_key)
	) WITHOUT ROWID;
	CREATE TABLE suspended_items (
		account  TEXT NOT NULL,
		user_key TEXT NOT NULL,
		kind     TEXT NOT NULL,
		item_id  TEXT NOT NULL,
		PRIMARY KEY (account, user_key, kind, item_id)
	) WITHOUT ROWID;`

// archiveEmailMigration (schema version 3) keeps the person's e-mail address
// with each archive, so a rerun that names the person by address can still find
// the user it removed (IAM no longer can).
const archiveEmailMigration = `ALTER TABLE archives ADD COLUMN email TEXT NOT NULL DEFAULT '';
	CREATE INDEX archives_email ON archives(account, email);`

// Archive actions (ArchiveRecord.Action).
const (
	ArchiveRemove    = "remove"
	ArchiveSuspend   = "suspend"
	ArchiveReinstate = "reinstate"
)

// Suspension states (Suspension.State).
const (
	Suspended  = "suspended"
	Reinstated = "reinstated"
)

// ArchiveRecord is what offboarding read of one user in one account before it
// changed anything: Record is the JSON document (never a secret: IAM returns
// none), File where a copy was written.
type ArchiveRecord struct {
	ID       int64
	RunID    int64
	Account  string
	UserName string
	UserID   string
	Email    string // the person's address, when known
	Action   string // ArchiveRemove, ArchiveSuspend, ArchiveReinstate
	Record   []byte
	File     string
	At       time.Time
}

// SuspendedItem is one credential a suspension deactivated: its kind (as
// offboarding names it, "access key") and ID.
type SuspendedItem struct {
	Kind string
	ID   string
}

// Suspension is what the journal knows about a user's suspension.
type Suspension struct {
	Account      string
	UserName     string
	State        string // Suspended or Reinstated
	LoginRemoved bool   // the suspension deleted the user's login profile
	Items        []SuspendedItem
	SuspendedAt  time.Time
	ReinstatedAt time.Time
	RunID        int64
}

// RecordArchive stores an archive record. Records are only ever added: a
// rerun archives again what it finds, and the earlier records stay.
func (j *Journal) RecordArchive(ctx context.Context, a ArchiveRecord) error {
	if !slices.Contains([]string{ArchiveRemove, ArchiveSuspend, ArchiveReinstate}, a.Action) {
		return fmt.Errorf("archiving user (%s) in account (%s): action %q is not one of %s, %s, %s",
			a.UserName, a.Account, a.Action, ArchiveRemove, ArchiveSuspend, ArchiveReinstate)
	}
	if len(a.Record) == 0 {
		return fmt.Errorf("archiving user (%s) in account (%s): the record is empty", a.UserName, a.Account)
	}
	return j.person(ctx, "archiving", a.Account, a.UserName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO archives (run_id, account, user_key, user_name, user_id, email, action, record, file, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.RunID, a.Account, userKey(a.UserName), a.UserName, a.UserID, strings.ToLower(a.Email), a.Action, string(a.Record), a.File, t)
		return err
	})
}

// ArchivedUserName returns the user most recently archived in account for the
// person with this e-mail address (compared case-insensitively).
func (j *Journal) ArchivedUserName(ctx context.Context, account, email string) (string, bool, error) {
	var name string
	err := j.db.QueryRowContext(ctx, `SELECT user_name FROM archives WHERE account = ? AND email = ? ORDER BY id DESC LIMIT 1`,
		account, strings.ToLower(email)).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("finding the archived user of (%s) in account (%s): %w", email, account, err)
	}
	return name, true, nil
}

// Archives lists the archive records of a user (names compare
// case-insensitively), oldest first.
func (j *Journal) Archives(ctx context.Context, account, userName string) ([]ArchiveRecord, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, run_id, account, user_name, user_id, action, record, file, at
		FROM archives WHERE account = ? AND user_key = ? ORDER BY id`, account, userKey(userName))
	if err != nil {
		return nil, fmt.Errorf("listing archives of user (%s) in account (%s): %w", userName, account, err)
	}
	out, err := collect(rows, func(s scanner) (ArchiveRecord, error) {
		var (
			a          ArchiveRecord
			record, at string
		)
		err := s.Scan(&a.ID, &a.RunID, &a.Account, &a.UserName, &a.UserID, &a.Action, &record, &a.File, &at)
		a.Record, a.At = []byte(record), parseTime(at)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing archives of user (%s) in account (%s): %w", userName, account, err)
	}
	return out, nil
}

// RecordSuspension records that a suspension is about to deactivate items
// (and delete the login profile when loginRemoved: the person's delivered
// credential is then no longer on record as theirs). Call it before changing
// anything. A rerun of the same suspension adds to the record, so the items
// an interrupted run deactivated are still reactivated by the reinstatement;
// a suspension after a reinstatement starts a fresh record.
func (j *Journal) RecordSuspension(ctx context.Context, runID int64, account, userName string, loginRemoved bool, items []SuspendedItem) error {
	for _, it := range items {
		if it.Kind == "" || it.ID == "" {
			return fmt.Errorf("recording suspension of user (%s) in account (%s): item %+v needs a kind and an ID", userName, account, it)
		}
	}
	key := userKey(userName)
	return j.person(ctx, "recording suspension", account, userName, func(tx *writeTx, t string) error {
		if _, err := tx.exec(`DELETE FROM suspended_items WHERE account = ? AND user_key = ? AND EXISTS
			(SELECT 1 FROM suspensions WHERE account = ? AND user_key = ? AND state = 'reinstated')`, account, key, account, key); err != nil {
			return err
		}
		_, err := tx.exec(`INSERT INTO suspensions (account, user_key, user_name, state, login_removed, suspended_at, run_id)
			VALUES (?, ?, ?, 'suspended', ?, ?, ?)
			ON CONFLICT (account, user_key) DO UPDATE SET
				login_removed = CASE WHEN state = 'reinstated' THEN excluded.login_removed
					ELSE (login_removed OR excluded.login_removed) END,
				suspended_at = CASE WHEN state = 'reinstated' THEN excluded.suspended_at ELSE suspended_at END,
				state = 'suspended', reinstated_at = '', user_name = excluded.user_name, run_id = excluded.run_id`,
			account, key, userName, loginRemoved, t, runID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if _, err := tx.exec(`INSERT OR IGNORE INTO suspended_items (account, user_key, kind, item_id) VALUES (?, ?, ?, ?)`,
				account, key, it.Kind, it.ID); err != nil {
				return err
			}
		}
		if !loginRemoved {
			return nil
		}
		// The suspension deletes the credential the journal says was
		// delivered: from now on the journal vouches for none.
		_, err = tx.exec(`UPDATE people SET credential_state = 'none', updated_at = ?
			WHERE account = ? AND user_key = ? AND credential_state = 'delivered'`, t, account, key)
		return err
	})
}

// ErrNotSuspended means the journal has no suspension of the user in force.
var ErrNotSuspended = errors.New("not suspended")

// MarkReinstated records that a suspended user's items were reactivated. It
// fails with ErrNotSuspended when the user is not suspended.
func (j *Journal) MarkReinstated(ctx context.Context, runID int64, account, userName string) error {
	return j.person(ctx, "recording reinstatement", account, userName, func(tx *writeTx, t string) error {
		ok, err := tx.execOne(`UPDATE suspensions SET state = 'reinstated', reinstated_at = ?, run_id = ?
			WHERE account = ? AND user_key = ? AND state = 'suspended'`, t, runID, account, userKey(userName))
		if err == nil && !ok {
			err = ErrNotSuspended
		}
		return err
	})
}

// Suspension returns the user's latest suspension (names compare
// case-insensitively); ok is false when the user was never suspended.
func (j *Journal) Suspension(ctx context.Context, account, userName string) (s Suspension, ok bool, err error) {
	key := userKey(userName)
	var suspended, reinstated string
	err = j.db.QueryRowContext(ctx, `SELECT account, user_name, state, login_removed, suspended_at, reinstated_at, run_id
		FROM suspensions WHERE account = ? AND user_key = ?`, account, key).
		Scan(&s.Account, &s.UserName, &s.State, &s.LoginRemoved, &suspended, &reinstated, &s.RunID)
	if errors.Is(err, sql.ErrNoRows) {
		return Suspension{}, false, nil
	}
	if err != nil {
		return Suspension{}, false, fmt.Errorf("reading suspension of user (%s) in account (%s): %w", userName, account, err)
	}
	s.SuspendedAt, s.ReinstatedAt = parseTime(suspended), parseTime(reinstated)
	rows, err := j.db.QueryContext(ctx, `SELECT kind, item_id FROM suspended_items
		WHERE account = ? AND user_key = ? ORDER BY kind, item_id`, account, key)
	if err == nil {
		s.Items, err = collect(rows, func(sc scanner) (SuspendedItem, error) {
			var it SuspendedItem
			return it, sc.Scan(&it.Kind, &it.ID)
		})
	}
	if err != nil {
		return Suspension{}, false, fmt.Errorf("reading suspension of user (%s) in account (%s): %w", userName, account, err)
	}
	return s, true, nil
}
