package okta_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// idcWorld is an organisation of two accounts with an Identity Center
// instance holding what the test mapping names.
const idcWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: mgmt@example.com}
    - {id: "222222222222", name: Member, email: member@example.com}
identity_center:
  identity_store_id: ` + storeID + `
  quotas: {assignment_delay_ms: 10}
  permission_sets: [{name: ReadOnly}, {name: AdministratorAccess}, {name: Billing}]
  groups:
    - {display_name: everyone}
    - {display_name: engineers}
    - {display_name: admins}
    - {display_name: auditors}
    - {display_name: workflow-users}
`

// newSandboxWorld is the hook working on the sandbox's Identity Center
// through the real directory, a fresh one per reconcile as serve does.
func newSandboxWorld(t *testing.T, config, fixture string) (*world, *sandboxtest.Sandbox) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, fixture)
	f, err := awsx.New(context.Background(), awsx.Options{Endpoint: sb.URL, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("111111111111", "sandbox-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	directory := func(context.Context) (engine.Directory, error) {
		return identitycenter.New(f, identitycenter.Options{Poll: 5 * time.Millisecond}), nil
	}
	w := openWorldWith(t, config, filepath.Join(t.TempDir(), "journal.db"), directory, nil)
	w.proc.Backoff = okta.Backoff{First: 10 * time.Millisecond, Max: 100 * time.Millisecond, Attempts: 6}
	r := &idcReader{ids: identitystore.NewFromConfig(sb.Config("111111111111")), sso: ssoadmin.NewFromConfig(sb.Config("111111111111"))}
	w.look = r.user
	return w, sb
}

// idcReader reads a user as the Identity Center APIs have it.
type idcReader struct {
	ids *identitystore.Client
	sso *ssoadmin.Client
}

func (r *idcReader) user(t *testing.T, name string) *memUser {
	t.Helper()
	ctx := context.Background()
	got, err := r.ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: iddoc.NewLazyDocument(name)}}})
	var nf *idtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(got.UserId)
	desc, err := r.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	u := &memUser{Name: aws.ToString(desc.UserName), Display: aws.ToString(desc.DisplayName), Groups: map[string]bool{}, Assigned: map[string]bool{}}
	if desc.Name != nil {
		u.Given, u.Family = aws.ToString(desc.Name.GivenName), aws.ToString(desc.Name.FamilyName)
	}
	if len(desc.Emails) > 0 {
		u.Email = aws.ToString(desc.Emails[0].Value)
	}
	r.groups(t, id, u)
	r.assignments(t, id, u)
	return u
}

func (r *idcReader) groups(t *testing.T, id string, u *memUser) {
	ctx := context.Background()
	names := map[string]string{}
	groups, err := r.ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(storeID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		names[aws.ToString(g.GroupId)] = strings.ToLower(aws.ToString(g.DisplayName))
	}
	ms, err := r.ids.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(storeID),
		MemberId: &idtypes.MemberIdMemberUserId{Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms.GroupMemberships {
		u.Groups[names[aws.ToString(m.GroupId)]] = true
	}
}

func (r *idcReader) assignments(t *testing.T, id string, u *memUser) {
	ctx := context.Background()
	inst, err := r.sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 1 {
		t.Fatalf("instances: %v", err)
	}
	arn := inst.Instances[0].InstanceArn
	sets, err := r.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range sets.PermissionSets {
		d, err := r.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: arn, PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range []string{"111111111111", "222222222222"} {
			as, err := r.sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: arn, AccountId: aws.String(acc),
				PermissionSetArn: aws.String(ps)})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as.AccountAssignments {
				if aws.ToString(a.PrincipalId) == id {
					u.Assigned[aws.ToString(d.PermissionSet.Name)+"@"+acc] = true
				}
			}
		}
	}
}

// A person's life through the hook, on the sandbox's Identity Center with
// the real directory: provisioned, given more, what the app gave taken
// back (Revoke), suspended and unsuspended, deactivated and reactivated.
func TestPersonLifecycleOnTheSandbox(t *testing.T) {
	t.Parallel()
	w, _ := newSandboxWorld(t, mapping, idcWorld)
	const ada = "ada@example.com"
	steps := []struct {
		event            okta.Event
		groups, assigned []string
	}{
		{joinApp("e1", "ada", 1), []string{"engineers"}, []string{"ReadOnly@111111111111"}},
		{joinGroup("e2", "ada", admins, 2), []string{"engineers", "admins"},
			[]string{"ReadOnly@111111111111", "AdministratorAccess@111111111111", "AdministratorAccess@222222222222"}},
		{leaveApp("e3", "ada", 3), []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"}},
		{lifecycle("e4", okta.UserSuspend, "ada", 4), []string{"admins"}, []string{}},
		{lifecycle("e5", okta.UserUnsuspend, "ada", 5), []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"}},
		{lifecycle("e6", okta.UserDeactivate, "ada", 6), nil, nil},
		{lifecycle("e7", okta.UserReactivate, "ada", 7), []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"}},
	}
	for _, s := range steps {
		w.deliver(t, s.event)
		w.drain(t)
		if c := w.counts(t); len(c) != 1 {
			t.Fatalf("after %s: events %v", s.event.UUID, c)
		}
		has(t, w, ada, s.groups, s.assigned)
	}
	if u := w.look(t, ada); u.Given != "Ada" || u.Family != "Tester" || u.Email != ada || u.Display != "Ada Tester" {
		t.Errorf("the user: %+v", u)
	}
}

// Accounts are resolved before anything is taken: leaving a group that
// gives ReadOnly in every account keeps ReadOnly where the app still gives
// it.
func TestRevokeKeepsWhatAnotherGrantGives(t *testing.T) {
	t.Parallel()
	w, _ := newSandboxWorld(t, mapping, idcWorld)
	w.deliver(t, joinApp("e1", "bo", 1), joinGroup("e2", "bo", auditors, 2))
	w.drain(t)
	has(t, w, "bo@example.com", []string{"engineers", "auditors"}, []string{"ReadOnly@111111111111", "ReadOnly@222222222222"})
	w.deliver(t, leaveGroup("e3", "bo", auditors, 3))
	w.drain(t)
	has(t, w, "bo@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
}

// The burst of 500 events converges on the sandbox's Identity Center too,
// through the real directory under the instance's 20 requests a second.
func TestBurstConvergesOnTheSandbox(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a minute of Identity Center calls at 20 a second")
	}
	w, _ := newSandboxWorld(t, mapping, idcWorld)
	start := time.Now()
	burst(t, w, 25)
	t.Logf("converged in %s", time.Since(start).Round(time.Second))
}
