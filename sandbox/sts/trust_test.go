package sts_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func stmt(effect, principal, action, condition string) string {
	s := `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":` + action
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + "}"
}

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestAssumeRoleTrustPolicy(t *testing.T) {
	t.Parallel()
	sb := start(t)
	userCfg := putUser(t, sb, callerAcct, "bob")
	other := `"arn:aws:iam::333333333333:root"`
	tests := []struct {
		name, trust string
		user        bool // sign as IAM user bob instead of the account root
		ok          bool
	}{
		{"account ID", doc(stmt("Allow", `{"AWS":"`+callerAcct+`"}`, `"sts:AssumeRole"`, "")), false, true},
		{"root ARN list", doc(stmt("Allow", `{"AWS":[`+other+`,"arn:aws:iam::`+callerAcct+`:root"]}`, `["sts:AssumeRole"]`, "")), false, true},
		{"anyone", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, "")), false, true},
		{"sts wildcard", doc(stmt("Allow", `{"AWS":"*"}`, `"sts:Assume*"`, "")), false, true},
		{"action star", doc(stmt("Allow", `{"AWS":"*"}`, `"*"`, "")), false, true},
		{"user ARN", doc(stmt("Allow", `{"AWS":"arn:aws:iam::`+callerAcct+`:user/bob"}`, `"sts:AssumeRole"`, "")), true, true},
		{"user ARN, root calls", doc(stmt("Allow", `{"AWS":"arn:aws:iam::`+callerAcct+`:user/bob"}`, `"sts:AssumeRole"`, "")), false, false},
		{"other user", doc(stmt("Allow", `{"AWS":"arn:aws:iam::`+callerAcct+`:user/carol"}`, `"sts:AssumeRole"`, "")), true, false},
		{"other account", doc(stmt("Allow", `{"AWS":`+other+`}`, `"sts:AssumeRole"`, "")), false, false},
		{"service principal", doc(stmt("Allow", `{"Service":"lambda.amazonaws.com"}`, `"sts:AssumeRole"`, "")), false, false},
		{"other action", doc(stmt("Allow", `{"AWS":"*"}`, `"sts:AssumeRoleWithSAML"`, "")), false, false},
		{"deny wins", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, ""), stmt("Deny", `{"AWS":"`+callerAcct+`"}`, `"sts:*"`, "")), false, false},
		{"deny other account only", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, ""), stmt("Deny", `{"AWS":`+other+`}`, `"*"`, "")), false, true},
		{"principal account condition", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, `{"StringEquals":{"aws:PrincipalAccount":"`+callerAcct+`"}}`)), false, true},
		{"principal type condition", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, `{"StringEquals":{"aws:PrincipalType":"User"}}`)), false, false},
		{"principal type user", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, `{"StringEquals":{"aws:PrincipalType":"User"}}`)), true, true},
		{"session name condition", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, `{"StringLike":{"sts:RoleSessionName":"ci-*"}}`)), false, true},
		{"unknown operator", doc(stmt("Allow", `"*"`, `"sts:AssumeRole"`, `{"StringSortOf":{"sts:RoleSessionName":"ci-1"}}`)), false, false},
		{"malformed document", `{"Statement":`, false, false},
		{"no statements", `{"Version":"2012-10-17","Statement":[]}`, false, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("Role%d", i)
			putRole(t, sb, roleAcct, "/", name, tt.trust, 0)
			cfg, caller := sb.Config(callerAcct), "arn:aws:iam::"+callerAcct+":root"
			if tt.user {
				cfg, caller = userCfg, "arn:aws:iam::"+callerAcct+":user/bob"
			}
			arn := "arn:aws:iam::" + roleAcct + ":role/" + name
			_, err := client(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("ci-1")})
			checkDecision(t, err, tt.ok, caller, "sts:AssumeRole", arn)
		})
	}
}

func checkDecision(t *testing.T, err error, ok bool, caller, action, resource string) {
	t.Helper()
	if ok {
		if err != nil {
			t.Fatalf("got %v, want success", err)
		}
		return
	}
	if err == nil {
		t.Fatal("succeeded, want AccessDenied")
	}
	code, msg, status := apiError(t, err)
	want := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", caller, action, resource)
	if code != "AccessDenied" || status != 403 || msg != want {
		t.Errorf("error = %s %d %q, want AccessDenied 403 %q", code, status, msg, want)
	}
}

func TestAssumeRoleMissingRole(t *testing.T) {
	t.Parallel()
	sb := start(t)
	putRole(t, sb, roleAcct, "/team/", "Pathed", trustAccount(callerAcct), 0)
	for _, arn := range []string{
		"arn:aws:iam::" + roleAcct + ":role/Nobody",
		"arn:aws:iam::" + roleAcct + ":role/Pathed",       // wrong path
		"arn:aws:iam::444444444444:role/team/Pathed",      // wrong account
		"arn:aws:iam::" + roleAcct + ":role/other/Pathed", // other path
	} {
		_, err := client(sb.Config(callerAcct)).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1")})
		checkDecision(t, err, false, "arn:aws:iam::"+callerAcct+":root", "sts:AssumeRole", arn)
	}
}

// TestAssumeRoleChaining assumes a role from a role session: the trust policy
// names the first role's ARN, and the one-hour chaining cap applies.
func TestAssumeRoleChaining(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	putRole(t, sb, callerAcct, "/", "Hop", trustAccount(callerAcct), 0)
	putRole(t, sb, roleAcct, "/", "Target", doc(stmt("Allow", `{"AWS":"arn:aws:iam::`+callerAcct+`:role/Hop"}`, `"sts:AssumeRole"`, `{"Bool":{"aws:MultiFactorAuthPresent":false}}`)), 43200)
	hop, err := client(sb.Config(callerAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + callerAcct + ":role/Hop"), RoleSessionName: aws.String("hop")})
	if err != nil {
		t.Fatal(err)
	}
	c := hop.Credentials
	chained := client(sessionConfig(sb, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	target := aws.String("arn:aws:iam::" + roleAcct + ":role/Target")
	_, err = chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("two"), DurationSeconds: aws.Int32(7200)})
	if code, msg, _ := apiError(t, err); code != "ValidationError" || !strings.Contains(msg, "1 hour session limit for roles assumed by role chaining") {
		t.Errorf("chained 2h session: %s %q", code, msg)
	}
	out, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+roleAcct+":assumed-role/Target/two" {
		t.Errorf("chained ARN = %q", got)
	}
	_, err = client(sb.Config(callerAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("direct")})
	checkDecision(t, err, false, "arn:aws:iam::"+callerAcct+":root", "sts:AssumeRole", *target)
}

func TestAssumeRoleValidation(t *testing.T) {
	t.Parallel()
	sb := start(t)
	putRole(t, sb, roleAcct, "/", "R", trustAccount(callerAcct), 3600)
	arn := aws.String("arn:aws:iam::" + roleAcct + ":role/R")
	tests := []struct {
		name     string
		in       sts.AssumeRoleInput
		code     string
		contains string
	}{
		{"too short", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s"), DurationSeconds: aws.Int32(899)}, "ValidationError", "greater than or equal to 900"},
		{"over role max", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(3601)}, "ValidationError", "exceeds the MaxSessionDuration set for this role"},
		{"bad session name", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("has space")}, "ValidationError", "roleSessionName"},
		{"short external id", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"), ExternalId: aws.String("x")}, "ValidationError", "externalId"},
		{"not a role ARN", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + roleAcct + ":user/R"), RoleSessionName: aws.String("s1")}, "ValidationError", "is invalid"},
		{"malformed policy", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"), Policy: aws.String(`{"Statement":`)}, "MalformedPolicyDocument", "valid JSON"},
		{"policy too large", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2100) + `"}]}`)}, "PackedPolicyTooLarge", "too large"},
		{"transitive key not a tag", sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"), TransitiveTagKeys: []string{"team"}}, "ValidationError", "not among the session tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := client(sb.Config(callerAcct)).AssumeRole(context.Background(), &tt.in)
			if err == nil {
				t.Fatalf("succeeded, want %s", tt.code)
			}
			if code, msg, _ := apiError(t, err); code != tt.code || !strings.Contains(msg, tt.contains) {
				t.Errorf("error = %s %q, want %s containing %q", code, msg, tt.code, tt.contains)
			}
		})
	}
	out, err := client(sb.Config(callerAcct)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize = %v, want a percentage", out.PackedPolicySize)
	}
}

// TestAssumeRoleSessionTags checks that tags need sts:TagSession as well.
func TestAssumeRoleSessionTags(t *testing.T) {
	t.Parallel()
	sb := start(t)
	putRole(t, sb, roleAcct, "/", "NoTags", trustAccount(callerAcct), 0)
	putRole(t, sb, roleAcct, "/", "Tags", doc(stmt("Allow", `{"AWS":"`+callerAcct+`"}`, `["sts:AssumeRole","sts:TagSession"]`, `{"StringEquals":{"aws:RequestTag/team":"platform"}}`)), 0)
	tags := []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}
	for _, tt := range []struct {
		role  string
		tags  []ststypes.Tag
		ok    bool
		deny  string
		value string
	}{
		{"NoTags", nil, true, "", ""},
		{"NoTags", tags, false, "sts:TagSession", ""},
		{"Tags", tags, true, "", ""},
		{"Tags", []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}, false, "sts:AssumeRole", ""},
	} {
		arn := "arn:aws:iam::" + roleAcct + ":role/" + tt.role
		out, err := client(sb.Config(callerAcct)).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("tagged"), Tags: tt.tags})
		checkDecision(t, err, tt.ok, "arn:aws:iam::"+callerAcct+":root", tt.deny, arn)
		if tt.ok && len(tt.tags) > 0 && out.PackedPolicySize == nil {
			t.Errorf("%s: PackedPolicySize missing with session tags", tt.role)
		}
	}
}

// TestAssumeRoleMFA requires aws:MultiFactorAuthPresent and checks TOTP codes.
func TestAssumeRoleMFA(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	cfg := putUser(t, sb, callerAcct, "mfa-user")
	seed := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	serial := "arn:aws:iam::" + callerAcct + ":mfa/mfa-user"
	w := sb.Server.World()
	w.Lock()
	u, _ := iamstate.Of(w.Account(callerAcct)).Users.Get("mfa-user")
	u.MFADevices = append(u.MFADevices, &iamstate.MFADevice{Serial: serial, Type: iamstate.MFAVirtual, Seed: seed, User: "mfa-user"})
	w.Unlock()
	putRole(t, sb, roleAcct, "/", "Guarded", doc(stmt("Allow", `{"AWS":"`+callerAcct+`"}`, `"sts:AssumeRole"`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)), 0)
	arn := "arn:aws:iam::" + roleAcct + ":role/Guarded"
	assume := func(serial, code string) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("mfa")}
		if serial != "" {
			in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
		}
		_, err := client(cfg).AssumeRole(ctx, in)
		return err
	}
	checkDecision(t, assume("", ""), false, "arn:aws:iam::"+callerAcct+":user/mfa-user", "sts:AssumeRole", arn)
	good := totp(t, seed, time.Now())
	wrong := fmt.Sprintf("%06d", (atoi(good)+1)%1000000)
	if code, msg, _ := apiError(t, assume(serial, wrong)); code != "AccessDenied" || !strings.Contains(msg, "invalid MFA one time pass code") {
		t.Errorf("wrong code: %s %q", code, msg)
	}
	if code, msg, _ := apiError(t, assume("arn:aws:iam::"+callerAcct+":mfa/other", good)); code != "AccessDenied" || !strings.Contains(msg, "unable to validate MFA code") {
		t.Errorf("unknown device: %s %q", code, msg)
	}
	if err := assume(serial, good); err != nil {
		t.Errorf("valid code: %v", err)
	}
}

func totp(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1000000)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
