package journal_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// A journal written by the gatehouse of schema version 3 (testdata/v3.db:
// the README's quick start, a suspension and reinstatement of the team, a
// resend and alice's removal, made by that release's binary) opens, reads
// as it was written, and takes new runs.
func TestOpensVersion3Journal(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "v3.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatalf("opening a version 3 journal: %v", err)
	}
	defer j.Close()

	runs, err := j.Runs(ctx, 0)
	if err != nil || len(runs) != 9 || runs[0].Command != "offboard" || runs[len(runs)-1].Command != "onboard" {
		t.Fatalf("runs: %v %+v", err, runs)
	}
	bob, ok, err := j.Person(ctx, "222222222222", "BOB.JONES@example.com")
	if err != nil || !ok || !bob.Managed || bob.CredentialState != journal.CredentialDelivered || bob.UserState != journal.UserPresent {
		t.Errorf("bob: %v %v %+v", err, ok, bob)
	}
	alice, ok, err := j.Person(ctx, "222222222222", "alice.smith@example.com")
	if err != nil || !ok || alice.UserState != journal.UserRemoved {
		t.Errorf("alice: %v %v %+v", err, ok, alice)
	}
	if name, ok, err := j.ArchivedUserName(ctx, "222222222222", "alice.smith@example.com"); err != nil || !ok || name != "alice.smith@example.com" {
		t.Errorf("alice's archived name: %q %v %v", name, ok, err)
	}
	archives, err := j.Archives(ctx, "222222222222", "alice.smith@example.com")
	if err != nil || len(archives) != 3 {
		t.Errorf("alice's archives: %v, %d", err, len(archives))
	}
	if s, ok, err := j.Suspension(ctx, "333333333333", "taro.yamada"); err != nil || !ok || s.State != journal.Reinstated || !s.LoginRemoved {
		t.Errorf("taro's suspension: %v %v %+v", err, ok, s)
	}
	if un, err := j.Unconfirmed(ctx); err != nil || len(un) != 0 {
		t.Errorf("unconfirmed: %v %+v", err, un)
	}

	run, err := j.StartRun(ctx, journal.RunInfo{Command: "onboard", Source: "v3 test"})
	if err == nil {
		err = j.CredentialIssued(ctx, run, "222222222222", "bob.jones@example.com", "cred-v3test")
	}
	if err == nil {
		err = j.FinishRun(ctx, run, journal.RunSucceeded, journal.Summary{People: 1})
	}
	if err != nil || run != 10 {
		t.Fatalf("a new run in the old journal: %d, %v", run, err)
	}
	if bob, _, _ := j.Person(ctx, "222222222222", "bob.jones@example.com"); bob.CredentialState != journal.CredentialIssued {
		t.Errorf("bob after a new credential: %+v", bob)
	}
}
