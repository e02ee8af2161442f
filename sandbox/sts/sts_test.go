package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

const (
	callerAcct = "111111111111"
	roleAcct   = "222222222222"
)

// trustAccount is a trust policy letting every principal of account assume the role.
func trustAccount(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
}

func start(t *testing.T) *sandboxtest.Sandbox {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Options{})
}

// putRole creates a role directly in the world.
func putRole(t *testing.T, sb *sandboxtest.Sandbox, account, path, name, trust string, maxSession int) *iamstate.Role {
	t.Helper()
	w := sb.Server.World()
	w.Lock()
	defer w.Unlock()
	role := &iamstate.Role{Name: name, ID: state.NewID("AROA", 17), Path: path, Created: state.Now(), MaxSessionDuration: maxSession, TrustPolicy: trust}
	iamstate.Of(w.Account(account)).Roles.Put(name, role)
	return role
}

// putUser creates a user with an active access key and returns the key's config.
func putUser(t *testing.T, sb *sandboxtest.Sandbox, account, name string) aws.Config {
	t.Helper()
	w := sb.Server.World()
	w.Lock()
	defer w.Unlock()
	keyID, secret := state.NewID("AKIA", 16), state.NewSecret(40)
	u := &iamstate.User{Name: name, ID: state.NewID("AIDA", 17), Path: "/", Created: state.Now(),
		AccessKeys: []*iamstate.AccessKey{{ID: keyID, Status: "Active", Created: state.Now()}}}
	iamstate.Of(w.Account(account)).Users.Put(name, u)
	w.Credentials[keyID] = &state.Credential{AccessKeyID: keyID, SecretAccessKey: secret, Account: account, User: name}
	return sessionConfig(sb, keyID, secret, "")
}

func sessionConfig(sb *sandboxtest.Sandbox, id, secret, token string) aws.Config {
	cfg := sb.Config(callerAcct)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, token)
	return cfg
}

func client(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) }

// apiError returns the code, message and HTTP status of an API error.
func apiError(t *testing.T, err error) (code, msg string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

func TestGetCallerIdentity(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	out, err := client(sb.Config(callerAcct)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != callerAcct || aws.ToString(out.Arn) != "arn:aws:iam::"+callerAcct+":root" || aws.ToString(out.UserId) != callerAcct {
		t.Errorf("root identity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
	out, err = client(putUser(t, sb, callerAcct, "alice")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:iam::"+callerAcct+":user/alice" || !strings.HasPrefix(aws.ToString(out.UserId), "AIDA") {
		t.Errorf("user identity = %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

// TestAssumeRoleWorksInTargetAccount assumes a role in a second account and
// uses the temporary keys there.
func TestAssumeRoleWorksInTargetAccount(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	role := putRole(t, sb, roleAcct, "/ops/", "Deployer", trustAccount(callerAcct), 7200)
	before := time.Now()
	out, err := client(sb.Config(callerAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + roleAcct + ":role/ops/Deployer"), RoleSessionName: aws.String("run-1"),
		DurationSeconds: aws.Int32(7200),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if id := aws.ToString(c.AccessKeyId); !strings.HasPrefix(id, "ASIA") || len(id) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA + 16 characters", id)
	}
	if aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" {
		t.Error("secret or session token missing")
	}
	if exp := aws.ToTime(c.Expiration); exp.Before(before.Add(2*time.Hour-5*time.Second)) || exp.After(before.Add(2*time.Hour+5*time.Second)) {
		t.Errorf("Expiration = %v, want two hours from now", exp)
	}
	wantARN := "arn:aws:sts::" + roleAcct + ":assumed-role/Deployer/run-1"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, wantARN)
	}
	if got := aws.ToString(out.AssumedRoleUser.AssumedRoleId); got != role.ID+":run-1" {
		t.Errorf("AssumedRoleId = %q, want %q", got, role.ID+":run-1")
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize = %d without session policies or tags", *out.PackedPolicySize)
	}
	who, err := client(sessionConfig(sb, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Account) != roleAcct || aws.ToString(who.Arn) != wantARN || aws.ToString(who.UserId) != role.ID+":run-1" {
		t.Errorf("session identity = %s %s %s", aws.ToString(who.Account), aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	if got := sb.Requests(t, callerAcct).Mutating; got != 0 {
		t.Errorf("AssumeRole counted as %d mutating requests, want 0", got)
	}
}

func TestAssumeRoleExternalID(t *testing.T) {
	t.Parallel()
	sb := start(t)
	putRole(t, sb, roleAcct, "/", "Exact", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+callerAcct+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"gatehouse-42"}}}}`, 0)
	putRole(t, sb, roleAcct, "/", "Pattern", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+callerAcct+`"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"gate*-??"}}}}`, 0)
	tests := []struct {
		role, externalID string
		ok               bool
	}{
		{"Exact", "", false},
		{"Exact", "gatehouse-41", false},
		{"Exact", "GATEHOUSE-42", false},
		{"Exact", "gatehouse-42", true},
		{"Pattern", "", false},
		{"Pattern", "gatehouse-7", false},
		{"Pattern", "gatekeeper-99", true},
	}
	for _, tt := range tests {
		t.Run(tt.role+"/"+tt.externalID, func(t *testing.T) {
			t.Parallel()
			in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + roleAcct + ":role/" + tt.role), RoleSessionName: aws.String("ext")}
			if tt.externalID != "" {
				in.ExternalId = aws.String(tt.externalID)
			}
			_, err := client(sb.Config(callerAcct)).AssumeRole(context.Background(), in)
			if tt.ok {
				if err != nil {
					t.Fatalf("AssumeRole: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("AssumeRole succeeded, want AccessDenied")
			}
			code, msg, status := apiError(t, err)
			want := "User: arn:aws:iam::" + callerAcct + ":root is not authorized to perform: sts:AssumeRole on resource: " + *in.RoleArn
			if code != "AccessDenied" || status != 403 || msg != want {
				t.Errorf("error = %s %d %q, want AccessDenied 403 %q", code, status, msg, want)
			}
		})
	}
}
