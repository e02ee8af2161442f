package journal

import (
	"context"
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

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
