package journal

import (
	"context"
	"fmt"
	"time"
)

// linksMigration (schema version 4) records the one-time claim links that
// carried credentials: the claim's ID and the server it lives on — never the
// key, which only the link's fragment holds — so a re-issue can withdraw the
// link that would reveal a dead password, and history can say whether and
// when each was claimed. A link that carried several accounts' credentials
// has one row per account.
const linksMigration = `CREATE TABLE links (
		id            TEXT NOT NULL,
		base_url      TEXT NOT NULL,
		account       TEXT NOT NULL,
		user_key      TEXT NOT NULL,
		user_name     TEXT NOT NULL,
		credential_id TEXT NOT NULL,
		run_id        INTEGER NOT NULL REFERENCES runs(id),
		sent_at       TEXT NOT NULL,
		state         TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'withdrawn', 'claimed', 'expired')),
		state_at      TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (id, account, user_key)
	) WITHOUT ROWID;
	CREATE INDEX links_user ON links(account, user_key, state);
	CREATE INDEX links_run ON links(run_id);`

// Link states (Link.State).
const (
	LinkSent      = "sent"      // delivered; as far as the journal knows, waiting to be claimed
	LinkWithdrawn = "withdrawn" // withdrawn by gatehouse (a re-issue made its password dead)
	LinkClaimed   = "claimed"   // the person revealed it
	LinkExpired   = "expired"   // nobody revealed it in time
)

// Link is a claim link that carried a credential to a user.
type Link struct {
	ID           string // the claim's ID (the link's path), never its key
	BaseURL      string // the gatehouse serve it lives on
	Account      string
	UserName     string
	CredentialID string
	RunID        int64
	SentAt       time.Time
	State        string
	StateAt      time.Time // when it was withdrawn, claimed or expired
}

// RecordLink records that a link carried user's credential.
func (j *Journal) RecordLink(ctx context.Context, l Link) error {
	if l.ID == "" || l.BaseURL == "" {
		return fmt.Errorf("recording claim link for user (%s) in account (%s): the link needs an ID and a server", l.UserName, l.Account)
	}
	return j.person(ctx, "recording claim link", l.Account, l.UserName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO links (id, base_url, account, user_key, user_name, credential_id, run_id, sent_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			l.ID, l.BaseURL, l.Account, userKey(l.UserName), l.UserName, l.CredentialID, l.RunID, t)
		return err
	})
}

// OpenLinks lists the user's links that may still reveal something: sent,
// not known to be claimed, withdrawn or expired.
func (j *Journal) OpenLinks(ctx context.Context, account, userName string) ([]Link, error) {
	return j.links(ctx, "listing open claim links", `WHERE account = ? AND user_key = ? AND state = 'sent'`, account, userKey(userName))
}

// RunLinks lists the links a run sent.
func (j *Journal) RunLinks(ctx context.Context, runID int64) ([]Link, error) {
	return j.links(ctx, "listing claim links", `WHERE run_id = ?`, runID)
}

// LinkedWith lists every row of link id: the accounts and users it carried
// credentials for.
func (j *Journal) LinkedWith(ctx context.Context, id string) ([]Link, error) {
	return j.links(ctx, "listing claim link", `WHERE id = ?`, id)
}

func (j *Journal) links(ctx context.Context, what, where string, args ...any) ([]Link, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, base_url, account, user_name, credential_id, run_id, sent_at, state, state_at
		FROM links `+where+` ORDER BY sent_at, id, account, user_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := collect(rows, func(s scanner) (Link, error) {
		var (
			l        Link
			sent, at string
		)
		err := s.Scan(&l.ID, &l.BaseURL, &l.Account, &l.UserName, &l.CredentialID, &l.RunID, &sent, &l.State, &at)
		l.SentAt, l.StateAt = parseTime(sent), parseTime(at)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// MarkLink records what became of link id (every account it carried).
// Withdrawing a link that carried another account's credential that is still
// that user's latest makes that credential undelivered again: the person can
// no longer reveal it, so the next run issues a fresh one.
func (j *Journal) MarkLink(ctx context.Context, id, state string, at time.Time) error {
	err := j.w.submit(ctx, func(tx *writeTx) error {
		if _, err := tx.exec(`UPDATE links SET state = ?, state_at = ? WHERE id = ? AND state = 'sent'`,
			state, at.UTC().Format(timeFormat), id); err != nil {
			return err
		}
		if state != LinkWithdrawn {
			return nil
		}
		_, err := tx.exec(`UPDATE people SET credential_state = 'issued' WHERE credential_state = 'delivered' AND EXISTS
			(SELECT 1 FROM links WHERE links.id = ? AND links.account = people.account AND links.user_key = people.user_key
				AND links.credential_id = people.credential_id)`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("marking claim link %s %s: %w", id, state, err)
	}
	return nil
}
