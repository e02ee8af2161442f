package conformance

import (
	"strings"
	"testing"
)

// decisions lists "action resource decision matched-policy…" per result.
func decisions(out map[string]any) []string {
	var lines []string
	for i := range length(out, "EvaluationResults") {
		r := get(out, "EvaluationResults", i)
		line := []string{str(r, "EvalActionName"), str(r, "EvalResourceName"), str(r, "EvalDecision")}
		for j := range length(r, "MatchedStatements") {
			line = append(line, str(r, "MatchedStatements", j, "SourcePolicyId"))
		}
		lines = append(lines, strings.Join(line, " "))
	}
	return lines
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	cli := newCLI(t)
	acct := cli.Account
	cli.Run("iam", "create-user", "--user-name", "alice")
	cli.Run("iam", "create-group", "--group-name", "admins")
	cli.Run("iam", "add-user-to-group", "--user-name", "alice", "--group-name", "admins")
	cli.Run("iam", "attach-group-policy", "--group-name", "admins", "--policy-arn", "arn:aws:iam::aws:policy/IAMFullAccess")
	cli.Run("iam", "put-group-policy", "--group-name", "admins", "--policy-name", "no-deletes", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:Delete*","Resource":"arn:aws:iam::*:user/*"}]}`)
	cli.Run("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "self", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
	bob := "arn:aws:iam::" + acct + ":user/bob"
	out := cli.Run("iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+acct+":user/alice",
		"--action-names", "iam:CreateUser", "iam:DeleteUser", "sts:GetCallerIdentity", "s3:ListBucket",
		"--resource-arns", bob, "--page-size", "3")
	want := []string{
		"iam:CreateUser " + bob + " allowed IAMFullAccess",
		"iam:DeleteUser " + bob + " explicitDeny group_admins_no-deletes",
		"sts:GetCallerIdentity " + bob + " allowed user_alice_self",
		"s3:ListBucket " + bob + " implicitDeny",
	}
	if got := decisions(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("decisions (paged by 3) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	deny := get(out, "EvaluationResults", 1, "MatchedStatements", 0)
	if str(deny, "SourcePolicyType") != "IAM Policy" || get(deny, "StartPosition", "Line") != 1.0 || get(out, "EvaluationResults", 3, "MatchedStatements") == nil {
		t.Errorf("matched deny = %v; implicit deny's MatchedStatements = %v", deny, get(out, "EvaluationResults", 3, "MatchedStatements"))
	}
	out = cli.Run("iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+acct+":group/admins", "--action-names", "iam:GetUser",
		"--permissions-boundary-policy-input-list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)
	if got := decisions(out); len(got) != 1 || got[0] != "iam:GetUser * implicitDeny" || get(out, "EvaluationResults", 0, "PermissionsBoundaryDecisionDetail", "AllowedByPermissionsBoundary") != false {
		t.Errorf("group with a boundary input = %v", out)
	}
	cli.Fail("NoSuchEntity", "iam", "simulate-principal-policy", "--policy-source-arn", bob, "--action-names", "iam:GetUser")
	cli.Fail("InvalidInput", "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+acct+":user/alice",
		"--action-names", "iam:GetUser", "--resource-policy", `{"Version":"2012-10-17","Statement":[]}`)
}
