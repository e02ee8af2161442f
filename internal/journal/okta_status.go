package journal

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OktaEventRecord is an event the Okta hook stored, with how it stands.
type OktaEventRecord struct {
	UUID, Subject, Kind, Type string
	Published                 time.Time
	Login                     string
	Change                    string
	Source, SourceName        string
	State                     string // OktaPending, OktaDone, OktaIgnored, OktaSkipped, OktaFailed
	Attempts                  int
	NextAt                    time.Time // when a pending event is tried (again)
	Detail                    string
	ReceivedAt, FinishedAt    time.Time
}

// OktaFilter chooses the events OktaEvents lists.
type OktaFilter struct {
	States  []string // these states only (none: every state)
	Subject string   // this subject only ("": everyone)
	Limit   int      // at most this many, newest first (0: all)
}

// OktaEvents lists the hook's events, newest first.
func (j *Journal) OktaEvents(ctx context.Context, f OktaFilter) ([]OktaEventRecord, error) {
	where, args := []string{"1 = 1"}, []any{}
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.Subject != "" {
		where = append(where, "subject = ?")
		args = append(args, f.Subject)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := j.db.QueryContext(ctx, `SELECT uuid, subject, kind, event_type, published, login, change, source, source_name,
			state, attempts, next_at, detail, received_at, finished_at
		FROM okta_events WHERE `+strings.Join(where, " AND ")+` ORDER BY received_at DESC, published DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing Okta events: %w", err)
	}
	out, err := collect(rows, func(s scanner) (OktaEventRecord, error) {
		var e OktaEventRecord
		var published, next, received, finished string
		err := s.Scan(&e.UUID, &e.Subject, &e.Kind, &e.Type, &published, &e.Login, &e.Change, &e.Source, &e.SourceName,
			&e.State, &e.Attempts, &next, &e.Detail, &received, &finished)
		e.Published, e.NextAt, e.ReceivedAt, e.FinishedAt = parseTime(published), parseTime(next), parseTime(received), parseTime(finished)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing Okta events: %w", err)
	}
	return out, nil
}

// OktaCounts counts the hook's events by state.
func (j *Journal) OktaCounts(ctx context.Context) (map[string]int, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM okta_events GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("counting Okta events: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("counting Okta events: %w", err)
		}
		out[state] = n
	}
	return out, rows.Err()
}

// RetryOktaEvents makes failed and skipped events pending again, due now:
// the ones named, or every one when none is. It returns how many.
func (j *Journal) RetryOktaEvents(ctx context.Context, uuids []string) (int, error) {
	var n int
	err := j.w.submit(ctx, func(tx *writeTx) error {
		n = 0
		t := now()
		const retry = `UPDATE okta_events SET state = 'pending', next_at = ?, finished_at = '', attempts = 0,
			detail = 'retried by hand; before: ' || detail WHERE state IN ('failed', 'skipped')`
		if len(uuids) == 0 {
			res, err := tx.exec(retry, t)
			if err != nil {
				return err
			}
			changed, err := res.RowsAffected()
			n = int(changed)
			return err
		}
		for _, id := range uuids {
			ok, err := tx.execOne(retry+` AND uuid = ?`, t, id)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retrying Okta events: %w", err)
	}
	return n, nil
}
