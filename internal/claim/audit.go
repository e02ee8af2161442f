package claim

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Event is one row of the audit trail (the claim_events table).
type Event struct {
	ClaimID   string
	Event     string // created | claimed | refused | withdrawn | expired
	At        time.Time
	Addr      string // the client's address: the creator's, the claimant's, …; empty for expiry
	UserAgent string
	UserName  string
	Account   string
	Expires   time.Time
}

// Events lists the audit trail of one claim, or of every claim when claimID
// is empty, oldest first.
func (s *Store) Events(ctx context.Context, claimID string) ([]Event, error) {
	q := `SELECT claim_id, event, at, remote_addr, user_agent, user_name, account, expires FROM claim_events`
	args := []any{}
	if claimID != "" {
		q += ` WHERE claim_id = ?`
		args = append(args, claimID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the claim audit trail: %w", err)
	}
	var out []Event
	for rows.Next() {
		var (
			e           Event
			at, expires string
		)
		if err := rows.Scan(&e.ClaimID, &e.Event, &at, &e.Addr, &e.UserAgent, &e.UserName, &e.Account, &expires); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the claim audit trail: %w", err)
		}
		e.At, e.Expires = parseTime(at), parseTime(expires)
		out = append(out, e)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("reading the claim audit trail: %w", err)
	}
	return out, nil
}
