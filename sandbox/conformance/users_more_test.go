package conformance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// setup is an SDK client for the CLI's account and server. Tests use it for bulk
// set-up only, so that the CLI (seconds per call on a busy machine) runs just
// the calls under test.
type setup struct {
	t   *testing.T
	iam *iam.Client
}

func newSetup(t *testing.T, c *CLI) setup {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(c.Account, "sandbox-secret", ""),
		BaseEndpoint:     aws.String(c.srv.url),
		RetryMaxAttempts: 1,
	}
	return setup{t: t, iam: iam.NewFromConfig(cfg)}
}

func (s setup) check(what string, err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("set-up: %s: %v", what, err)
	}
}

func (s setup) users(names ...string) {
	s.t.Helper()
	for _, n := range names {
		_, err := s.iam.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(n)})
		s.check("creating user "+n, err)
	}
}

func (s setup) groups(names ...string) {
	s.t.Helper()
	for _, n := range names {
		_, err := s.iam.CreateGroup(context.Background(), &iam.CreateGroupInput{GroupName: aws.String(n)})
		s.check("creating group "+n, err)
	}
}

func (s setup) join(group string, users ...string) {
	s.t.Helper()
	for _, u := range users {
		_, err := s.iam.AddUserToGroup(context.Background(), &iam.AddUserToGroupInput{GroupName: aws.String(group), UserName: aws.String(u)})
		s.check("adding "+u+" to "+group, err)
	}
}

func (s setup) role(name, path string) {
	s.t.Helper()
	_, err := s.iam.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	s.check("creating role "+name, err)
}

// policy creates a customer-managed policy and returns its ARN.
func (s setup) policy(name string) string {
	s.t.Helper()
	out, err := s.iam.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(s3ReadDoc)})
	s.check("creating policy "+name, err)
	return *out.Policy.Arn
}

func (s setup) attachUser(user string, arns ...string) {
	s.t.Helper()
	for _, arn := range arns {
		_, err := s.iam.AttachUserPolicy(context.Background(), &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String(arn)})
		s.check("attaching "+arn+" to "+user, err)
	}
}

// pageThrough lists page by page with --no-paginate, MaxItems size and the
// returned Marker, and returns field of every item under key and the page count.
func pageThrough(c *CLI, key, field string, size int, args ...string) ([]string, int) {
	c.t.Helper()
	var got []string
	marker := ""
	pages := 0
	for pages < 50 {
		call := append(append([]string{}, args...), "--no-paginate", "--max-items", fmt.Sprint(size))
		if marker != "" {
			call = append(call, "--marker", marker)
		}
		out := c.Run(call...)
		pages++
		for i := 0; i < length(out, key); i++ {
			if field == "" {
				got = append(got, str(out, key, i))
			} else {
				got = append(got, str(out, key, i, field))
			}
		}
		if out["IsTruncated"] != true {
			break
		}
		marker = str(out, "Marker")
		if marker == "" {
			c.t.Fatalf("aws %s: truncated page without a Marker", strings.Join(args, " "))
		}
	}
	return got, pages
}

// noClientValidation turns off the CLI's own parameter checks so the sandbox's
// ValidationError answers can be seen.
func noClientValidation(t *testing.T, c *CLI) {
	t.Helper()
	for _, kv := range c.env {
		if path, ok := strings.CutPrefix(kv, "AWS_CONFIG_FILE="); ok {
			if err := os.WriteFile(path, []byte("[default]\nparameter_validation = false\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("the CLI has no AWS_CONFIG_FILE")
}

func TestUsersUpdateRename(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice", "bob")
	s.groups("devs")
	s.join("devs", "alice")

	msg := cli.Fail("EntityAlreadyExists", "iam", "update-user", "--user-name", "alice", "--new-user-name", "BOB")
	if msg != "User with name BOB already exists." {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("NoSuchEntity", "iam", "update-user", "--user-name", "carol", "--new-path", "/x/")
	cli.Run("iam", "update-user", "--user-name", "ALICE", "--new-user-name", "Alicia", "--new-path", "/staff/")

	out := cli.Run("iam", "get-user", "--user-name", "alicia")
	if got, want := str(out, "User", "Arn"), "arn:aws:iam::"+cli.Account+":user/staff/Alicia"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	cli.Fail("NoSuchEntity", "iam", "get-user", "--user-name", "alice")
	out = cli.Run("iam", "get-group", "--group-name", "devs")
	if length(out, "Users") != 1 || str(out, "Users", 0, "UserName") != "Alicia" {
		t.Errorf("devs members after rename = %v", out["Users"])
	}
	noClientValidation(t, cli)
	cli.Fail("ValidationError", "iam", "update-user", "--user-name", "Alicia", "--new-user-name", "no spaces")
}

func TestUsersTags(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).users("alice")
	cli.Run("iam", "tag-user", "--user-name", "alice", "--tags", "Key=a,Value=1", "Key=b,Value=2", "Key=c,Value=3", "Key=d,Value=4", "Key=e,Value=5")
	cli.Run("iam", "tag-user", "--user-name", "alice", "--tags", "Key=A,Value=one")
	cli.Run("iam", "untag-user", "--user-name", "alice", "--tag-keys", "B", "missing")

	keys, pages := pageThrough(cli, "Tags", "Key", 2, "iam", "list-user-tags", "--user-name", "alice")
	if strings.Join(keys, ",") != "A,c,d,e" || pages != 2 {
		t.Errorf("tag keys = %v over %d pages, want A,c,d,e over 2", keys, pages)
	}
	out := cli.Run("iam", "list-user-tags", "--user-name", "alice")
	if str(out, "Tags", 0, "Value") != "one" {
		t.Errorf("re-tagged value = %q", str(out, "Tags", 0, "Value"))
	}
	cli.Fail("NoSuchEntity", "iam", "tag-user", "--user-name", "nobody", "--tags", "Key=a,Value=1")
	cli.Fail("NoSuchEntity", "iam", "untag-user", "--user-name", "nobody", "--tag-keys", "a")
	cli.Fail("NoSuchEntity", "iam", "list-user-tags", "--user-name", "nobody")
	var many []string
	for i := 0; i < 47; i++ {
		many = append(many, fmt.Sprintf("Key=k%d,Value=v", i))
	}
	msg := cli.Fail("LimitExceeded", append([]string{"iam", "tag-user", "--user-name", "alice", "--tags"}, many...)...)
	if msg != "The number of tags has reached the maximum limit." {
		t.Errorf("message = %q", msg)
	}
}

func TestUsersPermissionsBoundary(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).users("alice")
	arn := "arn:aws:iam::aws:policy/PowerUserAccess"
	cli.Run("iam", "put-user-permissions-boundary", "--user-name", "alice", "--permissions-boundary", arn)
	out := cli.Run("iam", "get-user", "--user-name", "alice")
	if str(out, "User", "PermissionsBoundary", "PermissionsBoundaryArn") != arn ||
		str(out, "User", "PermissionsBoundary", "PermissionsBoundaryType") != "PermissionsBoundaryPolicy" {
		t.Errorf("boundary = %v", get(out, "User", "PermissionsBoundary"))
	}
	missing := "arn:aws:iam::" + cli.Account + ":policy/none"
	msg := cli.Fail("NoSuchEntity", "iam", "put-user-permissions-boundary", "--user-name", "alice", "--permissions-boundary", missing)
	if msg != "Scope ARN: "+missing+" does not exist or is not attachable." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "delete-user-permissions-boundary", "--user-name", "alice")
	if get(cli.Run("iam", "get-user", "--user-name", "alice"), "User", "PermissionsBoundary") != nil {
		t.Error("boundary still set after delete-user-permissions-boundary")
	}
	cli.Fail("NoSuchEntity", "iam", "delete-user-permissions-boundary", "--user-name", "nobody")
}
