package journal

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

func TestArchiveRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	must(t, j.RecordArchive(ctx, ArchiveRecord{RunID: run, Account: "111122223333", UserName: "Alice", UserID: "AIDA1",
		Action: ArchiveRemove, Record: []byte(`{"UserName":"Alice","n":1}`), File: "/a/1.json"}))
	must(t, j.RecordArchive(ctx, ArchiveRecord{RunID: run, Account: "111122223333", UserName: "alice", UserID: "AIDA1",
		Action: ArchiveRemove, Record: []byte(`{"UserName":"alice","n":2}`)}))
	must(t, j.RecordArchive(ctx, ArchiveRecord{RunID: run, Account: "999988887777", UserName: "alice",
		Action: ArchiveSuspend, Record: []byte(`{}`)}))
	got, err := j.Archives(ctx, "111122223333", "ALICE")
	must(t, err)
	if len(got) != 2 || string(got[0].Record) != `{"UserName":"Alice","n":1}` || got[0].File != "/a/1.json" ||
		got[1].UserName != "alice" || got[0].UserID != "AIDA1" || got[0].At.IsZero() || got[0].RunID != run {
		t.Errorf("Archives = %+v", got)
	}
	for _, bad := range []ArchiveRecord{
		{RunID: run, Account: "111122223333", UserName: "a", Action: "delete", Record: []byte(`{}`)},
		{RunID: run, Account: "111122223333", UserName: "a", Action: ArchiveRemove},
		{RunID: run, Account: "", UserName: "a", Action: ArchiveRemove, Record: []byte(`{}`)},
		{RunID: run + 50, Account: "111122223333", UserName: "a", Action: ArchiveRemove, Record: []byte(`{}`)},
	} {
		if err := j.RecordArchive(ctx, bad); err == nil {
			t.Errorf("RecordArchive(%+v) succeeded", bad)
		}
	}
}

func TestSuspensionLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	const acct = "111122223333"
	if _, ok, err := j.Suspension(ctx, acct, "bob"); ok || err != nil {
		t.Fatalf("before any suspension: ok %v, %v", ok, err)
	}
	if err := j.MarkReinstated(ctx, run, acct, "bob"); !errors.Is(err, ErrNotSuspended) {
		t.Errorf("reinstating someone never suspended = %v, want ErrNotSuspended", err)
	}
	key := SuspendedItem{Kind: "access key", ID: "AKIA1"}
	ssh := SuspendedItem{Kind: "SSH public key", ID: "APKA1"}
	must(t, j.RecordSuspension(ctx, run, acct, "Bob", true, []SuspendedItem{key}))
	// A rerun of the suspension (the first was interrupted) adds to the record.
	must(t, j.RecordSuspension(ctx, run, acct, "bob", false, []SuspendedItem{key, ssh}))
	s, ok, err := j.Suspension(ctx, acct, "BOB")
	must(t, err)
	if !ok || s.State != Suspended || !s.LoginRemoved || !slices.Equal(s.Items, []SuspendedItem{ssh, key}) || s.SuspendedAt.IsZero() {
		t.Fatalf("after two suspensions: %+v", s)
	}
	must(t, j.MarkReinstated(ctx, run, acct, "bob"))
	if err := j.MarkReinstated(ctx, run, acct, "bob"); !errors.Is(err, ErrNotSuspended) {
		t.Errorf("second reinstatement = %v, want ErrNotSuspended", err)
	}
	s, _, _ = j.Suspension(ctx, acct, "bob")
	if s.State != Reinstated || s.ReinstatedAt.IsZero() || len(s.Items) != 2 {
		t.Errorf("after reinstatement: %+v", s)
	}
	// A new suspension after the reinstatement starts afresh.
	cert := SuspendedItem{Kind: "signing certificate", ID: "C1"}
	must(t, j.RecordSuspension(ctx, run, acct, "bob", false, []SuspendedItem{cert}))
	s, _, _ = j.Suspension(ctx, acct, "bob")
	if s.State != Suspended || s.LoginRemoved || !slices.Equal(s.Items, []SuspendedItem{cert}) || !s.ReinstatedAt.IsZero() {
		t.Errorf("fresh suspension: %+v", s)
	}
	if err := j.RecordSuspension(ctx, run, acct, "bob", false, []SuspendedItem{{Kind: "access key"}}); err == nil {
		t.Error("an item without an ID was recorded")
	}
}

// A journal made before offboarding existed (schema version 1) is migrated
// when it is opened, and keeps its records.
func TestOffboardMigrationFromVersion1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	must(t, createFile(path))
	db, err := sql.Open("sqlite", dsn(path))
	must(t, err)
	_, err = db.Exec(migrations[0] + `; PRAGMA user_version = 1;
		INSERT INTO runs (command, started_at) VALUES ('onboard', '2024-01-01T00:00:00.000000Z')`)
	must(t, err)
	must(t, db.Close())

	j, err := Open(ctx, path)
	must(t, err)
	defer j.Close()
	var version int
	must(t, j.db.QueryRow("PRAGMA user_version").Scan(&version))
	if version != len(migrations) || version < 2 {
		t.Errorf("user_version = %d, want %d", version, len(migrations))
	}
	runs, err := j.Runs(ctx, 0)
	must(t, err)
	if len(runs) != 1 || runs[0].Command != "onboard" {
		t.Errorf("runs after migration = %+v", runs)
	}
	must(t, j.RecordArchive(ctx, ArchiveRecord{RunID: runs[0].ID, Account: "111122223333", UserName: "a", Action: ArchiveRemove, Record: []byte(`{}`)}))
}

// A removed user's suspension ends with it: a user of the same name made
// later has none to reinstate.
func TestMarkRemovedEndsTheSuspension(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx := context.Background()
	run, err := j.StartRun(ctx, RunInfo{Command: "offboard"})
	must(t, err)
	must(t, j.RecordSuspension(ctx, run, "d-1234567890", "ada", false, []SuspendedItem{{Kind: "account assignment", ID: "ReadOnly@111111111111"}}))
	must(t, j.MarkRemoved(ctx, run, "d-1234567890", "ada"))
	if s, ok, err := j.Suspension(ctx, "d-1234567890", "ada"); err != nil || ok {
		t.Errorf("suspension after removal: %+v, %v, %v; want none", s, ok, err)
	}
}
