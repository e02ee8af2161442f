package identitystore_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

func TestGroups(t *testing.T) {
	_, c := newStore(t, mgmt)
	devs := createGroup(t, c, "developers")
	createGroup(t, c, "admins")
	if !userID.MatchString(devs) {
		t.Errorf("group ID = %s", devs)
	}
	_, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String("Developers")})
	wantConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
	_, err = c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String("AWSAdministrators")})
	wantCode(t, err, "ValidationException")

	got, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: doc("developers")}}})
	if err != nil || aws.ToString(got.GroupId) != devs {
		t.Errorf("GetGroupId = %v, %v", got, err)
	}
	if _, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs),
		Operations: []types.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: doc("People who ship")}}}); err != nil {
		t.Fatal(err)
	}
	if g, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs)}); err != nil ||
		aws.ToString(g.DisplayName) != "developers" || aws.ToString(g.Description) != "People who ship" {
		t.Errorf("DescribeGroup = %+v, %v", g, err)
	}
	if l, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(storeID),
		Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("admins")}}}); err != nil || len(l.Groups) != 1 {
		t.Errorf("filtered ListGroups = %+v, %v", l, err)
	}

}

func TestMemberships(t *testing.T) {
	_, c := newStore(t, mgmt)
	alice := createUser(t, c, person("alice"))
	devs, admins := createGroup(t, c, "developers"), createGroup(t, c, "admins")
	member := &types.MemberIdMemberUserId{Value: alice}
	m, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs), MemberId: member})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs), MemberId: member})
	wantConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
	_, err = c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs),
		MemberId: &types.MemberIdMemberUserId{Value: "1234567890-00000000-0000-4000-8000-000000000000"}})
	wantNotFound(t, err, types.ResourceTypeUser, "1234567890-00000000-0000-4000-8000-000000000000")

	if id, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs), MemberId: member}); err != nil ||
		aws.ToString(id.MembershipId) != aws.ToString(m.MembershipId) {
		t.Errorf("GetGroupMembershipId = %v, %v", id, err)
	}
	_, err = c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(admins), MemberId: member})
	wantNotFound(t, err, types.ResourceTypeGroupMembership, "")
	if d, err := c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(storeID), MembershipId: m.MembershipId}); err != nil ||
		aws.ToString(d.GroupId) != devs || d.MemberId.(*types.MemberIdMemberUserId).Value != alice {
		t.Errorf("DescribeGroupMembership = %+v, %v", d, err)
	}
	if l, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs)}); err != nil || len(l.GroupMemberships) != 1 {
		t.Errorf("ListGroupMemberships = %+v, %v", l, err)
	}
	if l, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(storeID), MemberId: member}); err != nil ||
		len(l.GroupMemberships) != 1 || aws.ToString(l.GroupMemberships[0].GroupId) != devs {
		t.Errorf("ListGroupMembershipsForMember = %+v, %v", l, err)
	}
	in, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: aws.String(storeID), MemberId: member, GroupIds: []string{devs, admins}})
	if err != nil || len(in.Results) != 2 || !in.Results[0].MembershipExists || in.Results[1].MembershipExists {
		t.Errorf("IsMemberInGroups = %+v, %v", in, err)
	}

	if _, err := c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(storeID), MembershipId: m.MembershipId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: aws.String(storeID), MembershipId: m.MembershipId})
	wantNotFound(t, err, types.ResourceTypeGroupMembership, aws.ToString(m.MembershipId))
}

func TestDeletingRemovesMemberships(t *testing.T) {
	_, c := newStore(t, mgmt)
	alice, bob := createUser(t, c, person("alice")), createUser(t, c, person("bob"))
	devs, ops := createGroup(t, c, "developers"), createGroup(t, c, "ops")
	for _, pair := range [][2]string{{devs, alice}, {devs, bob}, {ops, alice}} {
		if _, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(pair[0]),
			MemberId: &types.MemberIdMemberUserId{Value: pair[1]}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(alice)}); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs)}); len(l.GroupMemberships) != 1 {
		t.Errorf("developers after deleting alice = %+v", l.GroupMemberships)
	}
	if _, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs)}); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(storeID),
		MemberId: &types.MemberIdMemberUserId{Value: bob}}); len(l.GroupMemberships) != 0 {
		t.Errorf("bob's memberships after deleting developers = %+v", l.GroupMemberships)
	}
	_, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(devs)})
	wantNotFound(t, err, types.ResourceTypeGroup, devs)
}

// The API cannot give a user or group an external ID (SCIM provisioning
// does); a fixture can, and both Get…Id operations find them by it.
func TestExternalIDsFromAFixture(t *testing.T) {
	_, c := newStore(t, mgmt, `
identity_center:
  groups:
    - {display_name: engineering, external_id: {issuer: okta, id: 00g1}}
  users:
    - user_name: dana@example.com
      display_name: Dana Example
      given_name: Dana
      family_name: Example
      email: dana@example.com
      external_id: {issuer: okta, id: 00u1}
      groups: [engineering]
`)
	u, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &types.AlternateIdentifierMemberExternalId{Value: types.ExternalId{Issuer: aws.String("okta"), Id: aws.String("00u1")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: u.UserId})
	if err != nil || len(d.ExternalIds) != 1 || aws.ToString(d.ExternalIds[0].Issuer) != "okta" || aws.ToString(d.UserName) != "dana@example.com" {
		t.Errorf("DescribeUser = %+v, %v", d, err)
	}
	g, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &types.AlternateIdentifierMemberExternalId{Value: types.ExternalId{Issuer: aws.String("okta"), Id: aws.String("00g1")}}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: aws.String(storeID),
		MemberId: &types.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}, GroupIds: []string{aws.ToString(g.GroupId)}})
	if err != nil || !in.Results[0].MembershipExists {
		t.Errorf("IsMemberInGroups = %+v, %v", in, err)
	}
	_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &types.AlternateIdentifierMemberExternalId{Value: types.ExternalId{Issuer: aws.String("gatehouse"), Id: aws.String("00u1")}}})
	wantNotFound(t, err, types.ResourceTypeUser, "")
}
