package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// oktaMigration (schema version 6) is the Okta hook's durable queue. Okta
// waits three seconds for an answer and retries once, so the hook stores
// each event here (once: by Okta's uuid) before it answers, and works on it
// afterwards. What each event says of its person is kept as a register that
// only a newer event (by Okta's published time) overwrites — whether they
// are a member of an app or group, whether they are active — so events that
// arrive late or twice change nothing, and the end state is the same in
// whatever order they came. A subject is one person: an Okta user by ID, or
// the user an Okta Workflows payload names. Its lease lets several servers
// share the journal without two of them reconciling one person at once.
const oktaMigration = `CREATE TABLE okta_events (
		uuid         TEXT PRIMARY KEY,
		subject      TEXT NOT NULL,
		kind         TEXT NOT NULL CHECK (kind IN ('event', 'workflows')),
		event_type   TEXT NOT NULL,
		published    TEXT NOT NULL,
		login        TEXT NOT NULL DEFAULT '',
		display_name TEXT NOT NULL DEFAULT '',
		change       TEXT NOT NULL DEFAULT '',
		source       TEXT NOT NULL DEFAULT '',
		source_name  TEXT NOT NULL DEFAULT '',
		state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'ignored', 'skipped', 'failed')),
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_at      TEXT NOT NULL,
		detail       TEXT NOT NULL DEFAULT '',
		received_at  TEXT NOT NULL,
		finished_at  TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE INDEX okta_events_due ON okta_events(state, next_at);
	CREATE INDEX okta_events_subject ON okta_events(subject, state);
	CREATE TABLE okta_subjects (
		subject      TEXT PRIMARY KEY,
		kind         TEXT NOT NULL,
		login        TEXT NOT NULL DEFAULT '',
		display_name TEXT NOT NULL DEFAULT '',
		profile_at   TEXT NOT NULL DEFAULT '',
		status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deactivated')),
		status_at    TEXT NOT NULL DEFAULT '',
		status_event TEXT NOT NULL DEFAULT '',
		payload      TEXT NOT NULL DEFAULT '',
		user_name    TEXT NOT NULL DEFAULT '',
		owner        TEXT NOT NULL DEFAULT '',
		lease_until  TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE TABLE okta_memberships (
		subject     TEXT NOT NULL,
		source      TEXT NOT NULL,
		source_name TEXT NOT NULL DEFAULT '',
		member      INTEGER NOT NULL,
		at          TEXT NOT NULL,
		event       TEXT NOT NULL,
		PRIMARY KEY (subject, source)
	) WITHOUT ROWID;`

// Okta event states (OktaEventRecord.State).
const (
	OktaPending = "pending" // stored; its subject is reconciled soon, or after a backoff
	OktaDone    = "done"    // its subject was reconciled with it
	OktaIgnored = "ignored" // nothing to do: a type or source gatehouse does not act on, or a newer event said otherwise
	OktaSkipped = "skipped" // left alone on purpose: a user gatehouse does not manage, a profile it cannot use
	OktaFailed  = "failed"  // reconciling failed as often as allowed: reported until a retry or a later reconcile applies it
)

// Kinds of Okta input (OktaEvent.Kind).
const (
	OktaKindEvent     = "event"     // an event hook's event
	OktaKindWorkflows = "workflows" // an Okta Workflows payload (seed 004's)
)

// Changes an event makes to its subject's registers (OktaEvent.Change).
const (
	OktaJoin        = "join"        // became a member of Source
	OktaLeave       = "leave"       // stopped being a member of Source
	OktaActive      = "active"      // the Okta user is active (again)
	OktaSuspended   = "suspended"   // the Okta user is suspended
	OktaDeactivated = "deactivated" // the Okta user is deactivated
	OktaProvision   = "provision"   // a Workflows payload: provision this person
)

// OktaEvent is one event the hook received, as the queue keeps it: who it is
// about and what it says, never the whole event (which holds addresses and
// user agents gatehouse has no use for).
type OktaEvent struct {
	UUID      string // Okta's event uuid; for a Workflows payload, one gatehouse made
	Subject   string // the Okta user's ID, or "workflows:" and the user name
	Kind      string // OktaKindEvent or OktaKindWorkflows
	Type      string // Okta's eventType ("group.user_membership.add"), or "workflows"
	Published time.Time
	// Login and DisplayName are the person as the event names them.
	Login, DisplayName string
	// Change is what the event says (one of the Okta… changes), or "".
	Change string
	// Source is the app or group of a membership change ("app:0oa…",
	// "group:00g…"), SourceName its name for people.
	Source, SourceName string
	// Payload is a Workflows payload: names and an address, never a secret.
	Payload []byte
	// Ignore says why the event needs no reconcile (an app the mapping does
	// not name): its change is still kept, and it is stored as ignored.
	Ignore string
}

// OktaIntake counts what RecordOktaEvents did.
type OktaIntake struct {
	Stored     int // new events
	Duplicates int // events stored before (by uuid): nothing changed
	Pending    int // new events whose subject needs reconciling
}

// RecordOktaEvents stores the events of one delivery in one transaction,
// each once: an event whose uuid is stored already changes nothing. A new
// event's change is kept unless its register holds a newer one already (by
// published time, then uuid, so every order of arrival ends alike): then it
// is stored as ignored, superseded.
func (j *Journal) RecordOktaEvents(ctx context.Context, events []OktaEvent) (OktaIntake, error) {
	for _, e := range events {
		if e.UUID == "" || e.Subject == "" || e.Published.IsZero() {
			return OktaIntake{}, fmt.Errorf("recording Okta event (%s): an event needs a uuid, a subject and a published time", e.UUID)
		}
	}
	var in OktaIntake
	err := j.w.submit(ctx, func(tx *writeTx) error {
		in = OktaIntake{}
		t := now()
		for _, e := range events {
			stored, pending, err := recordOktaEvent(tx, e, t)
			if err != nil {
				return fmt.Errorf("recording Okta event (%s): %w", e.UUID, err)
			}
			switch {
			case !stored:
				in.Duplicates++
			case pending:
				in.Stored++
				in.Pending++
			default:
				in.Stored++
			}
		}
		return nil
	})
	return in, err
}

// recordOktaEvent stores e and applies its change; stored is false for a
// duplicate, pending says its subject needs reconciling.
func recordOktaEvent(tx *writeTx, e OktaEvent, t string) (stored, pending bool, err error) {
	published := e.Published.UTC().Format(timeFormat)
	ok, err := tx.execOne(`INSERT INTO okta_events (uuid, subject, kind, event_type, published, login, display_name, change,
			source, source_name, state, next_at, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (uuid) DO NOTHING`,
		e.UUID, e.Subject, e.Kind, e.Type, published, e.Login, e.DisplayName, e.Change, e.Source, e.SourceName, t, t)
	if err != nil || !ok {
		return false, false, err
	}
	if _, err := tx.exec(`INSERT INTO okta_subjects (subject, kind) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING`, e.Subject, e.Kind); err != nil {
		return true, false, err
	}
	if e.Login != "" {
		if _, err := tx.exec(`UPDATE okta_subjects SET login = ?, display_name = ?, profile_at = ? WHERE subject = ? AND profile_at < ?`,
			e.Login, e.DisplayName, published, e.Subject, published); err != nil {
			return true, false, err
		}
	}
	superseded, err := applyOktaChange(tx, e, published)
	switch {
	case err != nil:
		return true, false, err
	case e.Change == "":
		return true, false, ignoreOktaEvent(tx, e.UUID, t, cmpOr(e.Ignore, "it says nothing gatehouse acts on"))
	case superseded != "":
		return true, false, ignoreOktaEvent(tx, e.UUID, t, superseded)
	case e.Ignore != "":
		return true, false, ignoreOktaEvent(tx, e.UUID, t, e.Ignore)
	}
	return true, true, nil
}

// applyOktaChange keeps e's change in its register unless a newer event's
// is there; then it says which event superseded it.
func applyOktaChange(tx *writeTx, e OktaEvent, published string) (superseded string, err error) {
	var ok bool
	// newest reads the register's time and event, args its arguments.
	newest, args := `SELECT status_at, status_event FROM okta_subjects WHERE subject = ?`, []any{e.Subject}
	switch e.Change {
	case "":
		return "", nil
	case OktaJoin, OktaLeave:
		newest, args = `SELECT at, event FROM okta_memberships WHERE subject = ? AND source = ?`, []any{e.Subject, e.Source}
		ok, err = tx.execOne(`INSERT INTO okta_memberships (subject, source, source_name, member, at, event) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (subject, source) DO UPDATE SET member = excluded.member, source_name = excluded.source_name,
				at = excluded.at, event = excluded.event
			WHERE excluded.at > okta_memberships.at OR (excluded.at = okta_memberships.at AND excluded.event > okta_memberships.event)`,
			e.Subject, e.Source, e.SourceName, e.Change == OktaJoin, published, e.UUID)
	case OktaActive, OktaSuspended, OktaDeactivated:
		ok, err = tx.execOne(`UPDATE okta_subjects SET status = ?, status_at = ?, status_event = ?
			WHERE subject = ? AND (status_at < ? OR (status_at = ? AND status_event < ?))`,
			e.Change, published, e.UUID, e.Subject, published, published, e.UUID)
	case OktaProvision:
		// A Workflows subject has no status: its status columns date its payload.
		ok, err = tx.execOne(`UPDATE okta_subjects SET payload = ?, status_at = ?, status_event = ?
			WHERE subject = ? AND (status_at < ? OR (status_at = ? AND status_event < ?))`,
			string(e.Payload), published, e.UUID, e.Subject, published, published, e.UUID)
	default:
		return "", fmt.Errorf("change %q is not one the queue keeps", e.Change)
	}
	if err != nil || ok {
		return "", err
	}
	var at, by string
	if err := tx.queryRow(newest, args...).Scan(&at, &by); err != nil {
		return "", err
	}
	return fmt.Sprintf("superseded: event %s, published %s, said otherwise later", by, at), nil
}

func ignoreOktaEvent(tx *writeTx, uuid, t, detail string) error {
	_, err := tx.exec(`UPDATE okta_events SET state = 'ignored', detail = ?, finished_at = ? WHERE uuid = ?`, detail, t, uuid)
	return err
}

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

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
