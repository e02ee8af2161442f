package conformance

import (
	"strings"
	"testing"
	"time"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("sts", "get-caller-identity")
	if str(out, "Account") != cli.Account || str(out, "Arn") != "arn:aws:iam::"+cli.Account+":root" || str(out, "UserId") != cli.Account {
		t.Errorf("get-caller-identity = %v", out)
	}
}

// sessionCLI returns a CLI signing with the credentials assume-role returned.
func sessionCLI(c *CLI, out map[string]any) *CLI {
	return c.WithEnv("AWS_ACCESS_KEY_ID="+str(out, "Credentials", "AccessKeyId"),
		"AWS_SECRET_ACCESS_KEY="+str(out, "Credentials", "SecretAccessKey"),
		"AWS_SESSION_TOKEN="+str(out, "Credentials", "SessionToken"))
}

// TestSTSAssumeRoleAcrossAccounts creates a role in a second account that trusts
// the first one with an external ID, assumes it and works in the second account.
func TestSTSAssumeRoleAcrossAccounts(t *testing.T) {
	cli := newCLI(t)
	target := newCLIFor(t, cli.srv, freshAccount())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + cli.Account +
		`:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"gh-ext-1"}}}]}`
	target.Run("iam", "create-role", "--role-name", "Gatehouse", "--path", "/automation/", "--assume-role-policy-document", trust, "--max-session-duration", "7200")
	roleARN := "arn:aws:iam::" + target.Account + ":role/automation/Gatehouse"
	denied := "User: arn:aws:iam::" + cli.Account + ":root is not authorized to perform: sts:AssumeRole on resource: " + roleARN
	for _, extra := range [][]string{nil, {"--external-id", "gh-ext-2"}} {
		args := append([]string{"sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "onboard"}, extra...)
		if msg := cli.Fail("AccessDenied", args...); msg != denied {
			t.Errorf("external ID %v: message %q, want %q", extra, msg, denied)
		}
	}
	cli.Fail("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+target.Account+":role/Gatehouse", "--role-session-name", "onboard", "--external-id", "gh-ext-1")
	msg := cli.Fail("ValidationError", "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "onboard", "--external-id", "gh-ext-1", "--duration-seconds", "7201")
	if msg != "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." {
		t.Errorf("duration message = %q", msg)
	}
	before := time.Now()
	out := cli.Run("sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "onboard", "--external-id", "gh-ext-1", "--duration-seconds", "7200")
	if id := str(out, "Credentials", "AccessKeyId"); !strings.HasPrefix(id, "ASIA") || len(id) != 20 {
		t.Errorf("AccessKeyId = %q", id)
	}
	if exp, err := time.Parse(time.RFC3339, str(out, "Credentials", "Expiration")); err != nil || exp.Sub(before) < 2*time.Hour-time.Minute || exp.Sub(before) > 2*time.Hour+time.Minute {
		t.Errorf("Expiration = %q, want two hours ahead", str(out, "Credentials", "Expiration"))
	}
	wantARN := "arn:aws:sts::" + target.Account + ":assumed-role/Gatehouse/onboard"
	if str(out, "AssumedRoleUser", "Arn") != wantARN || !strings.HasSuffix(str(out, "AssumedRoleUser", "AssumedRoleId"), ":onboard") {
		t.Errorf("AssumedRoleUser = %v", out["AssumedRoleUser"])
	}
	session := sessionCLI(cli, out)
	if who := session.Run("sts", "get-caller-identity"); str(who, "Account") != target.Account || str(who, "Arn") != wantARN {
		t.Errorf("session identity = %v", who)
	}
	// Working there: the session sees the target account's roles, not the caller's.
	if roles := session.Run("iam", "list-roles"); length(roles, "Roles") != 1 || str(roles, "Roles", 0, "Arn") != roleARN {
		t.Errorf("list-roles as the session = %v", roles)
	}
	target.Run("iam", "create-role", "--role-name", "Hop", "--max-session-duration", "7200", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+target.Account+`"},"Action":"sts:AssumeRole"}]}`)
	msg = session.Fail("ValidationError", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+target.Account+":role/Hop", "--role-session-name", "chained", "--duration-seconds", "3601")
	if !strings.Contains(msg, "role chaining") {
		t.Errorf("chained duration message = %q", msg)
	}
}

func TestSTSAssumeRoleTrustPolicyDecisions(t *testing.T) {
	cli := newCLI(t)
	me := `{"AWS":"` + cli.Account + `"}`
	roles := map[string]string{
		"DenyWins":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":` + me + `,"Action":"sts:*"}]}`,
		"Lambda":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		"NeedsTags": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + me + `,"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
		"NoTags":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + me + `,"Action":"sts:AssumeRole"}]}`,
	}
	for name, trust := range roles {
		cli.Run("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)
	}
	arn := func(name string) string { return "arn:aws:iam::" + cli.Account + ":role/" + name }
	cli.Fail("AccessDenied", "sts", "assume-role", "--role-arn", arn("DenyWins"), "--role-session-name", "s1")
	cli.Fail("AccessDenied", "sts", "assume-role", "--role-arn", arn("Lambda"), "--role-session-name", "s1")
	cli.Fail("AccessDenied", "sts", "assume-role", "--role-arn", arn("Missing"), "--role-session-name", "s1")
	msg := cli.Fail("AccessDenied", "sts", "assume-role", "--role-arn", arn("NoTags"), "--role-session-name", "s1", "--tags", "Key=team,Value=platform")
	if !strings.Contains(msg, "sts:TagSession") {
		t.Errorf("tag denial message = %q", msg)
	}
	out := cli.Run("sts", "assume-role", "--role-arn", arn("NeedsTags"), "--role-session-name", "s1", "--tags", "Key=team,Value=platform")
	if n, ok := out["PackedPolicySize"].(float64); !ok || n < 1 || n > 100 {
		t.Errorf("PackedPolicySize = %v", out["PackedPolicySize"])
	}
	cli.Run("sts", "assume-role", "--role-arn", arn("NoTags"), "--role-session-name", "s1")
	cli.Fail("ValidationError", "sts", "assume-role", "--role-arn", arn("NoTags"), "--role-session-name", "bad name")
	cli.Fail("MalformedPolicyDocument", "sts", "assume-role", "--role-arn", arn("NoTags"), "--role-session-name", "s1", "--policy", "{not json")
}
