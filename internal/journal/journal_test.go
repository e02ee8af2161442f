package journal

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t testing.TB) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(t.TempDir(), "state", "journal.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := j.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return j
}

func startRun(t testing.TB, j *Journal) int64 {
	t.Helper()
	id, err := j.StartRun(context.Background(), RunInfo{Command: "onboard", Source: "team.yaml", Args: []string{"-f", "team.yaml"}})
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	return id
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "gatehouse")
	path := filepath.Join(dir, "journal.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	startRun(t, j)
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), fi.Mode(), want)
		}
	}
	var mode, sync string
	_ = j.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	_ = j.db.QueryRow("PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != "2" {
		t.Errorf("journal_mode %q synchronous %q, want wal and 2 (FULL)", mode, sync)
	}
}

func TestRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	first, second := startRun(t, j), startRun(t, j)
	sum := Summary{People: 3, Accounts: 2, Succeeded: 5, Failed: 1, Delivered: 5}
	if err := j.FinishRun(ctx, first, RunFailed, sum); err != nil {
		t.Fatal(err)
	}
	runs, err := j.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != second || runs[1].ID != first {
		t.Fatalf("Runs = %+v, want newest first", runs)
	}
	if r := runs[0]; r.Status != RunRunning || !r.FinishedAt.IsZero() || r.StartedAt.IsZero() {
		t.Errorf("running run = %+v", r)
	}
	r := runs[1]
	if r.Status != RunFailed || r.Summary != sum || r.FinishedAt.IsZero() || r.Command != "onboard" ||
		r.Source != "team.yaml" || strings.Join(r.Args, " ") != "-f team.yaml" {
		t.Errorf("finished run = %+v", r)
	}
	if runs, _ := j.Runs(ctx, 1); len(runs) != 1 || runs[0].ID != second {
		t.Errorf("Runs(1) = %+v", runs)
	}
	if got, ok, err := j.Run(ctx, first); err != nil || !ok || got.Summary != sum {
		t.Errorf("Run(%d) = %+v, %v, %v", first, got, ok, err)
	}
	if _, ok, err := j.Run(ctx, 999); ok || err != nil {
		t.Errorf("Run(999) = %v, %v; want not found", ok, err)
	}
	if err := j.FinishRun(ctx, 999, RunSucceeded, Summary{}); !errors.Is(err, ErrNoRun) {
		t.Errorf("FinishRun(999) = %v, want ErrNoRun", err)
	}
	if err := j.FinishRun(ctx, second, RunRunning, Summary{}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("FinishRun(running) = %v, want an error listing the statuses", err)
	}
}

func TestCredentialLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	const acct = "111122223333"
	must(t, j.MarkUser(ctx, run, acct, "Alice@Example.com", "alice@example.com", true))
	p, ok, err := j.Person(ctx, acct, "alice@example.com")
	if err != nil || !ok || !p.Managed || p.UserState != UserPresent || p.CredentialState != CredentialNone || p.UserName != "Alice@Example.com" {
		t.Fatalf("after MarkUser: %+v, %v, %v", p, ok, err)
	}
	must(t, j.CredentialIssued(ctx, run, acct, "alice@example.com", "c1"))
	assertUnconfirmed(t, j, "Alice@Example.com/c1")
	must(t, j.DeliveryFailed(ctx, run, acct, "alice@example.com", "c1", "ses", "SES said no"))
	assertUnconfirmed(t, j, "Alice@Example.com/c1")
	must(t, j.CredentialIssued(ctx, run, acct, "alice@example.com", "c2"))
	must(t, j.CredentialDelivered(ctx, run, acct, "alice@example.com", "c2", "ses", "msg-2"))
	assertUnconfirmed(t, j)
	err = j.CredentialDelivered(ctx, run, acct, "alice@example.com", "c1", "ses", "msg-1")
	if !errors.Is(err, ErrStaleCredential) {
		t.Fatalf("delivering the older credential = %v, want ErrStaleCredential", err)
	}
	p, _, _ = j.Person(ctx, acct, "ALICE@example.com")
	if p.CredentialID != "c2" || p.CredentialState != CredentialDelivered || p.Channel != "ses" || p.Receipt != "msg-2" || p.LastRun != run {
		t.Errorf("after delivery: %+v", p)
	}
	ds, err := j.Deliveries(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Status != DeliveryFailed || ds[0].Error != "SES said no" || ds[1].Status != DeliverySent || ds[1].Receipt != "msg-2" {
		t.Errorf("deliveries = %+v (the stale one must not be recorded)", ds)
	}
	must(t, j.MarkRemoved(ctx, run, acct, "alice@example.com"))
	if p, _, _ = j.Person(ctx, acct, "alice@example.com"); p.UserState != UserRemoved || p.CredentialState != CredentialNone {
		t.Errorf("after MarkRemoved: %+v", p)
	}
}

// The intent to create a user is journaled before the create call: the
// user is not gatehouse's until MarkUser confirms it, the intent's time is
// kept, and what an earlier user of that name had delivered is forgotten.
func TestMarkCreatingThenMarkUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	const store = "d-1111111111"
	must(t, j.MarkUser(ctx, run, store, "ada", "ada@example.com", true))
	must(t, j.CredentialIssued(ctx, run, store, "ada", "c1"))
	must(t, j.CredentialDelivered(ctx, run, store, "ada", "c1", "ses", "msg-1"))
	before := time.Now().UTC().Truncate(time.Microsecond)
	must(t, j.MarkCreating(ctx, run, store, "Ada", "ada@example.com"))
	p, ok, err := j.Person(ctx, store, "ada")
	if err != nil || !ok || p.Managed || p.UserState != UserCreating || p.CredentialState != CredentialNone || p.CredentialID != "" ||
		p.Channel != "" || p.UpdatedAt.Before(before) {
		t.Fatalf("after MarkCreating: %+v, %v, %v (intent journaled at or after %v)", p, ok, err, before)
	}
	must(t, j.MarkUser(ctx, run, store, "Ada", "ada@example.com", true))
	if p, _, _ = j.Person(ctx, store, "ada"); !p.Managed || p.UserState != UserPresent {
		t.Errorf("after MarkUser: %+v", p)
	}
}

func TestCredentialIssuedWithoutMarkUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	must(t, j.CredentialIssued(ctx, run, "111122223333", "bob", "c1"))
	p, ok, _ := j.Person(ctx, "111122223333", "bob")
	if !ok || p.CredentialState != CredentialIssued || p.Managed || p.UserState != "" {
		t.Errorf("Person = %+v, %v", p, ok)
	}
	if people, _ := j.People(ctx, "999999999999"); len(people) != 0 {
		t.Errorf("People(other account) = %+v", people)
	}
	if people, _ := j.People(ctx, ""); len(people) != 1 {
		t.Errorf("People(all) = %+v", people)
	}
}

func TestSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	for _, s := range []string{"create-user", "login-profile", "add-to-group:Dev"} {
		must(t, j.RecordStep(ctx, StepRecord{RunID: run, Account: "111122223333", UserName: "alice", Email: "a@example.com", Step: s, Status: StepDone}))
	}
	must(t, j.RecordStep(ctx, StepRecord{RunID: run, Account: "111122223333", UserName: "alice", Step: "attach-policy", Status: StepFailed, Detail: "AccessDenied"}))
	steps, err := j.Steps(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 || steps[0].Step != "create-user" || steps[3].Detail != "AccessDenied" || steps[0].Email != "a@example.com" || steps[0].At.IsZero() {
		t.Errorf("Steps = %+v", steps)
	}
	bad := []StepRecord{
		{RunID: run, Account: "111122223333", UserName: "alice", Step: "x", Status: "ok"},
		{RunID: run, Account: "111122223333", Step: "x", Status: StepDone},
		{RunID: run + 100, Account: "111122223333", UserName: "alice", Step: "x", Status: StepDone}, // no such run
	}
	for _, s := range bad {
		if err := j.RecordStep(ctx, s); err == nil {
			t.Errorf("RecordStep(%+v) succeeded", s)
		}
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	run := startRun(t, j)
	must(t, j.CredentialIssued(ctx, run, "111122223333", "alice", "c1"))
	must(t, j.Close())
	if err := j.RecordStep(ctx, StepRecord{RunID: run, Account: "1", UserName: "a", Step: "s", Status: StepDone}); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close = %v, want ErrClosed", err)
	}
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok, _ := j.Person(ctx, "111122223333", "alice"); !ok || p.CredentialID != "c1" {
		t.Errorf("after reopen: %+v, %v", p, ok)
	}
	_, err = j.db.Exec("PRAGMA user_version = 99")
	must(t, err)
	must(t, j.Close())
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "upgrade gatehouse") {
		t.Errorf("opening a newer journal = %v, want a hint to upgrade", err)
	}
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := j.StartRun(ctx, RunInfo{Command: "onboard"}); !errors.Is(err, context.Canceled) {
		t.Errorf("StartRun(canceled) = %v", err)
	}
}

// TestFailedOpIsolatedInBatch puts a failing write in the same transaction as
// good ones: it alone is rolled back, and every caller gets its own outcome.
func TestFailedOpIsolatedInBatch(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	run := startRun(t, j)
	conn, err := j.db.Conn(context.Background())
	must(t, err)
	w := &writer{conn: conn, queue: make(chan *op, 16), stmts: map[string]*sql.Stmt{}, done: make(chan struct{})}
	insert := func(detail string, fail bool) *op {
		o := &op{done: make(chan error, 1), apply: func(tx *writeTx) error {
			if _, err := tx.exec(`INSERT INTO steps (run_id, account, user_name, step, status, detail, at) VALUES (?, 'a', 'u', 's', 'done', ?, ?)`, run, detail, now()); err != nil {
				return err
			}
			if fail {
				return errors.New("boom")
			}
			return nil
		}}
		w.queue <- o
		return o
	}
	ops := []*op{insert("one", false), insert("bad", true), insert("three", false)}
	go w.loop()
	for i, o := range ops {
		if err := <-o.done; (err != nil) != (i == 1) {
			t.Errorf("op %d: %v", i, err)
		}
	}
	must(t, w.close())
	steps, _ := j.Steps(context.Background(), run)
	var got []string
	for _, s := range steps {
		got = append(got, s.Detail)
	}
	if strings.Join(got, ",") != "one,three" {
		t.Errorf("committed = %v, want one,three", got)
	}
}

func TestSchemaHasNoSecretColumns(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	rows, err := j.db.Query(`SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`)
	must(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, col string
		must(t, rows.Scan(&table, &col))
		n++
		for _, bad := range []string{"password", "secret", "token", "key_material"} {
			if strings.Contains(strings.ToLower(col), bad) {
				t.Errorf("column %s.%s looks like it holds a secret", table, col)
			}
		}
	}
	if n < 20 {
		t.Errorf("saw only %d columns", n)
	}
}

func assertUnconfirmed(t *testing.T, j *Journal, want ...string) {
	t.Helper()
	people, err := j.Unconfirmed(context.Background())
	must(t, err)
	var got []string
	for _, p := range people {
		got = append(got, p.UserName+"/"+p.CredentialID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Unconfirmed = %v, want %v", got, want)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
