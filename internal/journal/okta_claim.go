package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Working the Okta queue: a worker claims a subject (its registers and
// pending events) under a lease, and records how reconciling it ended.

// OktaSubject is one person as the queue's registers describe them, with
// the pending events a claim on them covers.
type OktaSubject struct {
	Subject, Kind      string
	Login, DisplayName string // from the newest event that named them
	Status             string // OktaActive, OktaSuspended or OktaDeactivated
	// UserName is the Identity Center user gatehouse provisioned for the
	// person ("" before the first time), so a later event reaches that user
	// even when the login changed.
	UserName    string
	Payload     []byte // the newest Workflows payload
	Memberships []OktaMembership
	// Events are the pending events the claim covers, and Attempts the
	// most reconciles any of them has been through.
	Events   []string
	Attempts int
}

// OktaMembership is a register: whether the person is a member of an app
// or group, as the newest event about it said.
type OktaMembership struct {
	Source, SourceName string
	Member             bool
	At                 time.Time
}

// ErrNoOktaWork means no subject has pending events due now that another
// owner does not hold.
var ErrNoOktaWork = errors.New("no Okta events due")

// ClaimOktaSubject takes, for owner until lease ends, the subject whose
// pending events have waited longest among those due at now and held by
// nobody (or by someone whose lease ran out), and returns its registers
// with every pending event of it (ErrNoOktaWork when there is none). An
// owner is one worker: a subject it holds is not given to it again.
func (j *Journal) ClaimOktaSubject(ctx context.Context, owner string, lease time.Duration, at time.Time) (OktaSubject, error) {
	if owner == "" {
		return OktaSubject{}, errors.New("claiming Okta work: an owner is needed")
	}
	var s OktaSubject
	err := j.w.submit(ctx, func(tx *writeTx) error {
		s = OktaSubject{}
		due := at.UTC().Format(timeFormat)
		err := tx.queryRow(`SELECT e.subject FROM okta_events e JOIN okta_subjects s ON s.subject = e.subject
			WHERE e.state = 'pending' AND e.next_at <= ? AND (s.owner = '' OR s.lease_until <= ?)
			ORDER BY e.next_at, e.published LIMIT 1`, due, due).Scan(&s.Subject)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoOktaWork
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE okta_subjects SET owner = ?, lease_until = ? WHERE subject = ?`,
			owner, at.Add(lease).UTC().Format(timeFormat), s.Subject); err != nil {
			return err
		}
		return readOktaSubject(tx, &s)
	})
	if errors.Is(err, ErrNoOktaWork) {
		return OktaSubject{}, err
	}
	if err != nil {
		return OktaSubject{}, fmt.Errorf("claiming Okta work: %w", err)
	}
	return s, nil
}

// readOktaSubject reads s's registers and pending events inside tx.
func readOktaSubject(tx *writeTx, s *OktaSubject) error {
	var payload string
	if err := tx.queryRow(`SELECT kind, login, display_name, status, user_name, payload FROM okta_subjects WHERE subject = ?`, s.Subject).
		Scan(&s.Kind, &s.Login, &s.DisplayName, &s.Status, &s.UserName, &payload); err != nil {
		return err
	}
	s.Payload = []byte(payload)
	rows, err := tx.query(`SELECT source, source_name, member, at FROM okta_memberships WHERE subject = ? ORDER BY source`, s.Subject)
	if err != nil {
		return err
	}
	s.Memberships, err = collect(rows, func(sc scanner) (OktaMembership, error) {
		var m OktaMembership
		var at string
		err := sc.Scan(&m.Source, &m.SourceName, &m.Member, &at)
		m.At = parseTime(at)
		return m, err
	})
	if err != nil {
		return err
	}
	rows, err = tx.query(`SELECT uuid, attempts FROM okta_events WHERE subject = ? AND state = 'pending' ORDER BY published, uuid`, s.Subject)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		s.Events, s.Attempts = append(s.Events, id), max(s.Attempts, n)
	}
	return rows.Err()
}

// query reads rows inside the write transaction.
func (t *writeTx) query(query string, args ...any) (*sql.Rows, error) {
	return t.w.conn.QueryContext(t.ctx, query, args...)
}

// ReleaseOktaLeases frees the subjects the workers of server hold
// (owners "server#N"): a server starting under a name has no worker left
// of its last run, which died holding them. It returns how many.
func (j *Journal) ReleaseOktaLeases(ctx context.Context, server string) (int, error) {
	var n int64
	err := j.w.submit(ctx, func(tx *writeTx) error {
		res, err := tx.exec(`UPDATE okta_subjects SET owner = '', lease_until = '' WHERE substr(owner, 1, ?) = ?`,
			len(server)+1, server+"#")
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("releasing the Okta leases of %s: %w", server, err)
	}
	return int(n), nil
}

// ExtendOktaLease renews owner's lease on subject while it works on it.
func (j *Journal) ExtendOktaLease(ctx context.Context, subject, owner string, lease time.Duration) error {
	err := j.w.submit(ctx, func(tx *writeTx) error {
		_, err := tx.exec(`UPDATE okta_subjects SET lease_until = ? WHERE subject = ? AND owner = ?`,
			time.Now().Add(lease).UTC().Format(timeFormat), subject, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("extending the lease on Okta subject (%s): %w", subject, err)
	}
	return nil
}

// OktaResult is how reconciling a subject ended.
type OktaResult struct {
	// State is OktaDone or OktaSkipped (final), OktaPending (try again at
	// RetryAt) or OktaFailed (given up: reported).
	State   string
	Detail  string // for people; never a secret
	RetryAt time.Time
	// UserName is the Identity Center user the person has now ("": as before).
	UserName string
}

// FinishOktaSubject records how reconciling s ended for the events the
// claim covered, and releases owner's lease. A reconcile that applied
// everything also applies the subject's events that failed before: their
// changes were in the registers it read.
func (j *Journal) FinishOktaSubject(ctx context.Context, owner string, s OktaSubject, r OktaResult) error {
	if r.State != OktaDone && r.State != OktaSkipped && r.State != OktaPending && r.State != OktaFailed {
		return fmt.Errorf("finishing Okta subject (%s): state %q", s.Subject, r.State)
	}
	err := j.w.submit(ctx, func(tx *writeTx) error {
		t := now()
		finished, next := t, t
		if r.State == OktaPending {
			finished, next = "", r.RetryAt.UTC().Format(timeFormat)
		}
		for _, id := range s.Events {
			if _, err := tx.exec(`UPDATE okta_events SET state = ?, detail = ?, attempts = attempts + 1, next_at = ?, finished_at = ?
				WHERE uuid = ? AND state = 'pending'`, r.State, r.Detail, next, finished, id); err != nil {
				return err
			}
		}
		if r.State == OktaDone {
			if _, err := tx.exec(`UPDATE okta_events SET state = 'done', detail = ?, finished_at = ? WHERE subject = ? AND state = 'failed'`,
				"applied by a later reconcile: "+r.Detail, t, s.Subject); err != nil {
				return err
			}
		}
		_, err := tx.exec(`UPDATE okta_subjects SET owner = '', lease_until = '', user_name = CASE WHEN ? = '' THEN user_name ELSE ? END
			WHERE subject = ? AND owner = ?`, r.UserName, r.UserName, s.Subject, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("finishing Okta subject (%s): %w", s.Subject, err)
	}
	return nil
}
