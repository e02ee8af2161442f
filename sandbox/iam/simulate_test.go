package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// simulateWorld has a policy of every source the simulator reads: user inline
// and attached, group inline and attached, role attached with a boundary.
const simulateWorld = `
accounts:
  "111122223333":
    policies:
      - name: ReadIAM
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "iam:Get*", Resource: "*"}]}
      - name: Boundary
        document:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: "iam:*", Resource: "*"}
            - {Effect: Deny, Action: iam:DeleteUser, Resource: "*"}
    groups:
      - name: admins
        attached_policies: [arn:aws:iam::aws:policy/IAMFullAccess]
        inline_policies:
          no-deletes: {Version: "2012-10-17", Statement: [{Sid: NoUserDeletes, Effect: Deny, Action: "iam:Delete*", Resource: "arn:aws:iam::*:user/*"}]}
    roles:
      - name: deployer
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: sts:AssumeRole}]}
        permissions_boundary: arn:aws:iam::111122223333:policy/Boundary
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    users:
      - name: alice
        groups: [admins]
        inline_policies:
          self:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: iam:ChangePassword, Resource: "arn:aws:iam::*:user/${aws:username}"}
              - {Effect: Allow, NotAction: ["iam:*", "kms:*"], NotResource: "arn:aws:s3:::secret/*"}
              - {Effect: Allow, Action: "kms:Decrypt", Resource: "*", Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}}
              - {Effect: Allow, Action: "kms:Encrypt", Resource: "*", Condition: {StringEqualsIfExists: {"aws:RequestedRegion": "eu-west-1"}}}
      - name: bob
        attached_policies: [arn:aws:iam::111122223333:policy/ReadIAM]
`

const simAccount = "111122223333"

func newSimulateSandbox(t *testing.T) *iam.Client {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, simulateWorld)
	cfg := sb.Config(simAccount)
	cfg.RetryMaxAttempts = 1
	return iam.NewFromConfig(cfg)
}

func arnOf(kind, name string) string { return "arn:aws:iam::" + simAccount + ":" + kind + "/" + name }

// simulate runs one action on one resource ("" for none given) and returns its result.
func simulate(t *testing.T, client *iam.Client, in *iam.SimulatePrincipalPolicyInput) []types.EvaluationResult {
	t.Helper()
	out, err := client.SimulatePrincipalPolicy(context.Background(), in)
	if err != nil {
		t.Fatalf("simulating %v on %v for %s: %v", in.ActionNames, in.ResourceArns, *in.PolicySourceArn, err)
	}
	return out.EvaluationResults
}

// decision is a result as one line: decision and the matched policies.
func decision(r types.EvaluationResult) string {
	ids := []string{string(r.EvalDecision)}
	for _, st := range r.MatchedStatements {
		ids = append(ids, aws.ToString(st.SourcePolicyId)+"("+string(st.SourcePolicyType)+")")
	}
	return strings.Join(ids, " ")
}

func TestSimulateIdentityPolicies(t *testing.T) {
	t.Parallel()
	client := newSimulateSandbox(t)
	bobARN := arnOf("user", "bob")
	for _, tc := range []struct {
		source, action, resource, want string
	}{
		{arnOf("user", "alice"), "iam:CreateUser", "", "allowed IAMFullAccess(IAM Policy)"},
		{arnOf("user", "alice"), "iam:DeleteUser", bobARN, "explicitDeny group_admins_no-deletes(IAM Policy)"},
		// "*" is a resource name like any other: arn:aws:iam::*:user/* does not match it.
		{arnOf("user", "alice"), "iam:DeleteUser", "", "allowed IAMFullAccess(IAM Policy)"},
		{arnOf("user", "alice"), "IAM:changepassword", arnOf("user", "alice"), "allowed user_alice_self(IAM Policy) IAMFullAccess(IAM Policy)"},
		{arnOf("user", "alice"), "iam:ChangePassword", "", "allowed IAMFullAccess(IAM Policy)"},
		{arnOf("user", "alice"), "s3:GetObject", "arn:aws:s3:::public/a", "allowed user_alice_self(IAM Policy)"},
		{arnOf("user", "alice"), "s3:GetObject", "arn:aws:s3:::secret/a", "implicitDeny"},
		{arnOf("user", "alice"), "kms:Encrypt", "", "allowed user_alice_self(IAM Policy)"},
		{arnOf("user", "bob"), "iam:GetUser", "", "allowed ReadIAM(IAM Policy)"},
		{arnOf("user", "bob"), "iam:CreateUser", "", "implicitDeny"},
		{arnOf("group", "admins"), "iam:DeleteGroup", arnOf("group", "x"), "allowed IAMFullAccess(IAM Policy)"},
		{arnOf("group", "admins"), "iam:DeleteLoginProfile", bobARN, "explicitDeny group_admins_no-deletes(IAM Policy)"},
		{arnOf("role", "deployer"), "iam:CreateUser", "", "allowed AdministratorAccess(IAM Policy)"},
		{arnOf("role", "deployer"), "s3:ListBucket", "", "implicitDeny"},
		{arnOf("role", "deployer"), "iam:DeleteUser", "", "explicitDeny Boundary(Permissions Boundary Policy)"},
	} {
		in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(tc.source), ActionNames: []string{tc.action}}
		if tc.resource != "" {
			in.ResourceArns = []string{tc.resource}
		}
		res := simulate(t, client, in)
		if len(res) != 1 {
			t.Fatalf("%s %s: %d results", tc.source, tc.action, len(res))
		}
		if got := decision(res[0]); got != tc.want {
			t.Errorf("%s %s on %q: %s, want %s", tc.source, tc.action, tc.resource, got, tc.want)
		}
		wantResource := tc.resource
		if wantResource == "" {
			wantResource = "*"
		}
		if aws.ToString(res[0].EvalResourceName) != wantResource || aws.ToString(res[0].EvalActionName) != tc.action {
			t.Errorf("result names %s on %s", aws.ToString(res[0].EvalActionName), aws.ToString(res[0].EvalResourceName))
		}
		if (tc.resource != "") != (len(res[0].ResourceSpecificResults) == 1) {
			t.Errorf("%s on %q: %d resource-specific results", tc.action, tc.resource, len(res[0].ResourceSpecificResults))
		}
	}
}

func TestSimulateBoundaryAndContext(t *testing.T) {
	t.Parallel()
	client := newSimulateSandbox(t)
	res := simulate(t, client, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("role", "deployer")),
		ActionNames: []string{"iam:CreateUser", "s3:ListBucket"}})
	if b := res[0].PermissionsBoundaryDecisionDetail; b == nil || !b.AllowedByPermissionsBoundary {
		t.Errorf("CreateUser boundary detail = %+v", b)
	}
	if b := res[1].PermissionsBoundaryDecisionDetail; b == nil || b.AllowedByPermissionsBoundary {
		t.Errorf("ListBucket boundary detail = %+v", b)
	}
	// A condition whose key is absent keeps its statement out, and the key is reported missing.
	res = simulate(t, client, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "alice")), ActionNames: []string{"kms:Decrypt"}})
	if got := decision(res[0]); got != "implicitDeny" || strings.Join(res[0].MissingContextValues, ",") != "aws:MultiFactorAuthPresent" || res[0].PermissionsBoundaryDecisionDetail != nil {
		t.Errorf("kms:Decrypt without MFA context: %s, missing %v", got, res[0].MissingContextValues)
	}
	_, err := client.SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(arnOf("user", "alice")), ActionNames: []string{"kms:Decrypt"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyType: types.ContextKeyTypeEnumBoolean, ContextKeyValues: []string{"true"}}}})
	wantAPIError(t, err, "InvalidInput", "")
}

func TestSimulateInputPoliciesAndPositions(t *testing.T) {
	t.Parallel()
	client := newSimulateSandbox(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`
	res := simulate(t, client, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "bob")),
		ActionNames: []string{"iam:GetUser", "iam:GetRole", "iam:ListUsers"}, PolicyInputList: []string{deny},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}}`}})
	got := []string{decision(res[0]), decision(res[1]), decision(res[2])}
	want := []string{"explicitDeny PolicyInputList.1(IAM Policy)", "implicitDeny", "allowed PolicyInputList.1(IAM Policy)"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("decisions = %q, want %q", got, want)
	}
	st := res[0].MatchedStatements[0]
	if st.StartPosition == nil || st.StartPosition.Line != 1 || st.StartPosition.Column != 93 || st.EndPosition.Column != 148 {
		t.Errorf("deny statement at %+v to %+v, want 1:93 to 1:148", st.StartPosition, st.EndPosition)
	}
}

func TestSimulatePaginates(t *testing.T) {
	t.Parallel()
	client := newSimulateSandbox(t)
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "bob")),
		ActionNames: []string{"iam:GetUser", "iam:GetRole", "iam:CreateUser"}, ResourceArns: []string{"arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/b"},
		MaxItems: aws.Int32(4)}
	first, err := client.SimulatePrincipalPolicy(context.Background(), in)
	if err != nil || len(first.EvaluationResults) != 4 || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	in.Marker = first.Marker
	second, err := client.SimulatePrincipalPolicy(context.Background(), in)
	if err != nil || len(second.EvaluationResults) != 2 || second.IsTruncated {
		t.Fatalf("second page = %+v, %v", second, err)
	}
	last := second.EvaluationResults[1]
	if aws.ToString(last.EvalActionName) != "iam:CreateUser" || aws.ToString(last.EvalResourceName) != "arn:aws:iam::111122223333:user/b" {
		t.Errorf("last result is %s on %s", aws.ToString(last.EvalActionName), aws.ToString(last.EvalResourceName))
	}
}

func TestSimulateRefuses(t *testing.T) {
	t.Parallel()
	client := newSimulateSandbox(t)
	for _, tc := range []struct {
		in   iam.SimulatePrincipalPolicyInput
		code string
	}{
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "carol")), ActionNames: []string{"iam:GetUser"}}, "NoSuchEntity"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::999999999999:user/alice"), ActionNames: []string{"iam:GetUser"}}, "NoSuchEntity"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "other/path/alice")), ActionNames: []string{"iam:GetUser"}}, "NoSuchEntity"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("not-an-arn-but-long-enough"), ActionNames: []string{"iam:GetUser"}}, "InvalidInput"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("policy", "ReadIAM")), ActionNames: []string{"iam:GetUser"}}, "InvalidInput"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "bob")), ActionNames: []string{"iam:GetUser"}, ResourcePolicy: aws.String(`{}`)}, "InvalidInput"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "bob")), ActionNames: []string{"iam:GetUser"}, PolicyInputList: []string{`{"Statement":[]}`}}, "InvalidInput"},
		{iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arnOf("user", "bob")), ActionNames: []string{"x"}}, "ValidationError"},
	} {
		_, err := client.SimulatePrincipalPolicy(context.Background(), &tc.in)
		wantAPIError(t, err, tc.code, "")
	}
}
