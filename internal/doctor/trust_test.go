package doctor

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// A member role's trust policy, judged: whom it lets in beyond gatehouse,
// as seed 001 asks (the whole member account is the worst: the people
// gatehouse creates there could switch to it), and a configured external
// ID it does not require.
func TestJudgeTrust(t *testing.T) {
	t.Parallel()
	facts := trustFacts{member: "222222222222", roleName: "Provisioner", callerAcc: "111111111111",
		callerARN: "arn:aws:iam::111111111111:role/gatehouse", partition: "aws"}
	stmt := func(principal, extra string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + extra + `}]}`
	}
	tests := []struct {
		name       string
		doc        string
		externalID bool
		want       []Severity
		says       string
	}{
		{"gatehouse alone", stmt(`{"AWS":"arn:aws:iam::111111111111:role/gatehouse"}`, ""), false, []Severity{OK},
			"lets only arn:aws:iam::111111111111:role/gatehouse assume it"},
		{"anyone", stmt(`"*"`, ""), false, []Severity{Error}, `any AWS principal of any account (Principal "*")`},
		{"anyone as AWS", stmt(`{"AWS":"*"}`, ""), false, []Severity{Error}, `Principal "*"`},
		{"anyone with a condition", stmt(`"*"`, `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`), false,
			[]Severity{Warning}, "narrowed only by its conditions on aws:PrincipalOrgID"},
		{"the member account itself", stmt(`{"AWS":"arn:aws:iam::222222222222:root"}`, ""), false, []Severity{Error},
			"the people gatehouse creates there included"},
		{"the member account by ID", stmt(`{"AWS":["222222222222"]}`, ""), false, []Severity{Error}, "whole of account 222222222222 itself"},
		{"the management account", stmt(`{"AWS":"arn:aws:iam::111111111111:root"}`, ""), false, []Severity{Warning},
			"not gatehouse's identity alone"},
		{"another account", stmt(`{"AWS":"arn:aws:iam::999999999999:root"}`, ""), false, []Severity{Warning},
			"neither gatehouse's account nor this one"},
		{"NotPrincipal", `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:*"}}`,
			false, []Severity{Error}, "with NotPrincipal"},
		{"external ID missing", stmt(`{"AWS":"arn:aws:iam::111111111111:role/gatehouse"}`, ""), true, []Severity{Warning},
			"does not require the external ID"},
		{"external ID required", stmt(`{"AWS":"arn:aws:iam::111111111111:role/gatehouse"}`,
			`,"Condition":{"StringEquals":{"sts:ExternalId":"x"}}`), true, []Severity{OK}, "with the external ID"},
		{"a service does not count", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/gatehouse"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
			false, []Severity{OK}, "lets only arn:aws:iam::111111111111:role/gatehouse"},
		{"a Deny does not trust", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"},` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/gatehouse"},"Action":"sts:AssumeRole"}]}`,
			false, []Severity{OK}, "lets only"},
		{"another action does not trust", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"},` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/gatehouse"},"Action":"sts:Assume*"}]}`,
			false, []Severity{OK}, "lets only"},
		{"not JSON", "{", false, []Severity{Warning}, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := facts
			f.externalID = tt.externalID
			got := judgeTrust(tt.doc, f)
			var sevs []Severity
			var text []string
			for _, g := range got {
				if g.Account != "222222222222" {
					t.Errorf("finding %q is not the member account's", g.Message)
				}
				sevs = append(sevs, g.Severity)
				text = append(text, g.Message)
				if g.Severity != OK && tt.name != "not JSON" && !strings.Contains(g.Fix, "update-assume-role-policy --role-name Provisioner") {
					t.Errorf("fix %q is not the command that narrows the trust", g.Fix)
				}
			}
			if strings.Join(asStrings(sevs), ",") != strings.Join(asStrings(tt.want), ",") || !strings.Contains(strings.Join(text, "\n"), tt.says) {
				t.Errorf("judgeTrust = %v\n%s\nwant %v saying %q", sevs, strings.Join(text, "\n"), tt.want, tt.says)
			}
		})
	}
}

func asStrings(s []Severity) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// The fix names gatehouse's own identity, the external ID as a placeholder
// (it is not printed), and — for a root caller — a role to create first.
func TestMinimalTrustFix(t *testing.T) {
	t.Parallel()
	f := trustFacts{member: "222222222222", roleName: "Provisioner", callerAcc: "111111111111",
		callerARN: "arn:aws:iam::111111111111:role/ops/gatehouse", partition: "aws", externalID: true}
	got := f.minimalTrustFix()
	want := `in account 222222222222: aws iam update-assume-role-policy --role-name Provisioner --policy-document ` +
		`'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ops/gatehouse"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXTERNAL_ID"}}}]}' (with your external ID for EXTERNAL_ID)`
	if got != want {
		t.Errorf("fix\n%s\nwant\n%s", got, want)
	}
	f.callerARN, f.externalID = "", false
	if got := f.minimalTrustFix(); !strings.HasPrefix(got, "run gatehouse as a role of its own in account 111111111111") ||
		!strings.Contains(got, `"AWS":"arn:aws:iam::111111111111:role/gatehouse"`) {
		t.Errorf("root caller's fix: %s", got)
	}
}

func TestPrincipalOf(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]principal{
		"arn:aws:iam::111111111111:root":       {kind: kindRoot, account: "111111111111"},
		"arn:aws:iam::111111111111:user/ops/x": {kind: kindUser, account: "111111111111", arn: "arn:aws:iam::111111111111:user/ops/x"},
		"arn:aws:sts::222222222222:assumed-role/Provisioner/gatehouse": {kind: kindRole, account: "222222222222",
			arn: "arn:aws:iam::222222222222:role/Provisioner", roleName: "Provisioner"},
		"arn:aws-cn:iam::222222222222:role/a/b/R":      {kind: kindRole, account: "222222222222", arn: "arn:aws-cn:iam::222222222222:role/a/b/R", roleName: "R"},
		"arn:aws:sts::111111111111:federated-user/bob": {kind: kindOther, account: "111111111111"},
		"not an arn": {kind: kindOther},
	} {
		if got := principalOf(arn); got != want {
			t.Errorf("principalOf(%s) = %+v, want %+v", arn, got, want)
		}
	}
}

func TestConcreteResources(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		"*":                         "*",
		"arn:aws:iam::*:user/*":     "arn:aws-cn:iam::222222222222:user/" + probe,
		"arn:aws:iam::aws:policy/*": "arn:aws-cn:iam::aws:policy/" + probe,
		"arn:aws:sqs:*:*:*":         "arn:aws-cn:sqs:cn-north-1:222222222222:" + probe,
	} {
		if got := concrete(pattern, "aws-cn", "cn-north-1", "222222222222"); got != want {
			t.Errorf("concrete(%s) = %s, want %s", pattern, got, want)
		}
	}
}

// The sending sandbox lets mail through to a verified address, to any
// address of a verified domain or its subdomains, and to SES's simulator.
func TestRecipientVerified(t *testing.T) {
	t.Parallel()
	verified := map[string]bool{"alice@example.org": true, "example.com": true}
	for addr, want := range map[string]bool{
		"alice@example.org": true, "ALICE@Example.org": true, "bob@example.org": false,
		"carol@example.com": true, "dave@mail.example.com": true, "eve@example.net": false,
		"success@simulator.amazonses.com": true,
	} {
		if got := recipientVerified(verified, addr); got != want {
			t.Errorf("recipientVerified(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestSuggestAlias(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"Production": "production", "Team A -- Dev!": "team-a-dev", "": "ALIAS", "Ä": "ALIAS"} {
		if got := suggestAlias(awsx.Account{ID: "222222222222", Name: name}); got != want {
			t.Errorf("suggestAlias(%q) = %q, want %q", name, got, want)
		}
	}
}
