package offboard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/offboard"
)

// The acceptance: a user with every dependency kind at once —
// virtual, hardware and passkey MFA devices among them — is removed in one
// run in each of three accounts entered through assumed roles. The plan
// before it changes nothing, and DeleteVirtualMFADevice is only ever called
// for the virtual devices.
func TestRemovesEveryDependencyInThreeAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, acct := range members {
		e.addUsers(t, acct, loadedUser(acct, "alice", "alice@example.com"))
	}
	e.sb.Delete(t, "requests")
	p := e.plan(t, request(t, offboard.ActionRemove, []string{"alice"}, members...))
	if n, which := mutating(e.sb.Requests(t, "")); n != 0 {
		t.Fatalf("the plan made %d mutating calls: %s", n, which)
	}
	if len(p.Placements) != 3 {
		t.Fatalf("%d targets, want 3", len(p.Placements))
	}
	for _, tg := range p.Placements {
		if tg.State != offboard.StateManaged || tg.Err != "" || tg.Record == nil {
			t.Fatalf("target %+v", tg)
		}
		// 3 MFA devices to deactivate, 1 to delete, a login profile, 2 keys, 2 SSH keys, 2 certificates,
		// 3 credentials, 3 groups, 2 inline and 2 managed policies, a boundary, and the user.
		if n := len(p.Changes(tg)); n != 3+1+1+2+2+2+3+3+2+2+1+1 {
			t.Errorf("%s: %d changes planned: %+v", tg.Scope.ID, n, p.Changes(tg))
		}
	}

	e.sb.Delete(t, "requests")
	rep := e.apply(t, p)
	if !rep.OK() || rep.Count(offboard.StatusRemoved) != 3 {
		t.Fatalf("report: %+v", rep.Rows)
	}
	rc := e.sb.Requests(t, "")
	if rc.Errors != 3 || count(rc, "GetUser") != 3 {
		t.Errorf("%d requests failed, want only the 3 GetUser that verify the users are gone: %+v", rc.Errors, rc.Counts)
	}
	if got := count(rc, "DeleteVirtualMFADevice"); got != 3 {
		t.Errorf("DeleteVirtualMFADevice called %d times, want 3 (one virtual device per account)", got)
	}
	if got := count(rc, "DeactivateMFADevice"); got != 9 {
		t.Errorf("DeactivateMFADevice called %d times, want 9", got)
	}
	for _, acct := range members {
		if e.userExists(t, acct, "alice") {
			t.Errorf("alice still exists in %s", acct)
		}
		assertAccountClean(t, e, acct)
	}
	for _, row := range rep.Rows {
		n := len(row.Done)
		if row.Found != 21 || n != 21+1+2 || !strings.HasPrefix(row.Done[0], "MFA device ") || row.Done[n-2] != "user alice" || len(row.Left) != 0 || row.Archive == "" || row.Done[n-1] != "verified gone" {
			t.Errorf("row %+v", row)
		}
	}
}

// assertAccountClean checks that nothing of the user is left: no virtual MFA
// device, and the groups it was in still exist (only memberships go).
func assertAccountClean(t *testing.T, e *env, acct string) {
	t.Helper()
	ctx := context.Background()
	out, err := e.iam(acct).ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAny})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.VirtualMFADevices) != 0 {
		t.Errorf("%s: virtual MFA devices left: %s", acct, aws.ToString(out.VirtualMFADevices[0].SerialNumber))
	}
	for _, g := range []string{"developers", "on-call", "readers"} {
		got, err := e.iam(acct).GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(g)})
		if err != nil || len(got.Users) != 0 {
			t.Errorf("%s: group %s: %v, %d members", acct, g, err, len(got.Users))
		}
	}
}

// A person named by e-mail address is found through the gatehouse:email tag
// even when the user name is something else; someone not there is absent,
// which is nothing to do.
func TestSelectsByEmailTagAndReportsAbsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUsers(t, prod, loadedUser(prod, "a.smith", "alice@example.com"), plainUser("bob", nil))
	rep := e.run(t, request(t, offboard.ActionRemove, []string{"alice@example.com", "nobody@example.com"}, prod))
	if len(rep.Rows) != 2 || rep.Rows[0].UserName != "a.smith" || rep.Rows[0].Status != offboard.StatusRemoved ||
		rep.Rows[1].Status != offboard.StatusAbsent || !rep.OK() {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if e.userExists(t, prod, "a.smith") || !e.userExists(t, prod, "bob") {
		t.Error("wrong users removed")
	}
	// Running it again finds nothing to do.
	rep = e.run(t, request(t, offboard.ActionRemove, []string{"alice@example.com"}, prod))
	if !rep.OK() || rep.Rows[0].Status != offboard.StatusAbsent {
		t.Errorf("rerun: %+v", rep.Rows)
	}
}

// --tag selects every user carrying the tag; with people given it narrows.
func TestSelectsByTag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUsers(t, dev, plainUser("c1", map[string]string{"team": "legacy"}), plainUser("c2", map[string]string{"team": "legacy"}),
		plainUser("c3", map[string]string{"team": "core"}))
	req := request(t, offboard.ActionRemove, nil, dev)
	req.Tags = map[string]string{"team": "legacy"}
	rep := e.run(t, req)
	if rep.Count(offboard.StatusRemoved) != 2 || len(rep.Rows) != 2 || rep.Rows[0].Person != "tag team=legacy" {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if e.userExists(t, dev, "c1") || e.userExists(t, dev, "c2") || !e.userExists(t, dev, "c3") {
		t.Error("the tag selected the wrong users")
	}
	req = request(t, offboard.ActionRemove, []string{"c3"}, dev)
	req.Tags = map[string]string{"team": "legacy"}
	p := e.plan(t, req)
	if p.Placements[0].State != offboard.StateAbsent || !strings.Contains(p.Placements[0].Note, "does not carry tag team=legacy") {
		t.Errorf("c3 narrowed by a tag it lacks: %+v", p.Placements[0])
	}
}
