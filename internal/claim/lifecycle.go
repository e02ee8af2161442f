package claim

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Origin is who did something: the client's address and user agent.
type Origin struct {
	Addr      string
	UserAgent string
}

// State is where a claim is in its life.
type State string

// States of a claim.
const (
	StateReady     State = "ready"
	StateClaimed   State = "claimed"
	StateExpired   State = "expired"
	StateWithdrawn State = "withdrawn"
	StateNotFound  State = "not-found"
)

// Status is what is known about a claim ID.
type Status struct {
	State   State
	Meta    Meta      // ready only
	Expires time.Time // ready and expired
	At      time.Time // when it was claimed, withdrawn or expired
}

// ErrWrongKey is a reveal with a token that does not match the verifier:
// a damaged link. The claim stays.
var ErrWrongKey = errors.New("the link's key does not match this claim")

// Create stores a sealed claim.
func (s *Store) Create(ctx context.Context, id string, r Request, created, expires time.Time, who Origin) error {
	meta, err := json.Marshal(r.Meta)
	if err != nil {
		return fmt.Errorf("creating claim (%s): %w", id, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claims (id, verifier, nonce, ciphertext, metadata, created, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, r.Verifier, r.Nonce, r.Ciphertext, string(meta), formatTime(created), formatTime(expires)); err != nil {
			return fmt.Errorf("creating claim (%s): %w", id, err)
		}
		return addEvent(ctx, tx, id, "created", created, who, r.Meta, expires)
	})
}

// Status reports a claim's state, purging it when it has expired.
func (s *Store) Status(ctx context.Context, id string, now time.Time) (Status, error) {
	var (
		st      Status
		removed bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := s.live(ctx, tx, id, now)
		st, removed = row.status, row.removed
		return err
	})
	if err == nil && removed {
		s.scrub(ctx)
	}
	return st, err
}

// Reveal hands out the sealed password when token matches the verifier, and
// deletes it in the same transaction, recording the claim. With a wrong token
// it returns ErrWrongKey and the claim stays. For anything but a ready claim
// it returns the claim's status and no error. Sealed is empty unless this
// call revealed it.
func (s *Store) Reveal(ctx context.Context, id string, token []byte, now time.Time, who Origin) (Sealed, Status, error) {
	var (
		sealed Sealed
		st     Status
		wrong  bool
		gone   bool // the row was deleted: claimed, or found expired
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := s.live(ctx, tx, id, now)
		st, gone = row.status, row.removed
		if err != nil || st.State != StateReady {
			return err
		}
		if subtle.ConstantTimeCompare(Verifier(token), row.sealed.Verifier) != 1 {
			wrong = true
			return addEvent(ctx, tx, id, "refused", now, who, st.Meta, st.Expires)
		}
		if err := remove(ctx, tx, id, "claimed", now, who, st.Meta, st.Expires); err != nil {
			return err
		}
		sealed, st, gone = row.sealed, Status{State: StateClaimed, Meta: st.Meta, At: now}, true
		return nil
	})
	switch {
	case err != nil:
		return Sealed{}, Status{}, err
	case wrong:
		return Sealed{}, st, ErrWrongKey
	}
	if gone {
		s.scrub(ctx)
	}
	return sealed, st, nil
}

// Withdraw deletes a ready claim before anyone reveals it (its link was not
// delivered, or a new one replaces it). It returns the claim's status: ready
// claims become withdrawn; others are left as they are.
func (s *Store) Withdraw(ctx context.Context, id string, now time.Time, who Origin) (Status, error) {
	var st Status
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		row, err := s.live(ctx, tx, id, now)
		st = row.status
		if err != nil || st.State != StateReady {
			return err
		}
		st = Status{State: StateWithdrawn, At: now}
		return remove(ctx, tx, id, "withdrawn", now, who, row.status.Meta, row.status.Expires)
	})
	if err == nil && st.State == StateWithdrawn {
		s.scrub(ctx)
	}
	return st, err
}

// Purge deletes every claim that has expired by now and says how many.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, metadata, expires FROM claims WHERE expires <= ?`, formatTime(now))
		if err != nil {
			return fmt.Errorf("listing expired claims: %w", err)
		}
		type expired struct {
			id, meta, expires string
		}
		var all []expired
		for rows.Next() {
			var e expired
			if err := rows.Scan(&e.id, &e.meta, &e.expires); err != nil {
				rows.Close()
				return fmt.Errorf("listing expired claims: %w", err)
			}
			all = append(all, e)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("listing expired claims: %w", err)
		}
		for _, e := range all {
			var m Meta
			_ = json.Unmarshal([]byte(e.meta), &m)
			if err := remove(ctx, tx, e.id, "expired", now, Origin{}, m, parseTime(e.expires)); err != nil {
				return err
			}
		}
		n = len(all)
		return nil
	})
	if err == nil && n > 0 {
		s.scrub(ctx)
	}
	return n, err
}

// liveRow is a claim's status and, when ready, its sealed parts.
type liveRow struct {
	status  Status
	sealed  Sealed
	removed bool // found expired and deleted just now
}

// live reads id's claim inside tx. An expired claim is removed (recorded as
// expired); a missing one is looked up in the audit trail.
func (s *Store) live(ctx context.Context, tx *sql.Tx, id string, now time.Time) (liveRow, error) {
	var (
		row           liveRow
		meta, expires string
	)
	err := tx.QueryRowContext(ctx, `SELECT verifier, nonce, ciphertext, metadata, expires FROM claims WHERE id = ?`, id).
		Scan(&row.sealed.Verifier, &row.sealed.Nonce, &row.sealed.Ciphertext, &meta, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		row.status, err = tombstone(ctx, tx, id)
		return row, err
	}
	if err != nil {
		return row, fmt.Errorf("reading claim (%s): %w", id, err)
	}
	if err := json.Unmarshal([]byte(meta), &row.status.Meta); err != nil {
		return row, fmt.Errorf("reading claim (%s) metadata: %w", id, err)
	}
	row.status.State, row.status.Expires = StateReady, parseTime(expires)
	if !now.Before(row.status.Expires) {
		err := remove(ctx, tx, id, "expired", now, Origin{}, row.status.Meta, row.status.Expires)
		return liveRow{status: Status{State: StateExpired, Expires: row.status.Expires, At: row.status.Expires}, removed: true}, err
	}
	return row, nil
}

// tombstone is what the audit trail says about a claim that is not stored.
func tombstone(ctx context.Context, tx *sql.Tx, id string) (Status, error) {
	var event, at, expires string
	err := tx.QueryRowContext(ctx, `SELECT event, at, expires FROM claim_events
		WHERE claim_id = ? AND event IN ('claimed', 'withdrawn', 'expired') ORDER BY seq DESC LIMIT 1`, id).Scan(&event, &at, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Status{State: StateNotFound}, nil
	}
	if err != nil {
		return Status{}, fmt.Errorf("reading claim (%s) history: %w", id, err)
	}
	st := Status{At: parseTime(at), Expires: parseTime(expires)}
	switch event {
	case "claimed":
		st.State = StateClaimed
	case "withdrawn":
		st.State = StateWithdrawn
	default:
		st.State, st.At = StateExpired, st.Expires
	}
	return st, nil
}

// remove deletes a claim's row and records why.
func remove(ctx context.Context, tx *sql.Tx, id, event string, now time.Time, who Origin, m Meta, expires time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM claims WHERE id = ?`, id); err != nil {
		return fmt.Errorf("deleting claim (%s): %w", id, err)
	}
	return addEvent(ctx, tx, id, event, now, who, m, expires)
}

func addEvent(ctx context.Context, tx *sql.Tx, id, event string, at time.Time, who Origin, m Meta, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_events (claim_id, event, at, remote_addr, user_agent, user_name, account, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, event, formatTime(at), who.Addr, truncate(who.UserAgent, maxField), m.Users(), m.AccountIDs(), formatTime(expires))
	if err != nil {
		return fmt.Errorf("recording claim (%s) %s: %w", id, event, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
