package offboard_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/sandbox"
)

// Calls fail at random (no retries) during the first run, which leaves
// people half-removed; the same command run again finishes everyone. The
// first archive of every user holds everything it had.
func TestRerunAfterPartialFailureConverges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := []string{"alice", "bob"}
	for _, acct := range members {
		e.addUsers(t, acct, loadedUser(acct, "alice", "alice@example.com"), loadedUser(acct, "bob", "bob@example.com"))
	}
	p := e.plan(t, request(t, offboard.ActionRemove, people, members...))
	e.maxAttempts = 1
	e.sb.SetFaults(t, sandbox.FaultConfig{ErrorRate: 0.3, Seed: 11})
	first := e.apply(t, p)
	if first.OK() {
		t.Fatalf("with 30%% of calls failing, everything went well: the test tests nothing: %+v", first.Rows)
	}
	if first.Count(offboard.StatusFailed) == 0 {
		t.Fatalf("no failed row: %+v", first.Rows)
	}
	e.sb.SetFaults(t, sandbox.FaultConfig{})
	second := e.run(t, request(t, offboard.ActionRemove, people, members...))
	if !second.OK() {
		t.Fatalf("rerun: %+v", second.Rows)
	}
	for _, acct := range members {
		for _, name := range people {
			if e.userExists(t, acct, name) {
				t.Errorf("%s still in %s", name, acct)
			}
			assertFirstArchiveComplete(t, e, acct, name)
		}
		assertAccountClean(t, e, acct)
	}
}

// assertFirstArchiveComplete checks that the user's first archive lists
// everything the fixture gave it: whatever the first run removed is in it.
func assertFirstArchiveComplete(t *testing.T, e *env, acct, name string) {
	t.Helper()
	archives, err := e.journal.Archives(context.Background(), acct, name)
	if err != nil || len(archives) == 0 {
		t.Fatalf("%s in %s: no archive (%v)", name, acct, err)
	}
	var rec iamuser.Record
	if err := json.Unmarshal(archives[0].Record, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.MFADevices) != 3 || len(rec.AccessKeys) != 2 || len(rec.Groups) != 3 || len(rec.InlinePolicies) != 2 ||
		rec.LoginProfile == nil || len(rec.ServiceSpecificCredentials) != 3 || rec.User.PermissionsBoundary == "" {
		t.Errorf("%s in %s: the first archive is not complete: %+v", name, acct, rec)
	}
}

// Things removed by someone else between the plan and the removal answer
// NoSuchEntity, which counts as done.
func TestNoSuchEntityMidwayIsDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUsers(t, prod, loadedUser(prod, "dave", "dave@example.com"))
	p := e.plan(t, request(t, offboard.ActionRemove, []string{"dave"}, prod))
	rec := p.Placements[0].Record.(*iamuser.Record)
	api, ctx, user := e.iam(prod), context.Background(), aws.String("dave")
	for _, err := range []error{
		call(api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: aws.String(rec.AccessKeys[0].AccessKeyID)})),
		call(api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: user, GroupName: aws.String("on-call")})),
		call(api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})),
		call(api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("s3-read")})),
		call(api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: aws.String(serialOf(rec, iamuser.MFAPasskey))})),
		call(api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: aws.String(serialOf(rec, iamuser.MFAVirtual))})),
		call(api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serialOf(rec, iamuser.MFAVirtual))})),
		call(api.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: user})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	e.sb.Delete(t, "requests")
	rep := e.apply(t, p)
	if !rep.OK() || rep.Rows[0].Status != offboard.StatusRemoved || len(rep.Rows[0].Left) != 0 {
		t.Fatalf("row %+v", rep.Rows[0])
	}
	// NoSuchEntity for the key, the login profile, the policy, both devices'
	// deactivation and the virtual one's deletion, and the verifying GetUser
	// (IAM answers RemoveUserFromGroup and DeleteUserPermissionsBoundary
	// without an error when there is nothing to remove).
	if rc := e.sb.Requests(t, prod); rc.Errors != 7 {
		t.Errorf("%d requests failed, want 7 NoSuchEntity answers: %+v", rc.Errors, rc.Counts)
	}
}

func call(_ any, err error) error { return err }

func serialOf(rec *iamuser.Record, kind string) string {
	for _, d := range rec.MFADevices {
		if d.Type == kind {
			return d.SerialNumber
		}
	}
	return ""
}

// A virtual MFA device an earlier run deactivated but could not delete is no
// longer listed under the user; the journal's archive remembers it, and the
// next run deletes it, even once the user itself is gone.
func TestLeftoverVirtualMFADeviceIsDeletedOnRerun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.iam(dev).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("erin-phone")})
	if err != nil {
		t.Fatal(err)
	}
	serial := aws.ToString(out.VirtualMFADevice.SerialNumber)
	run, err := e.journal.StartRun(ctx, journal.RunInfo{Command: offboard.Command})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(iamuser.Record{Format: iamuser.ArchiveFormat, Account: dev, User: iamuser.User{UserName: "erin"},
		MFADevices: []iamuser.MFADevice{{SerialNumber: serial, Type: iamuser.MFAVirtual, Assigned: true}, {SerialNumber: "GAHT00000001", Type: iamuser.MFAHardware, Assigned: true}}})
	if err := e.journal.RecordArchive(ctx, journal.ArchiveRecord{RunID: run, Account: dev, UserName: "erin", Action: "remove", Record: old}); err != nil {
		t.Fatal(err)
	}
	p := e.plan(t, request(t, offboard.ActionRemove, []string{"erin"}, dev))
	if ch := p.Changes(p.Placements[0]); len(ch) != 1 || ch[0].ID != serial || ch[0].Action != "delete" {
		t.Fatalf("planned %+v", ch)
	}
	rep := e.apply(t, p)
	if !rep.OK() || rep.Rows[0].Status != offboard.StatusRemoved {
		t.Fatalf("row %+v", rep.Rows[0])
	}
	assertAccountClean(t, e, dev)
	p = e.plan(t, request(t, offboard.ActionRemove, []string{"erin"}, dev))
	if p.Placements[0].Record != nil || p.Placements[0].State != offboard.StateAbsent {
		t.Errorf("after the cleanup: %+v", p.Placements[0])
	}
}

// Ctrl-C in the middle of a run starts nobody new; the people in flight are
// finished. Run again, everyone ends removed, and everyone who was touched
// was archived first.
func TestInterruptedRunResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var users, names []string
	for i := range 12 {
		name := "p" + string(rune('a'+i))
		names = append(names, name)
		users = append(users, plainUser(name, nil))
	}
	e.addUsers(t, prod, users...)
	p := e.plan(t, request(t, offboard.ActionRemove, names, prod))
	e.sb.SetFaults(t, sandbox.FaultConfig{LatencyMS: 20})
	deps := e.deps(t)
	deps.Concurrency = 2
	ctx, cancel := context.WithCancel(context.Background())
	deps.Progress = func(done, _ int) {
		if done == 3 { // Ctrl-C once three people are done
			cancel()
		}
	}
	rep, err := offboard.Apply(ctx, deps, p)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Count(offboard.StatusNotStarted) == 0 || rep.Count(offboard.StatusRemoved) == 0 {
		t.Fatalf("interrupted run: %+v", rep.Rows)
	}
	for _, row := range rep.Rows {
		if row.Status != offboard.StatusNotStarted && row.Status != offboard.StatusRemoved {
			t.Errorf("a person in flight was not finished: %+v", row)
		}
	}
	e.sb.SetFaults(t, sandbox.FaultConfig{})
	rep = e.run(t, request(t, offboard.ActionRemove, names, prod))
	if !rep.OK() {
		t.Fatalf("rerun %+v", rep.Rows)
	}
	for _, name := range names {
		if a, _ := e.journal.Archives(context.Background(), prod, name); len(a) == 0 || e.userExists(t, prod, name) {
			t.Errorf("%s: %d archives, exists %v", name, len(a), e.userExists(t, prod, name))
		}
	}
}
