package ssoadmin_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// loadFixture applies fixtures one after another to a new world, through
// every service's sections as the server does, and returns the last error.
func loadFixture(t *testing.T, docs ...string) (*state.World, error) {
	t.Helper()
	var sections []fixture.Section
	for _, svc := range sandbox.Services() {
		sections = append(sections, svc.Fixture...)
	}
	ld, w := fixture.NewLoader(sections...), sandbox.NewWorld()
	var err error
	for _, d := range docs {
		w.Lock()
		err = ld.Apply([]byte(d), "f.yaml", w)
		w.Unlock()
	}
	return w, err
}

const org = `organization:
  management_account: "111111111111"
  accounts: [{id: "111111111111", name: Management, email: aws@example.com}]
`

func TestFixtureBuildsTheInstance(t *testing.T) {
	t.Parallel()
	w, err := loadFixture(t, world)
	if err != nil {
		t.Fatal(err)
	}
	inst, ok := idcstate.Of(w).ByStoreID(storeID)
	if !ok || inst.ID != instanceID || inst.Owner != mgmt || !inst.Organization || inst.PortalURL() != "https://d-1234567890.awsapps.com/start" {
		t.Fatalf("instance = %+v", inst)
	}
	if inst.Quotas.RequestsPerSecond != 0 || inst.Quotas.MaxInProgress != 15 || inst.Quotas.AssignmentDelayMS != 100 {
		t.Errorf("quotas = %+v (a fixture changes only what it names)", inst.Quotas)
	}
	ps, ok := inst.PermissionSetByName("readonly")
	if !ok || ps.SessionDuration != "PT4H" || len(ps.ManagedPolicies) != 1 || ps.ManagedPolicies[0].Name != "ReadOnlyAccess" {
		t.Errorf("permission set = %+v", ps)
	}
	u, ok := inst.Store.UserByEmail("alice@example.com")
	g, _ := inst.Store.GroupByName("readers")
	if _, member := inst.Store.MembershipOf(g.ID, u.ID); !ok || !member || *u.Profile.Emails[0].Primary != true {
		t.Errorf("alice = %+v, in readers: %v", u, member)
	}
}

func TestFixtureProblemsAreReportedWhereTheyAre(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"no organisation", "identity_center: {}\n", "f.yaml:1: identity_center: the instance belongs to the organisation's management account"},
		{"store ID", org + "identity_center: {identity_store_id: d-XYZ}\n", `f.yaml:4: identity_center: identity_store_id "d-XYZ"`},
		{"negative quota", org + "identity_center: {quotas: {max_in_progress_assignments: -1}}\n", "f.yaml:4: identity_center: quotas: "},
		{"unknown key", org + "identity_center:\n  users:\n    - {user_name: a, pasword: x}\n", `f.yaml:6: unknown field "pasword"`},
		{"reserved user name", org + "identity_center:\n  users:\n    - {user_name: Administrator, display_name: A, given_name: A, family_name: B}\n", "f.yaml:6: user Administrator: user name Administrator is reserved"},
		{"no display name", org + "identity_center:\n  users:\n    - {user_name: a, given_name: A, family_name: B}\n", "f.yaml:6: user a: display_name must be"},
		{"unknown group", org + "identity_center:\n  users:\n    - {user_name: a, display_name: A, given_name: A, family_name: B, groups: [devs]}\n", `f.yaml:6: user a: group "devs" is not in the identity store`},
		{"same user name twice", org + "identity_center:\n  users:\n    - {user_name: a, display_name: A, given_name: A, family_name: B}\n    - {user_name: A, display_name: A, given_name: A, family_name: B}\n", "f.yaml:7: user A: its UserName is already another user's"},
		{"same group twice", org + "identity_center:\n  groups: [{display_name: devs}, {display_name: Devs}]\n", "f.yaml:5: group Devs: its DisplayName is already another group's"},
		{"session too long", org + "identity_center:\n  permission_sets: [{name: Admin, session_duration: PT13H}]\n", "f.yaml:5: permission set Admin: session duration PT13H must be between 1 and 12 hours"},
		{"customer policy", org + "identity_center:\n  permission_sets: [{name: Admin, managed_policies: [\"arn:aws:iam::111111111111:policy/Mine\"]}]\n", "is not an AWS-managed policy ARN"},
	} {
		_, err := loadFixture(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v\nwant it to contain %s", tc.name, err, tc.want)
		}
	}
}

func TestPostedFixturesExtendTheInstance(t *testing.T) {
	t.Parallel()
	more := "identity_center:\n  groups: [{display_name: auditors}]\n"
	w, err := loadFixture(t, world, more)
	if err != nil {
		t.Fatal(err)
	}
	idc := idcstate.Of(w)
	if inst, _ := idc.ByStoreID(storeID); len(idc.Instances) != 1 || len(inst.Store.Groups) != 2 {
		t.Errorf("instances = %d", len(idc.Instances))
	}
	if _, err := loadFixture(t, world, "identity_center: {identity_store_id: d-0000000000}\n"); err == nil || !strings.Contains(err.Error(), "cannot add a second one") {
		t.Errorf("a second instance: %v", err)
	}
}

// The example world and the world `gatehouse --sandbox` starts with hold
// the instances the documentation promises.
func TestShippedWorldsHaveAnInstance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path, store  string
		sets, groups []string
	}{
		{"../../examples/sandbox/world.yaml", "d-9067012345", []string{"ReadOnly"}, []string{"engineering"}},
		{"../../internal/runenv/embedded_world.yaml", "d-1111111111", []string{"AdministratorAccess", "ReadOnly", "Developer"}, []string{"admins", "developers", "readers"}},
	} {
		data, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		w, err := loadFixture(t, string(data))
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		inst, ok := idcstate.Of(w).ByStoreID(tc.store)
		if !ok || inst.Owner != mgmt || inst.Quotas != idcstate.DefaultQuotas() {
			t.Fatalf("%s: instance = %+v", tc.path, inst)
		}
		for _, name := range tc.sets {
			if _, ok := inst.PermissionSetByName(name); !ok {
				t.Errorf("%s: no permission set %s", tc.path, name)
			}
		}
		for _, name := range tc.groups {
			if _, ok := inst.Store.GroupByName(name); !ok {
				t.Errorf("%s: no group %s", tc.path, name)
			}
		}
	}
}

// A snapshot (GET /_sandbox/state, --state) restores the instance with its
// uniqueness indexes and its operations' times.
func TestInstanceSurvivesASnapshot(t *testing.T) {
	t.Parallel()
	w, err := loadFixture(t, world)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := idcstate.Of(w).ByStoreID(storeID)
	ps, _ := before.PermissionSetByName("ReadOnly")
	alice, _ := before.Store.UserByName("alice")
	done := time.Now().Add(time.Hour).UTC()
	before.Start(&idcstate.Operation{RequestID: "r1", Kind: idcstate.Create, Created: time.Now().UTC(), Done: done, Outcome: "SUCCEEDED",
		Target: idcstate.Target{AccountID: prod, PermissionSetARN: before.PermissionSetARN(ps), PrincipalType: "USER", PrincipalID: alice.ID}})

	snap, err := w.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := sandbox.NewWorld()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	after, ok := idcstate.Of(restored).ByStoreID(storeID)
	if !ok {
		t.Fatal("no instance after restoring")
	}
	if u, ok := after.Store.UserByEmail("ALICE@example.com"); !ok || u.ID != alice.ID {
		t.Errorf("alice by e-mail after restoring = %v, %v", u, ok)
	}
	if err := after.Store.AddUser(&idcstate.User{ID: "other", Profile: idcstate.Profile{UserName: "Alice"}}); err == nil {
		t.Error("the restored store lets a second user be called alice")
	}
	if ops := after.InProgress(time.Now()); len(ops) != 1 || !ops[0].Done.Equal(done) {
		t.Errorf("operations in progress after restoring = %+v", ops)
	}
	if a := after.VisibleAssignments(done, func(*idcstate.Assignment) bool { return true }); len(a) != 1 {
		t.Errorf("assignments once the operation is done = %+v", a)
	}
}
