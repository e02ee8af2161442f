package iam_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// idEnv is an in-process sandbox with an IAM client signing as the root of one
// account, for the identity, password and policy tests.
type idEnv struct {
	t       *testing.T
	ctx     context.Context
	sb      *sandboxtest.Sandbox
	iam     *iam.Client
	account string
}

func newIDEnv(t *testing.T) *idEnv {
	t.Helper()
	e := &idEnv{t: t, ctx: context.Background(), sb: sandboxtest.Start(t, sandbox.Options{}), account: "111122223333"}
	e.iam = e.client(e.account, "sandbox-secret")
	return e
}

// client returns an IAM client signing with the given key, without retries.
func (e *idEnv) client(keyID, secret string) *iam.Client {
	cfg := e.sb.Config(e.account)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
	cfg.RetryMaxAttempts = 1
	return iam.NewFromConfig(cfg)
}

// userClient creates an access key for the user and returns a client signing with it.
func (e *idEnv) userClient(name string) *iam.Client {
	e.t.Helper()
	out, err := e.iam.CreateAccessKey(e.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("creating an access key for %s: %v", name, err)
	}
	return e.client(*out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey)
}

func (e *idEnv) user(name string) {
	e.t.Helper()
	if _, err := e.iam.CreateUser(e.ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.t.Fatalf("creating user %s: %v", name, err)
	}
}

func (e *idEnv) group(name string) {
	e.t.Helper()
	if _, err := e.iam.CreateGroup(e.ctx, &iam.CreateGroupInput{GroupName: aws.String(name)}); err != nil {
		e.t.Fatalf("creating group %s: %v", name, err)
	}
}

// must fails the test on err; it reads "must succeed: what".
func (e *idEnv) must(what string, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// expectError fails unless err is the AWS error code and, when msg is not
// empty, carries exactly that message.
func expectError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("error = %s: %q, want %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestUpdateUserRenamesEverywhere(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	e.group("devs")
	e.must("adding alice to devs", justErr(e.iam.AddUserToGroup(e.ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})))
	alice := e.userClient("alice")

	_, err := e.iam.UpdateUser(e.ctx, &iam.UpdateUserInput{UserName: aws.String("ALICE"), NewUserName: aws.String("Alicia"), NewPath: aws.String("/staff/")})
	e.must("renaming alice", err)

	_, err = e.iam.GetUser(e.ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	expectError(t, err, "NoSuchEntity", "The user with name alice cannot be found.")
	got, err := e.iam.GetUser(e.ctx, &iam.GetUserInput{UserName: aws.String("alicia")})
	e.must("getting alicia", err)
	if *got.User.UserName != "Alicia" || *got.User.Arn != "arn:aws:iam::111122223333:user/staff/Alicia" {
		t.Errorf("renamed user = %s %s", *got.User.UserName, *got.User.Arn)
	}
	// Her access key still signs as her, under the new name.
	me, err := alice.GetUser(e.ctx, &iam.GetUserInput{})
	e.must("GetUser with the renamed user's key", err)
	if *me.User.UserName != "Alicia" {
		t.Errorf("key signs as %s, want Alicia", *me.User.UserName)
	}
	groups, err := e.iam.ListGroupsForUser(e.ctx, &iam.ListGroupsForUserInput{UserName: aws.String("Alicia")})
	e.must("listing her groups", err)
	if len(groups.Groups) != 1 || *groups.Groups[0].GroupName != "devs" {
		t.Errorf("groups after rename = %v", groups.Groups)
	}
	members, err := e.iam.GetGroup(e.ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	e.must("getting devs", err)
	if len(members.Users) != 1 || *members.Users[0].UserName != "Alicia" {
		t.Errorf("members after rename = %v", members.Users)
	}
}

func TestUpdateUserErrors(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	e.user("bob")
	tests := []struct {
		name      string
		in        iam.UpdateUserInput
		code, msg string
	}{
		{"taken name, other case", iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("BOB")}, "EntityAlreadyExists", "User with name BOB already exists."},
		{"unknown user", iam.UpdateUserInput{UserName: aws.String("carol"), NewUserName: aws.String("dan")}, "NoSuchEntity", "The user with name carol cannot be found."},
		{"bad new name", iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("a b")}, "ValidationError", ""},
		{"bad path", iam.UpdateUserInput{UserName: aws.String("alice"), NewPath: aws.String("staff")}, "ValidationError", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.UpdateUser(e.ctx, &tc.in)
			expectError(t, err, tc.code, tc.msg)
		})
	}
	// Changing only the case of one's own name is allowed.
	_, err := e.iam.UpdateUser(e.ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("Alice")})
	e.must("re-casing alice", err)
	users, err := e.iam.ListUsers(e.ctx, &iam.ListUsersInput{})
	e.must("listing users", err)
	if len(users.Users) != 2 || *users.Users[0].UserName != "Alice" {
		t.Errorf("users = %d, first %s; want 2, Alice", len(users.Users), *users.Users[0].UserName)
	}
}

func TestUserTags(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("cost"), Value: aws.String("1")}, {Key: aws.String("env"), Value: aws.String("dev")}}
	e.must("tagging", justErr(e.iam.TagUser(e.ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags})))
	// Keys are case-insensitive: TEAM replaces team.
	e.must("re-tagging", justErr(e.iam.TagUser(e.ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("b")}}})))
	e.must("untagging", justErr(e.iam.UntagUser(e.ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"COST", "absent"}})))

	var got []string
	p := iam.NewListUserTagsPaginator(e.iam, &iam.ListUserTagsInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		e.must("listing tags", err)
		pages++
		for _, tag := range out.Tags {
			got = append(got, *tag.Key+"="+*tag.Value)
		}
	}
	if strings.Join(got, ",") != "TEAM=b,env=dev" || pages != 2 {
		t.Errorf("tags = %v over %d pages, want TEAM=b,env=dev over 2", got, pages)
	}

	many := make([]types.Tag, 49)
	for i := range many {
		many[i] = types.Tag{Key: aws.String("k" + strings.Repeat("x", i)), Value: aws.String("v")}
	}
	_, err := e.iam.TagUser(e.ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: many})
	expectError(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
	_, err = e.iam.TagUser(e.ctx, &iam.TagUserInput{UserName: aws.String("nobody"), Tags: tags})
	expectError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = e.iam.ListUserTags(e.ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody")})
	expectError(t, err, "NoSuchEntity", "")
}

func TestUserPermissionsBoundary(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	arn := "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	e.must("putting a boundary", justErr(e.iam.PutUserPermissionsBoundary(e.ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(arn)})))
	got, err := e.iam.GetUser(e.ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	e.must("getting alice", err)
	if got.User.PermissionsBoundary == nil || *got.User.PermissionsBoundary.PermissionsBoundaryArn != arn {
		t.Fatalf("boundary = %+v", got.User.PermissionsBoundary)
	}
	pol, err := e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	e.must("getting the boundary policy", err)
	if *pol.Policy.PermissionsBoundaryUsageCount != 1 {
		t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", *pol.Policy.PermissionsBoundaryUsageCount)
	}
	e.must("deleting the boundary", justErr(e.iam.DeleteUserPermissionsBoundary(e.ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alice")})))
	got, err = e.iam.GetUser(e.ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	e.must("getting alice", err)
	if got.User.PermissionsBoundary != nil {
		t.Errorf("boundary after delete = %+v", got.User.PermissionsBoundary)
	}

	missing := "arn:aws:iam::111122223333:policy/Nope"
	_, err = e.iam.PutUserPermissionsBoundary(e.ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(missing)})
	expectError(t, err, "NoSuchEntity", "Scope ARN: "+missing+" does not exist or is not attachable.")
	_, err = e.iam.PutUserPermissionsBoundary(e.ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String("arn:aws:s3:::not-a-policy")})
	expectError(t, err, "InvalidInput", "ARN arn:aws:s3:::not-a-policy is not valid.")
	_, err = e.iam.DeleteUserPermissionsBoundary(e.ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("nobody")})
	expectError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
}

// justErr drops an operation's output.
func justErr[T any](_ T, err error) error { return err }
