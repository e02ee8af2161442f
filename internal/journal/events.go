package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// eventsMigration (schema version 5) records the events a watcher handles:
// each CloudTrail record by its event ID, so a redelivered or duplicated
// event is recognised, with a lease that lets several watchers — processes
// sharing this journal — split the work without two of them completing one
// user at once.
const eventsMigration = `CREATE TABLE events (
		id          TEXT PRIMARY KEY,
		name        TEXT NOT NULL,
		account     TEXT NOT NULL,
		user_key    TEXT NOT NULL,
		user_name   TEXT NOT NULL,
		state       TEXT NOT NULL CHECK (state IN ('working', 'done', 'skipped', 'failed')),
		owner       TEXT NOT NULL DEFAULT '',
		lease_until TEXT NOT NULL DEFAULT '',
		attempts    INTEGER NOT NULL DEFAULT 0,
		detail      TEXT NOT NULL DEFAULT '',
		received_at TEXT NOT NULL,
		finished_at TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE INDEX events_user ON events(account, user_key, state);`

// Event states (EventRecord.State).
const (
	EventWorking = "working" // a watcher holds it (until its lease ends)
	EventDone    = "done"    // the user was completed and the credential delivered
	EventSkipped = "skipped" // left alone on purpose (protected, gatehouse's own, has a password, no address)
	EventFailed  = "failed"  // the last attempt failed; a redelivery tries again
)

// Claim is what ClaimEvent answers.
type Claim int

// Claims.
const (
	Claimed  Claim = iota // the caller holds the event now
	Finished              // handled already (done or skipped): acknowledge it
	Busy                  // another watcher holds it, or another event of the same user
)

// EventRecord is a handled (or held) event.
type EventRecord struct {
	ID, Name, Account, UserName string
	State, Owner, Detail        string
	Attempts                    int
	ReceivedAt, FinishedAt      time.Time
	LeaseUntil                  time.Time
}

// ClaimEvent takes event id for owner until lease ends, unless it is
// finished already or someone else's lease on it — or on another event of
// the same user — still runs. A failed event is taken again.
func (j *Journal) ClaimEvent(ctx context.Context, id, name, account, userName, owner string, lease time.Duration) (Claim, error) {
	if id == "" || account == "" || userName == "" || owner == "" {
		return Busy, fmt.Errorf("claiming event (%s): an event needs an ID, an account, a user and an owner", id)
	}
	var claim Claim
	err := j.w.submit(ctx, func(tx *writeTx) error {
		now := time.Now().UTC()
		var state, holder, until string
		err := tx.queryRow(`SELECT state, owner, lease_until FROM events WHERE id = ?`, id).Scan(&state, &holder, &until)
		switch {
		case err == nil && (state == EventDone || state == EventSkipped):
			claim = Finished
			return nil
		case err == nil && state == EventWorking && holder != owner && parseTime(until).After(now):
			claim = Busy
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var other string
		err = tx.queryRow(`SELECT id FROM events WHERE account = ? AND user_key = ? AND state = 'working' AND id != ?
			AND owner != ? AND lease_until > ? LIMIT 1`, account, userKey(userName), id, owner, now.Format(timeFormat)).Scan(&other)
		if err == nil {
			claim = Busy
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		claim = Claimed
		_, err = tx.exec(`INSERT INTO events (id, name, account, user_key, user_name, state, owner, lease_until, attempts, received_at)
			VALUES (?, ?, ?, ?, ?, 'working', ?, ?, 1, ?)
			ON CONFLICT (id) DO UPDATE SET state = 'working', owner = excluded.owner, lease_until = excluded.lease_until,
				attempts = attempts + 1`,
			id, name, account, userKey(userName), userName, owner, now.Add(lease).Format(timeFormat), now.Format(timeFormat))
		return err
	})
	if err != nil {
		return Busy, fmt.Errorf("claiming event (%s): %w", id, err)
	}
	return claim, nil
}

// ExtendEvent renews owner's lease on event id while it works on it.
func (j *Journal) ExtendEvent(ctx context.Context, id, owner string, lease time.Duration) error {
	err := j.w.submit(ctx, func(tx *writeTx) error {
		_, err := tx.exec(`UPDATE events SET lease_until = ? WHERE id = ? AND owner = ? AND state = 'working'`,
			time.Now().UTC().Add(lease).Format(timeFormat), id, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("extending the lease on event (%s): %w", id, err)
	}
	return nil
}

// FinishEvent records how event id ended: done, skipped or failed, with a
// detail for people (never a secret).
func (j *Journal) FinishEvent(ctx context.Context, id, owner, state, detail string) error {
	if state != EventDone && state != EventSkipped && state != EventFailed {
		return fmt.Errorf("finishing event (%s): state %q", id, state)
	}
	err := j.w.submit(ctx, func(tx *writeTx) error {
		_, err := tx.exec(`UPDATE events SET state = ?, detail = ?, finished_at = ?, lease_until = '' WHERE id = ? AND owner = ?`,
			state, detail, now(), id, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("finishing event (%s): %w", id, err)
	}
	return nil
}

// Event returns the record of event id.
func (j *Journal) Event(ctx context.Context, id string) (EventRecord, bool, error) {
	var (
		e                         EventRecord
		received, finished, until string
	)
	err := j.db.QueryRowContext(ctx, `SELECT id, name, account, user_name, state, owner, detail, attempts, received_at, finished_at, lease_until
		FROM events WHERE id = ?`, id).Scan(&e.ID, &e.Name, &e.Account, &e.UserName, &e.State, &e.Owner, &e.Detail, &e.Attempts,
		&received, &finished, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("reading event (%s): %w", id, err)
	}
	e.ReceivedAt, e.FinishedAt, e.LeaseUntil = parseTime(received), parseTime(finished), parseTime(until)
	return e, true, nil
}
