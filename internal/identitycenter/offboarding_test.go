package identitycenter_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	storeID     = "d-1111111111"
	instanceARN = "arn:aws:sso:::instance/ssoins-1111111111111111"
)

// makeUser creates a user in the staff group with ReadOnly in account,
// straight through the SDK (as someone else would), and waits for the
// assignment.
func makeUser(t *testing.T, sb *sandboxtest.Sandbox, name, account string) string {
	t.Helper()
	ctx := context.Background()
	cfg := sb.Config("111111111111")
	ids, sso := identitystore.NewFromConfig(cfg), ssoadmin.NewFromConfig(cfg)
	u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(storeID), UserName: aws.String(name),
		DisplayName: aws.String("Some One"), Name: &idtypes.Name{GivenName: aws.String("Some"), FamilyName: aws.String("One")},
		Emails: []idtypes.Email{{Value: aws.String(name), Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: docOf("staff")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID),
		GroupId: g.GroupId, MemberId: &idtypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}}); err != nil {
		t.Fatal(err)
	}
	sets, err := sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	if err != nil || len(sets.PermissionSets) != 1 {
		t.Fatalf("permission sets: %v %v", sets, err)
	}
	if _, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(instanceARN),
		PermissionSetArn: aws.String(sets.PermissionSets[0]), PrincipalId: u.UserId, PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the world's assignment delay is 20 ms
	return aws.ToString(u.UserId)
}

// discover plans an offboarding's read of name with a fresh scope, as each
// plan does.
func discover(t *testing.T, d *identitycenter.Directory, name string) *identitycenter.Record {
	t.Helper()
	scopes, err := d.Scopes(context.Background(), suiteInput())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := d.Discover(context.Background(), scopes[0], name, engine.Known{})
	if err != nil {
		t.Fatal(err)
	}
	return rec.(*identitycenter.Record)
}

// One directory serves many plans in a long-lived process (gatehouse serve):
// each plan reads the instance's assignments afresh. The directory used to
// keep the first plan's reading for good, so a user assigned since was
// offboarded without its assignments — and deleting the user then strands
// them, since an assignment whose principal is gone cannot be deleted.
func TestEachPlanReadsAssignmentsAfresh(t *testing.T) {
	t.Parallel()
	sb, f := startWorld(t)
	d := identitycenter.New(f, quickOptions())
	makeUser(t, sb, "ada@example.com", "222222222222")
	if rec := discover(t, d, "ada@example.com"); len(rec.Assignments) != 1 || len(rec.Groups) != 1 {
		t.Fatalf("ada: %+v", rec)
	}
	makeUser(t, sb, "grace@example.com", "333333333333")
	rec := discover(t, d, "grace@example.com")
	if len(rec.Assignments) != 1 || rec.Assignments[0].AccountID != "333333333333" || rec.Assignments[0].PermissionSetName != "ReadOnly" {
		t.Errorf("grace, assigned after the first plan: assignments %+v", rec.Assignments)
	}
	if len(rec.Groups) != 1 || rec.Groups[0].DisplayName != "staff" || rec.Groups[0].MembershipID == "" {
		t.Errorf("grace's groups %+v", rec.Groups)
	}
}

// Discovering a user lists its memberships once: the diff's group IDs and
// removal's membership IDs come from the same listing.
func TestDiscoverListsMembershipsOnce(t *testing.T) {
	t.Parallel()
	sb, f := startWorld(t)
	d := identitycenter.New(f, quickOptions())
	makeUser(t, sb, "ada@example.com", "222222222222")
	sb.Delete(t, "requests")
	discover(t, d, "ada@example.com")
	calls := 0
	for _, c := range sb.Requests(t, "").Counts {
		if c.Action == "ListGroupMembershipsForMember" {
			calls += c.Count
		}
	}
	if calls != 1 {
		t.Errorf("ListGroupMembershipsForMember called %d times for one user, want 1", calls)
	}
}

func docOf(v any) iddoc.Interface { return iddoc.NewLazyDocument(v) }
