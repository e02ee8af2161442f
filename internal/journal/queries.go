package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

const runColumns = `id, command, source, args, started_at, finished_at, status, summary`

// Runs lists the latest runs, newest first; limit <= 0 lists all.
func (j *Journal) Runs(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := j.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	runs, err := collect(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	return runs, nil
}

// Run returns one run; ok is false when there is no run with that ID.
func (j *Journal) Run(ctx context.Context, id int64) (run Run, ok bool, err error) {
	row := j.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id)
	run, err = scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("reading run %d: %w", id, err)
	}
	return run, true, nil
}

func scanRun(s scanner) (Run, error) {
	var (
		r                    Run
		args, started, ended string
		summary              string
	)
	if err := s.Scan(&r.ID, &r.Command, &r.Source, &args, &started, &ended, &r.Status, &summary); err != nil {
		return Run{}, err
	}
	if err := json.Unmarshal([]byte(args), &r.Args); err != nil {
		return Run{}, fmt.Errorf("decoding run %d arguments: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(summary), &r.Summary); err != nil {
		return Run{}, fmt.Errorf("decoding run %d summary: %w", r.ID, err)
	}
	r.StartedAt, r.FinishedAt = parseTime(started), parseTime(ended)
	return r, nil
}

const personColumns = `account, user_name, email, managed, user_state, credential_id, credential_state,
	channel, receipt, updated_at, last_run`

// Person returns what the journal knows about a user (user names compare
// case-insensitively, as in IAM); ok is false when it knows nothing.
func (j *Journal) Person(ctx context.Context, account, userName string) (p Person, ok bool, err error) {
	row := j.db.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE account = ? AND user_key = ?`,
		account, userKey(userName))
	p, err = scanPerson(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, false, nil
	}
	if err != nil {
		return Person{}, false, fmt.Errorf("reading user (%s) in account (%s): %w", userName, account, err)
	}
	return p, true, nil
}

// People lists the users the journal knows in account ("" for every account),
// ordered by account and user name.
func (j *Journal) People(ctx context.Context, account string) ([]Person, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT `+personColumns+` FROM people
		WHERE ? = '' OR account = ? ORDER BY account, user_key`, account, account)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	people, err := collect(rows, scanPerson)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return people, nil
}

// Unconfirmed lists users whose latest credential was issued but never
// confirmed delivered: each needs a fresh credential, delivered once.
func (j *Journal) Unconfirmed(ctx context.Context) ([]Person, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT `+personColumns+` FROM people
		WHERE credential_state = 'issued' ORDER BY account, user_key`)
	if err != nil {
		return nil, fmt.Errorf("listing unconfirmed credentials: %w", err)
	}
	people, err := collect(rows, scanPerson)
	if err != nil {
		return nil, fmt.Errorf("listing unconfirmed credentials: %w", err)
	}
	return people, nil
}

func scanPerson(s scanner) (Person, error) {
	var (
		p       Person
		updated string
	)
	err := s.Scan(&p.Account, &p.UserName, &p.Email, &p.Managed, &p.UserState, &p.CredentialID,
		&p.CredentialState, &p.Channel, &p.Receipt, &updated, &p.LastRun)
	p.UpdatedAt = parseTime(updated)
	return p, err
}

// Steps lists a run's steps in the order they were recorded.
func (j *Journal) Steps(ctx context.Context, runID int64) ([]Step, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT run_id, account, user_name, email, step, status, detail, at
		FROM steps WHERE run_id = ? ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("listing steps of run %d: %w", runID, err)
	}
	steps, err := collect(rows, func(s scanner) (Step, error) {
		var (
			st Step
			at string
		)
		err := s.Scan(&st.RunID, &st.Account, &st.UserName, &st.Email, &st.Step, &st.Status, &st.Detail, &at)
		st.At = parseTime(at)
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing steps of run %d: %w", runID, err)
	}
	return steps, nil
}

// Deliveries lists a run's delivery attempts in the order they were recorded.
func (j *Journal) Deliveries(ctx context.Context, runID int64) ([]Delivery, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT run_id, account, user_name, credential_id, channel, status, receipt, error, at
		FROM deliveries WHERE run_id = ? ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries of run %d: %w", runID, err)
	}
	out, err := collect(rows, func(s scanner) (Delivery, error) {
		var (
			d  Delivery
			at string
		)
		err := s.Scan(&d.RunID, &d.Account, &d.UserName, &d.CredentialID, &d.Channel, &d.Status, &d.Receipt, &d.Error, &at)
		d.At = parseTime(at)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing deliveries of run %d: %w", runID, err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
