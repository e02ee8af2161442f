package policy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// Every IAM, SQS and SES call the code makes is in the policy of every
// feature together: a call added without its permission fails here, not in
// someone's account.
func TestPolicyCoversEveryCall(t *testing.T) {
	t.Parallel()
	doc, err := policy.For(policy.Features, "")
	if err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, s := range doc.Statement {
		allowed = append(allowed, s.Action...)
	}
	calls := map[string]*regexp.Regexp{
		"iam":           regexp.MustCompile(`(?:api|s\.api)\.([A-Z][A-Za-z]+)\(ctx|iam\.New([A-Za-z]+)Paginator\(`),
		"sqs":           regexp.MustCompile(`w\.SQS\.([A-Z][A-Za-z]+)\(ctx`),
		"identitystore": regexp.MustCompile(`d\.idstore\.([A-Z][A-Za-z]+)\(ctx|identitystore\.New([A-Za-z]+)Paginator\(`),
		"sso":           regexp.MustCompile(`d\.store\.([A-Z][A-Za-z]+)\(ctx|ssoadmin\.New([A-Za-z]+)Paginator\(`),
		"ses":           regexp.MustCompile(`ses\.([A-Z][A-Za-z]+)\(ctx|sesv2\.New([A-Za-z]+)Paginator\(`),
	}
	dirs := map[string][]string{"iam": {"iamuser", "events", "doctor"}, "sqs": {"events"},
		"identitystore": {"identitycenter"}, "sso": {"identitycenter"}, "ses": {"doctor"}}
	for service, re := range calls {
		for _, dir := range dirs[service] {
			files, _ := filepath.Glob(filepath.Join("..", dir, "*.go"))
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					action := service + ":" + strings.Join(m[1:], "") // the one group that matched
					if !slices.Contains(allowed, action) {
						t.Errorf("%s calls %s, which no statement allows", f, action)
					}
				}
			}
		}
	}
}

// The policy is a document IAM takes: the sandbox's CreatePolicy, which
// validates documents as IAM does, accepts each feature's, both parts.
func TestPolicyIsValidIAM(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	api := iam.NewFromConfig(sb.Config("111111111111"))
	for _, f := range policy.Features {
		for _, part := range []string{"", policy.Caller, policy.Member} {
			doc, err := policy.For([]string{f}, part)
			if err != nil {
				continue // serve needs nothing; some features nothing on one side
			}
			b, _ := json.Marshal(doc)
			name := "gatehouse-" + f + "-" + part
			if _, err := api.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(string(b))}); err != nil {
				t.Errorf("%s: %v\n%s", name, err, b)
			}
		}
	}
	if _, err := policy.For([]string{policy.Serve}, ""); err == nil {
		t.Error("serve alone needs no permission: want an error saying so")
	}
}

// Entering points the caller's sts:AssumeRole at the role a run names: a
// name in every account, or an ARN template with its account left open.
func TestEnteringNamesTheRole(t *testing.T) {
	t.Parallel()
	doc, err := policy.For([]string{policy.Onboard}, policy.Caller)
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]string{
		"":                    "arn:aws:iam::*:role/OrganizationAccountAccessRole",
		"gatehouse-provision": "arn:aws:iam::*:role/gatehouse-provision",
		"/ops/provision":      "arn:aws:iam::*:role/ops/provision",
		"arn:aws:iam::{account}:role/ops/Provision": "arn:aws:iam::*:role/ops/Provision",
	} {
		got := doc.Entering(role)
		i := slices.IndexFunc(got.Statement, func(s policy.Statement) bool { return s.Sid == policy.SidEnterAccounts })
		if i < 0 || !slices.Equal(got.Statement[i].Resource, []string{want}) {
			t.Errorf("Entering(%q): %+v, want resource %s", role, got.Statement, want)
		}
	}
	before, _ := json.Marshal(doc)
	doc.Entering("other")
	if after, _ := json.Marshal(doc); string(after) != string(before) {
		t.Errorf("Entering changed the document it was called on:\n%s\n%s", before, after)
	}
}

// The Okta hook's policy lets it provision, take back, suspend and remove
// Identity Center users and mail their welcome — and nothing of IAM users.
func TestPolicyForTheOktaHook(t *testing.T) {
	t.Parallel()
	doc, err := policy.For([]string{policy.Okta}, "")
	if err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, s := range doc.Statement {
		allowed = append(allowed, s.Action...)
	}
	for _, want := range []string{"identitystore:CreateUser", "identitystore:DeleteGroupMembership", "identitystore:DeleteUser",
		"sso:CreateAccountAssignment", "sso:DeleteAccountAssignment", "ses:SendEmail", "organizations:ListAccounts"} {
		if !slices.Contains(allowed, want) {
			t.Errorf("the okta policy lacks %s", want)
		}
	}
	if slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(a, "iam:") || strings.HasPrefix(a, "sts:") }) {
		t.Errorf("the okta policy allows IAM or STS: %v", allowed)
	}
}
