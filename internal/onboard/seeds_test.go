package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// userFacts is what a test checks of an IAM user.
type userFacts struct {
	groups   []string
	policies []string
	tags     map[string]string
}

func readUser(t *testing.T, e *env, account, name string) (userFacts, error) {
	t.Helper()
	ctx := context.Background()
	api := iam.NewFromConfig(e.sb.Config(account))
	u, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return userFacts{}, awsx.Classify(err)
	}
	f := userFacts{tags: map[string]string{}}
	for _, tag := range u.User.Tags {
		f.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	groups, err := api.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		f.groups = append(f.groups, aws.ToString(g.GroupName))
	}
	pols, err := api.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols.AttachedPolicies {
		f.policies = append(f.policies, aws.ToString(p.PolicyArn))
	}
	return f, nil
}

// Seed 000's input, as it is: every address becomes a user in the caller's
// own account, in NoAuthorityIAMGroup, with IAMUserChangePassword (the
// account has AWS's default policy), a password that must be reset, and a mail.
func TestSeed000Input(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "seed000.json", example(t, "seed000.json"), spec.Flags{From: spec.Set(sender)})
	rep := e.run(t, in)
	if !rep.OK() || len(rep.Rows) != 2 {
		t.Fatalf("report: %+v", rep.Rows)
	}
	for _, row := range rep.Rows {
		if row.Account != mgmt || row.Status != onboard.StatusCreated || row.Delivery != "ses: sent" ||
			row.SignInURL != "https://example-management.signin.aws.amazon.com/console" || !row.Password.Empty() {
			t.Errorf("row = %+v", row)
		}
		f, err := readUser(t, e, mgmt, row.UserName)
		if err != nil {
			t.Fatalf("user %s: %v", row.UserName, err)
		}
		if !slices.Equal(f.groups, []string{spec.Seed000Group}) || !slices.Equal(f.policies, []string{changePW}) {
			t.Errorf("user %s: groups %v, policies %v", row.UserName, f.groups, f.policies)
		}
		if f.tags[engine.TagManagedBy] != engine.ManagedByValue || f.tags[engine.TagEmail] != row.Email {
			t.Errorf("user %s: tags %v", row.UserName, f.tags)
		}
		c, ok := e.mail.last(mgmt, row.UserName)
		if !ok {
			t.Fatalf("nothing delivered to %s", row.UserName)
		}
		if valid, reset := e.checkPassword(t, mgmt, row.UserName, c.Password); !valid || !reset {
			t.Errorf("user %s: delivered password valid=%v reset required=%v, want both", row.UserName, valid, reset)
		}
	}
	var to []string
	for _, m := range e.messages(t) {
		to = append(to, m.Destinations...)
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"flupino@metalmental.net", "nekotto-chan@metalmental.net"}) {
		t.Errorf("mail sent to %v, want one each to seed 000's addresses", to)
	}
	if n := count(e.sb.Requests(t, ""), "AssumeRole"); n != 0 {
		t.Errorf("AssumeRole called %d times; the caller's own account needs no role", n)
	}
}

// Seed 001's input, as it is: users in the member account through the
// assumed role and none in the management account; the credentials come
// back in seed 001's JSON shape, and nothing is mailed.
func TestSeed001Input(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "seed001.json", example(t, "seed001.json"), spec.Flags{Groups: spec.Set([]string{"developers"})})
	rep := e.run(t, in)
	if !rep.OK() || len(rep.Rows) != 2 {
		t.Fatalf("report: %+v", rep.Rows)
	}
	var buf bytes.Buffer
	if err := onboard.WriteReport(&buf, onboard.FormatJSON, rep); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Users []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, buf.String())
	}
	if len(out.Users) != 2 {
		t.Fatalf("JSON report has %d users: %s", len(out.Users), buf.String())
	}
	for i, u := range out.Users {
		name, _ := u["UserName"].(string)
		pw, _ := u["Password"].(string)
		if name != in.People[i].UserName || u["LoginURL"] != "https://example-production.signin.aws.amazon.com/console" || len(pw) < 32 {
			t.Errorf("user %d in JSON = %v", i, u)
		}
		if valid, reset := e.checkPassword(t, prod, name, pw); !valid || !reset {
			t.Errorf("user %s: password from the report valid=%v reset required=%v, want both", name, valid, reset)
		}
		f, err := readUser(t, e, prod, name)
		if err != nil {
			t.Fatalf("user %s not in the member account: %v", name, err)
		}
		if !slices.Equal(f.groups, []string{"developers"}) || !slices.Equal(f.policies, []string{changePW}) {
			t.Errorf("user %s: groups %v, policies %v", name, f.groups, f.policies)
		}
		if _, err := readUser(t, e, mgmt, name); !errors.Is(err, awsx.ErrNotFound) {
			t.Errorf("user %s in the management account: %v, want not found", name, err)
		}
	}
	if n := count(e.sb.Requests(t, ""), "AssumeRole"); n == 0 {
		t.Error("no AssumeRole: the member account was not entered through the role")
	}
	if msgs := e.messages(t); len(msgs) != 0 {
		t.Errorf("seed 001 delivers in the output, yet %d mails were sent", len(msgs))
	}
}

// --password-source secretsmanager: GetRandomPassword in the target account
// (through the role), checked against the policy, accepted by IAM — also
// for a policy asking for 128 characters of all four kinds.
func TestSecretsManagerPasswords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "sm.yaml", "accounts: [\"333333333333\"]\ndelivery: {channel: none}\npeople:\n  - email: erin@example.com\n",
		spec.Flags{PasswordSource: spec.Set(spec.SourceSecretsManager)})
	rep := e.run(t, in)
	row := rep.Rows[0]
	pw := row.Password.Reveal()
	if row.Status != onboard.StatusCreated || len(pw) != 128 {
		t.Fatalf("row %+v with a password of %d characters", row, len(pw))
	}
	if valid, _ := e.checkPassword(t, dev, row.UserName, pw); !valid {
		t.Error("the password does not sign in")
	}
	if n := count(e.sb.Requests(t, dev), "GetRandomPassword"); n != 1 {
		t.Errorf("GetRandomPassword called %d times in the member account, want 1", n)
	}
}
