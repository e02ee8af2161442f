package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func (e *idEnv) addToGroup(group, user string) error {
	return justErr(e.iam.AddUserToGroup(e.ctx, &iam.AddUserToGroupInput{GroupName: aws.String(group), UserName: aws.String(user)}))
}

func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	created, err := e.iam.CreateGroup(e.ctx, &iam.CreateGroupInput{GroupName: aws.String("Devs"), Path: aws.String("/eng/")})
	e.must("creating Devs", err)
	g := created.Group
	if *g.Arn != "arn:aws:iam::111122223333:group/eng/Devs" || !strings.HasPrefix(*g.GroupId, "AGPA") || len(*g.GroupId) != 21 {
		t.Errorf("created group = %s %s", *g.Arn, *g.GroupId)
	}
	_, err = e.iam.CreateGroup(e.ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	expectError(t, err, "EntityAlreadyExists", "Group with name devs already exists.")

	e.user("alice")
	e.must("adding alice", e.addToGroup("devs", "ALICE"))
	e.must("adding alice again", e.addToGroup("Devs", "alice"))
	got, err := e.iam.GetGroup(e.ctx, &iam.GetGroupInput{GroupName: aws.String("DEVS")})
	e.must("getting the group", err)
	if *got.Group.GroupName != "Devs" || len(got.Users) != 1 || *got.Users[0].UserName != "alice" {
		t.Errorf("group = %s with %d users, want Devs with alice once", *got.Group.GroupName, len(got.Users))
	}

	e.must("renaming", justErr(e.iam.UpdateGroup(e.ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("Builders"), NewPath: aws.String("/")})))
	mine, err := e.iam.ListGroupsForUser(e.ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})
	e.must("listing alice's groups", err)
	if len(mine.Groups) != 1 || *mine.Groups[0].Arn != "arn:aws:iam::111122223333:group/Builders" {
		t.Errorf("alice's groups after rename = %+v", mine.Groups)
	}
	_, err = e.iam.GetGroup(e.ctx, &iam.GetGroupInput{GroupName: aws.String("Devs")})
	expectError(t, err, "NoSuchEntity", "The group with name Devs cannot be found.")

	e.must("removing alice", justErr(e.iam.RemoveUserFromGroup(e.ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("builders"), UserName: aws.String("alice")})))
	e.must("removing alice again", justErr(e.iam.RemoveUserFromGroup(e.ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("builders"), UserName: aws.String("alice")})))
	e.must("deleting the group", justErr(e.iam.DeleteGroup(e.ctx, &iam.DeleteGroupInput{GroupName: aws.String("builders")})))
	_, err = e.iam.DeleteGroup(e.ctx, &iam.DeleteGroupInput{GroupName: aws.String("builders")})
	expectError(t, err, "NoSuchEntity", "The group with name builders cannot be found.")
}

func TestGroupMembershipErrors(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	e.group("devs")
	e.group("ops")
	expectError(t, e.addToGroup("nope", "alice"), "NoSuchEntity", "The group with name nope cannot be found.")
	expectError(t, e.addToGroup("devs", "nobody"), "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err := e.iam.UpdateGroup(e.ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("OPS")})
	expectError(t, err, "EntityAlreadyExists", "Group with name OPS already exists.")

	for i := range 10 {
		name := fmt.Sprintf("g%02d", i)
		e.group(name)
		e.must("adding to "+name, e.addToGroup(name, "alice"))
	}
	expectError(t, e.addToGroup("devs", "alice"), "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
	// Re-adding to a group she is in is still fine at the quota.
	e.must("re-adding at the quota", e.addToGroup("g00", "alice"))
}

func TestDeleteGroupConflicts(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	tests := []struct {
		name  string
		setup func(group string) error
		undo  func(group string) error
		msg   string
	}{
		{"members", func(g string) error { return e.addToGroup(g, "alice") },
			func(g string) error {
				return justErr(e.iam.RemoveUserFromGroup(e.ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String(g), UserName: aws.String("alice")}))
			},
			"Cannot delete entity, must remove users from group first."},
		{"attached policy", func(g string) error {
			return justErr(e.iam.AttachGroupPolicy(e.ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(g), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
		}, func(g string) error {
			return justErr(e.iam.DetachGroupPolicy(e.ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(g), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
		}, "Cannot delete entity, must detach all policies first."},
		{"inline policy", func(g string) error {
			return justErr(e.iam.PutGroupPolicy(e.ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(g), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
		}, func(g string) error {
			return justErr(e.iam.DeleteGroupPolicy(e.ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String(g), PolicyName: aws.String("p")}))
		}, "Cannot delete entity, must delete policies first."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			group := strings.ReplaceAll(tc.name, " ", "-")
			e.group(group)
			e.must("setting up", tc.setup(group))
			_, err := e.iam.DeleteGroup(e.ctx, &iam.DeleteGroupInput{GroupName: aws.String(group)})
			expectError(t, err, "DeleteConflict", tc.msg)
			e.must("undoing", tc.undo(group))
			e.must("deleting", justErr(e.iam.DeleteGroup(e.ctx, &iam.DeleteGroupInput{GroupName: aws.String(group)})))
		})
	}
}

func TestGroupPagination(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.group("all")
	for i := range 5 {
		name := fmt.Sprintf("u%d", i)
		e.user(name)
		e.must("joining all", e.addToGroup("all", name))
		e.group(fmt.Sprintf("g%d", i))
		e.must("joining g", e.addToGroup(fmt.Sprintf("g%d", i), "u0"))
	}
	var members []string
	gp := iam.NewGetGroupPaginator(e.iam, &iam.GetGroupInput{GroupName: aws.String("all"), MaxItems: aws.Int32(2)})
	for gp.HasMorePages() {
		out, err := gp.NextPage(e.ctx)
		e.must("paging members", err)
		for _, u := range out.Users {
			members = append(members, *u.UserName)
		}
	}
	if strings.Join(members, ",") != "u0,u1,u2,u3,u4" {
		t.Errorf("members = %v", members)
	}

	var groups []string
	lp := iam.NewListGroupsPaginator(e.iam, &iam.ListGroupsInput{MaxItems: aws.Int32(4)})
	for lp.HasMorePages() {
		out, err := lp.NextPage(e.ctx)
		e.must("paging groups", err)
		for _, g := range out.Groups {
			groups = append(groups, *g.GroupName)
		}
	}
	if strings.Join(groups, ",") != "all,g0,g1,g2,g3,g4" {
		t.Errorf("groups = %v", groups)
	}

	first, err := e.iam.ListGroupsForUser(e.ctx, &iam.ListGroupsForUserInput{UserName: aws.String("u0"), MaxItems: aws.Int32(5)})
	e.must("first page of u0's groups", err)
	rest, err := e.iam.ListGroupsForUser(e.ctx, &iam.ListGroupsForUserInput{UserName: aws.String("u0"), MaxItems: aws.Int32(5), Marker: first.Marker})
	e.must("second page of u0's groups", err)
	if len(first.Groups) != 5 || !first.IsTruncated || len(rest.Groups) != 1 || rest.IsTruncated || *rest.Groups[0].GroupName != "g4" {
		t.Errorf("pages = %d (truncated %v) + %d (truncated %v)", len(first.Groups), first.IsTruncated, len(rest.Groups), rest.IsTruncated)
	}
}
