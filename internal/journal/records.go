package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrStaleCredential means a delivery was recorded for a credential that is no
// longer the user's latest: a newer one was issued in the meantime.
var ErrStaleCredential = errors.New("the credential is not the user's latest")

// ErrNoRun means a run ID is not in the journal.
var ErrNoRun = errors.New("no such run")

// StartRun records the start of a run and returns its ID.
func (j *Journal) StartRun(ctx context.Context, info RunInfo) (int64, error) {
	if info.Command == "" {
		return 0, errors.New("starting a run: the command is empty")
	}
	args, err := json.Marshal(nonNil(info.Args))
	if err != nil {
		return 0, fmt.Errorf("starting a run (%s): %w", info.Command, err)
	}
	var id int64
	err = j.w.submit(ctx, func(tx *writeTx) error {
		res, err := tx.exec(`INSERT INTO runs (command, source, args, started_at) VALUES (?, ?, ?, ?)`,
			info.Command, info.Source, string(args), now())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("starting a run (%s): %w", info.Command, err)
	}
	return id, nil
}

// FinishRun records how a run ended: RunSucceeded, RunFailed or RunInterrupted.
func (j *Journal) FinishRun(ctx context.Context, runID int64, status string, summary Summary) error {
	if !slices.Contains([]string{RunSucceeded, RunFailed, RunInterrupted}, status) {
		return fmt.Errorf("finishing run %d: status %q is not one of %s, %s, %s", runID, status, RunSucceeded, RunFailed, RunInterrupted)
	}
	sum, err := json.Marshal(summary)
	if err != nil {
		return fmt.Errorf("finishing run %d: %w", runID, err)
	}
	err = j.w.submit(ctx, func(tx *writeTx) error {
		ok, err := tx.execOne(`UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?`,
			status, now(), string(sum), runID)
		if err == nil && !ok {
			err = ErrNoRun
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("finishing run %d: %w", runID, err)
	}
	return nil
}

// RecordStep records one step for one (account, person) pair.
func (j *Journal) RecordStep(ctx context.Context, s StepRecord) error {
	where := fmt.Sprintf("recording step (%s) for user (%s) in account (%s)", s.Step, s.UserName, s.Account)
	if err := checkStep(s); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	err := j.w.submit(ctx, func(tx *writeTx) error {
		_, err := tx.exec(`INSERT INTO steps (run_id, account, user_name, email, step, status, detail, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.RunID, s.Account, s.UserName, s.Email, s.Step, s.Status, s.Detail, now())
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

func checkStep(s StepRecord) error {
	switch {
	case s.Account == "" || s.UserName == "" || s.Step == "":
		return errors.New("account, user name and step are required")
	case !slices.Contains([]string{StepDone, StepFailed, StepSkipped}, s.Status):
		return fmt.Errorf("status %q is not one of %s, %s, %s", s.Status, StepDone, StepFailed, StepSkipped)
	}
	return nil
}

// MarkUser records that the IAM user exists, and whether gatehouse manages it
// (created it, or adopted it).
func (j *Journal) MarkUser(ctx context.Context, runID int64, account, userName, email string, managed bool) error {
	return j.person(ctx, "marking user", account, userName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO people (account, user_key, user_name, email, managed, user_state, updated_at, last_run)
			VALUES (?, ?, ?, ?, ?, 'present', ?, ?)
			ON CONFLICT (account, user_key) DO UPDATE SET user_name = excluded.user_name, email = excluded.email,
				managed = excluded.managed, user_state = 'present', updated_at = excluded.updated_at, last_run = excluded.last_run`,
			account, userKey(userName), userName, email, managed, t, runID)
		return err
	})
}

// MarkCreating records that gatehouse is about to create the user: call it
// before the create call. The user stays unmanaged (UserCreating) until
// MarkUser confirms the creation; the record's UpdatedAt is when the intent
// was journaled, which a directory compares with the user's creation time.
// A user about to be created has no credential: whatever an earlier user of
// that name had is forgotten.
func (j *Journal) MarkCreating(ctx context.Context, runID int64, account, userName, email string) error {
	return j.person(ctx, "recording the intent to create user", account, userName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO people (account, user_key, user_name, email, managed, user_state, updated_at, last_run)
			VALUES (?, ?, ?, ?, 0, 'creating', ?, ?)
			ON CONFLICT (account, user_key) DO UPDATE SET user_name = excluded.user_name, email = excluded.email,
				managed = 0, user_state = 'creating', credential_id = '', credential_state = 'none', channel = '', receipt = '',
				updated_at = excluded.updated_at, last_run = excluded.last_run`,
			account, userKey(userName), userName, email, t, runID)
		return err
	})
}

// MarkRemoved records that the IAM user was offboarded; its credential is gone with it.
func (j *Journal) MarkRemoved(ctx context.Context, runID int64, account, userName string) error {
	return j.person(ctx, "marking user removed", account, userName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO people (account, user_key, user_name, user_state, updated_at, last_run)
			VALUES (?, ?, ?, 'removed', ?, ?)
			ON CONFLICT (account, user_key) DO UPDATE SET user_state = 'removed', credential_state = 'none',
				channel = '', receipt = '', updated_at = excluded.updated_at, last_run = excluded.last_run`,
			account, userKey(userName), userName, t, runID)
		if err != nil {
			return err
		}
		// A suspension ends with its user (its archive keeps the record): a
		// user of the same name made later must not get back what the
		// removed one's suspension took.
		if _, err := tx.exec(`DELETE FROM suspended_items WHERE account = ? AND user_key = ?`, account, userKey(userName)); err != nil {
			return err
		}
		_, err = tx.exec(`DELETE FROM suspensions WHERE account = ? AND user_key = ?`, account, userKey(userName))
		return err
	})
}

// CredentialIssued records a new credential for the user. Call it before the
// password is set in AWS: if gatehouse dies in between, the journal shows an
// issued, undelivered credential and the next run issues a fresh one.
func (j *Journal) CredentialIssued(ctx context.Context, runID int64, account, userName, credentialID string) error {
	if credentialID == "" {
		return fmt.Errorf("recording credential for user (%s) in account (%s): the credential ID is empty", userName, account)
	}
	return j.person(ctx, "recording credential "+credentialID, account, userName, func(tx *writeTx, t string) error {
		_, err := tx.exec(`INSERT INTO people (account, user_key, user_name, credential_id, credential_state, updated_at, last_run)
			VALUES (?, ?, ?, ?, 'issued', ?, ?)
			ON CONFLICT (account, user_key) DO UPDATE SET credential_id = excluded.credential_id, credential_state = 'issued',
				channel = '', receipt = '', updated_at = excluded.updated_at, last_run = excluded.last_run`,
			account, userKey(userName), userName, credentialID, t, runID)
		if err != nil {
			return err
		}
		_, err = tx.exec(`INSERT INTO credentials (run_id, account, user_name, credential_id, at) VALUES (?, ?, ?, ?, ?)`,
			runID, account, userName, credentialID, t)
		return err
	})
}

// CredentialDelivered records that channel handed credentialID over, with the
// channel's receipt. It fails with ErrStaleCredential (recording nothing) when
// a newer credential was issued since.
func (j *Journal) CredentialDelivered(ctx context.Context, runID int64, account, userName, credentialID, channel, receipt string) error {
	return j.person(ctx, "recording delivery of credential "+credentialID, account, userName, func(tx *writeTx, t string) error {
		ok, err := tx.execOne(`UPDATE people SET credential_state = 'delivered', channel = ?, receipt = ?, updated_at = ?, last_run = ?
			WHERE account = ? AND user_key = ? AND credential_id = ?`,
			channel, receipt, t, runID, account, userKey(userName), credentialID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrStaleCredential
		}
		return insertDelivery(tx, Delivery{RunID: runID, Account: account, UserName: userName, CredentialID: credentialID,
			Channel: channel, Status: DeliverySent, Receipt: receipt}, t)
	})
}

// DeliveryFailed records a failed hand-over; the credential stays issued and
// undelivered. errText is the channel's error, which never contains the secret.
func (j *Journal) DeliveryFailed(ctx context.Context, runID int64, account, userName, credentialID, channel, errText string) error {
	return j.person(ctx, "recording failed delivery of credential "+credentialID, account, userName, func(tx *writeTx, t string) error {
		return insertDelivery(tx, Delivery{RunID: runID, Account: account, UserName: userName, CredentialID: credentialID,
			Channel: channel, Status: DeliveryFailed, Error: errText}, t)
	})
}

func insertDelivery(tx *writeTx, d Delivery, t string) error {
	_, err := tx.exec(`INSERT INTO deliveries (run_id, account, user_name, credential_id, channel, status, receipt, error, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.RunID, d.Account, d.UserName, d.CredentialID, d.Channel, d.Status, d.Receipt, d.Error, t)
	return err
}

// person runs a write about one (account, user) pair, with the error context
// every such write shares.
func (j *Journal) person(ctx context.Context, what, account, userName string, apply func(tx *writeTx, t string) error) error {
	if account == "" || userName == "" {
		return fmt.Errorf("%s for user (%s) in account (%s): account and user name are required", what, userName, account)
	}
	err := j.w.submit(ctx, func(tx *writeTx) error { return apply(tx, now()) })
	if err != nil {
		return fmt.Errorf("%s for user (%s) in account (%s): %w", what, userName, account, err)
	}
	return nil
}

// userKey is how IAM compares user names: case-insensitively.
func userKey(userName string) string { return strings.ToLower(userName) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
