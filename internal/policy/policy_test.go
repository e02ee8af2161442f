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
	}
	dirs := map[string][]string{"iam": {"iamuser", "events"}, "sqs": {"events"},
		"identitystore": {"identitycenter"}, "sso": {"identitycenter"}}
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
