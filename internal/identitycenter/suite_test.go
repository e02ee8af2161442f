package identitycenter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// suiteWorld is an organisation with a management account (whose root
// gatehouse runs as) and two members, and its Identity Center instance
// with the group and permission set the suite's people get. Assignments
// finish after 20 ms, not the default 250, so the suite stays quick.
const suiteWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: mgmt@example.com}
    - {id: "222222222222", name: Production, email: prod@example.com}
    - {id: "333333333333", name: Development, email: dev@example.com}
identity_center:
  instance_id: ssoins-1111111111111111
  identity_store_id: d-1111111111
  quotas: {assignment_delay_ms: 20}
  permission_sets:
    - {name: ReadOnly, managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]}
  groups:
    - {display_name: staff}
    - {display_name: contractors}
`

// startWorld starts a sandbox with suiteWorld and returns it with AWS
// access as the management account's root.
func startWorld(t *testing.T) (*sandboxtest.Sandbox, *awsx.Factory) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, suiteWorld)
	f, err := awsx.New(context.Background(), awsx.Options{
		Endpoint: sb.URL, Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("111111111111", "sandbox-secret", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb, f
}

// quickOptions poll assignments as often as the sandbox's delay warrants.
func quickOptions() identitycenter.Options {
	return identitycenter.Options{Poll: 10 * time.Millisecond}
}

// suiteInput places people in the identity store with a group and read-only
// access to both member accounts.
func suiteInput(emails ...string) *spec.Input {
	in := &spec.Input{Source: "suite", Format: spec.FormatYAML, Directory: spec.DirectoryIdentityCenter}
	for _, e := range emails {
		in.People = append(in.People, spec.Person{
			Email: e, UserName: e, DisplayName: "Person " + e, GivenName: "Person", FamilyName: e,
			Groups:      []string{"staff"},
			Assignments: []spec.Assignment{{PermissionSet: "ReadOnly", Accounts: spec.AccountSelector{IDs: []string{"222222222222", "333333333333"}}}},
		})
	}
	return in
}

// Identity Center users pass the directory suite against the sandbox: there
// is no password, so the suite checks the lifecycle without signing in.
func TestDirectorySuite(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T) *enginetest.Harness {
		sb, f := startWorld(t)
		return &enginetest.Harness{
			Directory: identitycenter.New(f, quickOptions()),
			Input: func(t *testing.T, emails ...string) *spec.Input {
				return suiteInput(emails...)
			},
			Reaches: func(t *testing.T, store, user string) bool {
				a := readAccess(t, sb, store, user)
				return a.groups["staff"] && a.assigned["ReadOnly@222222222222"] && a.assigned["ReadOnly@333333333333"]
			},
			Drift: func(t *testing.T, store, user string) {
				addToGroup(t, sb, store, user, "contractors")
			},
		}
	})
}

// access is what the identity store says a user has, read with the SDK
// straight from the sandbox (not through the directory under test).
type access struct {
	id       string          // "" when there is no such user
	groups   map[string]bool // display names
	assigned map[string]bool // "PermissionSet@account"
}

// readAccess reads user's groups and assignments in every account of the
// suite's world.
func readAccess(t *testing.T, sb *sandboxtest.Sandbox, store, user string) access {
	t.Helper()
	ctx := context.Background()
	cfg := sb.Config("111111111111")
	ids, sso := identitystore.NewFromConfig(cfg), ssoadmin.NewFromConfig(cfg)
	a := access{groups: map[string]bool{}, assigned: map[string]bool{}}
	out, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: iddoc.NewLazyDocument(user)}}})
	var notFound *idtypes.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return a
	} else if err != nil {
		t.Fatal(err)
	}
	a.id = aws.ToString(out.UserId)
	ms, err := ids.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: aws.String(store), MemberId: &idtypes.MemberIdMemberUserId{Value: a.id}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms.GroupMemberships {
		g, err := ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: m.GroupId})
		if err != nil {
			t.Fatal(err)
		}
		a.groups[aws.ToString(g.DisplayName)] = true
	}
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 1 {
		t.Fatalf("listing instances: %v %+v", err, inst)
	}
	arn := inst.Instances[0].InstanceArn
	sets, err := sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range sets.PermissionSets {
		d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: arn, PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range []string{"111111111111", "222222222222", "333333333333"} {
			as, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: arn,
				AccountId: aws.String(acc), PermissionSetArn: aws.String(ps)})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range as.AccountAssignments {
				if aws.ToString(x.PrincipalId) == a.id {
					a.assigned[aws.ToString(d.PermissionSet.Name)+"@"+acc] = true
				}
			}
		}
	}
	return a
}

// addToGroup makes user a member of the group named group as someone in the
// console would: straight through the identity store, not through gatehouse.
func addToGroup(t *testing.T, sb *sandboxtest.Sandbox, store, user, group string) {
	t.Helper()
	ctx := context.Background()
	ids := identitystore.NewFromConfig(sb.Config("111111111111"))
	u := readAccess(t, sb, store, user)
	if u.id == "" {
		t.Fatalf("no user %s in %s", user, store)
	}
	g, err := ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: iddoc.NewLazyDocument(group)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store),
		GroupId: g.GroupId, MemberId: &idtypes.MemberIdMemberUserId{Value: u.id}}); err != nil {
		t.Fatal(err)
	}
}
