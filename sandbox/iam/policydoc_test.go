package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestMalformedIdentityPolicies(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	tests := []struct {
		name, doc, msg string
	}{
		{"not JSON", `{"Version":"2012-10-17",`, "Syntax errors in policy."},
		{"not an object", `["Version"]`, "Syntax errors in policy."},
		{"trailing data", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}}`, "Syntax errors in policy."},
		{"unknown version", `{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"no statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
		{"unknown top element", `{"Version":"2012-10-17","Statment":[]}`, "Syntax errors in policy."},
		{"unknown statement element", stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}`), "Syntax errors in policy."},
		{"bad effect", stmt(`{"Effect":"Permit","Action":"s3:*","Resource":"*"}`), "Syntax errors in policy."},
		{"lower-case effect", stmt(`{"Effect":"allow","Action":"s3:*","Resource":"*"}`), "The policy failed legacy parsing"},
		{"no effect", stmt(`{"Action":"s3:*","Resource":"*"}`), "Syntax errors in policy."},
		{"action and not-action", stmt(`{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}`), "Syntax errors in policy."},
		{"no action", stmt(`{"Effect":"Allow","Resource":"*"}`), "Policy statement must contain actions."},
		{"no resource", stmt(`{"Effect":"Allow","Action":"s3:*"}`), "Policy statement must contain resources."},
		{"principal", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`), "Policy document should not specify a principal."},
		{"action without vendor", stmt(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"resource not an ARN", stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}`), `Resource bucket must be in ARN format or "*".`},
		{"duplicate sid", stmt(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}`), "Statement IDs (SID) in a single policy must be unique."},
		{"condition not an object", stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":"x"}`), "Syntax errors in policy."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.PutUserPolicy(e.ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			expectError(t, err, "MalformedPolicyDocument", tc.msg)
			_, err = e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			expectError(t, err, "MalformedPolicyDocument", "")
		})
	}
	names, err := e.iam.ListUserPolicies(e.ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")})
	e.must("listing alice's policies", err)
	if len(names.PolicyNames) != 0 {
		t.Errorf("malformed policies were stored: %v", names.PolicyNames)
	}
}

func TestPolicyVersionRules(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	legacy := `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	unversioned := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	// Inline policies still accept the 2008 grammar and no version at all.
	for _, doc := range []string{legacy, unversioned} {
		e.must("putting a legacy inline policy", justErr(e.iam.PutUserPolicy(e.ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("legacy"), PolicyDocument: aws.String(doc)})))
		_, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("legacy"), PolicyDocument: aws.String(doc)})
		expectError(t, err, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.")
	}
	huge := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6100) + `"}]}`
	_, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("huge"), PolicyDocument: aws.String(huge)})
	expectError(t, err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
}
