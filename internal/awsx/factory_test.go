package awsx_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	mgmt    = "111111111111"
	member  = "222222222222"
	member2 = "333333333333"
)

// world has two member accounts whose GatehouseAccess role trusts the
// management account, a role that needs an external ID and one under a path.
// Strict auth makes the sandbox verify every signature and session token, so a
// request that is not really signed with the assumed role's keys fails; the
// roots' secrets are the ones sandboxtest's Config signs with.
const world = `
accounts:
  "222222222222":
    alias: example-prod
    roles:
      - &access
        name: GatehouseAccess
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}
      - name: NeedsExternalID
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:root"}
              Action: "sts:AssumeRole"
              Condition: {StringEquals: {"sts:ExternalId": "gatehouse-42"}}
  "333333333333":
    roles:
      - *access
      - {name: Deep, path: /gatehouse/ops/, trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: "sts:AssumeRole"}]}}
credentials:
  - {access_key_id: "111111111111", secret_access_key: sandbox-secret}
  - {access_key_id: "222222222222", secret_access_key: sandbox-secret}
  - {access_key_id: "333333333333", secret_access_key: sandbox-secret}
`

func startWorld(t testing.TB) *sandboxtest.Sandbox {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{StrictAuth: true})
	sb.LoadFixture(t, world)
	return sb
}

// newFactory returns a factory signing as the management account's root and
// sending every client to the sandbox.
func newFactory(t testing.TB, sb *sandboxtest.Sandbox, opts awsx.Options) *awsx.Factory {
	t.Helper()
	opts.Endpoint = sb.URL
	opts.Region = "us-east-1"
	opts.Credentials = credentials.NewStaticCredentialsProvider(mgmt, "sandbox-secret", "")
	f, err := awsx.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("awsx.New: %v", err)
	}
	return f
}

// count returns how often action was called in rc, and how many of those failed.
func count(rc sandbox.RequestCounts, action string) (calls, errs int) {
	for _, row := range rc.Counts {
		if row.Action == action {
			calls += row.Count
			errs += row.Errors
		}
	}
	return calls, errs
}

func TestCaller(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	f := newFactory(t, sb, awsx.Options{})
	for range 5 {
		id, err := f.Caller(context.Background())
		if err != nil || id.Account != mgmt || id.Partition != "aws" || !strings.HasPrefix(id.ARN, "arn:aws:") {
			t.Fatalf("Caller = %+v, %v", id, err)
		}
	}
	if n, _ := count(sb.Requests(t, ""), "GetCallerIdentity"); n != 1 {
		t.Errorf("GetCallerIdentity called %d times for 5 Caller calls, want 1 (cached)", n)
	}
}

func TestConfigWithoutRoleIsTheCallersAccountOnly(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	f := newFactory(t, sb, awsx.Options{})
	ctx := context.Background()
	cfg, err := f.Config(ctx, mgmt)
	if err != nil {
		t.Fatalf("Config(caller's account): %v", err)
	}
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("CreateUser with the base config: %v", err)
	}
	_, err = f.Config(ctx, member)
	if err == nil || !strings.Contains(err.Error(), "no role is configured") {
		t.Errorf("Config(another account) without a role = %v, want an error saying a role is needed", err)
	}
	if _, err := f.Config(ctx, "12345"); err == nil {
		t.Error("Config accepted a 5-digit account ID")
	}
}

func TestAssumeRoleActsInTheMemberAccount(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		role    spec.Role
		account string
	}{
		{"role name", spec.Role{Name: "GatehouseAccess"}, member},
		{"ARN template", spec.Role{ARNTemplate: "arn:{partition}:iam::{account}:role/GatehouseAccess"}, member2},
		{"role name with path", spec.Role{Name: "gatehouse/ops/Deep"}, member2},
	} {
		f := newFactory(t, sb, awsx.Options{Role: tc.role})
		cfg, err := f.Config(ctx, tc.account)
		if err != nil {
			t.Fatalf("%s: Config: %v", tc.name, err)
		}
		user := strings.ReplaceAll(tc.name, " ", "-")
		if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatalf("%s: CreateUser through the assumed role: %v", tc.name, err)
		}
		// The user exists in the member account, not in the management account.
		if _, err := iam.NewFromConfig(sb.Config(tc.account)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)}); err != nil {
			t.Errorf("%s: user not in account %s: %v", tc.name, tc.account, err)
		}
		_, err = iam.NewFromConfig(sb.Config(mgmt)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
		if !errors.Is(awsx.Classify(err), awsx.ErrNotFound) {
			t.Errorf("%s: GetUser in the management account = %v, want not found", tc.name, err)
		}
	}
}

func TestAssumeRoleHonoursExternalID(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	ctx := context.Background()
	for _, tc := range []struct {
		externalID string
		ok         bool
	}{
		{"gatehouse-42", true},
		{"gatehouse-41", false},
		{"", false},
	} {
		f := newFactory(t, sb, awsx.Options{Role: spec.Role{Name: "NeedsExternalID", ExternalID: tc.externalID, SessionName: "onboard-test"}})
		cfg, err := f.Config(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
		switch {
		case tc.ok && err != nil:
			t.Errorf("external ID %q: %v", tc.externalID, err)
		case !tc.ok && !errors.Is(awsx.Classify(err), awsx.ErrAccessDenied):
			t.Errorf("external ID %q: err = %v, want access denied", tc.externalID, err)
		}
	}
}

func TestCredentialsAreCachedPerAccount(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	f := newFactory(t, sb, awsx.Options{Role: spec.Role{Name: "GatehouseAccess"}, RequestsPerSecond: -1})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16*10)
	for g := range 16 {
		wg.Go(func() {
			account := []string{member, member2}[g%2]
			for range 10 {
				cfg, err := f.Config(ctx, account)
				if err == nil {
					_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
				}
				if err != nil {
					errs <- fmt.Errorf("account %s: %w", account, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rc := sb.Requests(t, "")
	if n, _ := count(rc, "AssumeRole"); n != 2 {
		t.Errorf("AssumeRole called %d times for 160 calls in 2 accounts, want 2 (one per account)", n)
	}
	if n, _ := count(rc, "ListUsers"); n != 160 {
		t.Errorf("ListUsers counted %d times, want 160", n)
	}
	for _, account := range []string{member, member2} {
		if n, _ := count(sb.Requests(t, account), "ListUsers"); n != 80 {
			t.Errorf("account %s got %d ListUsers, want 80", account, n)
		}
	}
}

func TestNewRejectsAmbiguousRoles(t *testing.T) {
	t.Parallel()
	for _, role := range []spec.Role{
		{Name: "A", ARNTemplate: "arn:aws:iam::{account}:role/A"},
		{ARNTemplate: "arn:aws:iam::111111111111:role/A"},
		{ARNTemplate: "{account}:role/A"},
		{Name: "arn:aws:iam::111111111111:role/A"},
	} {
		if _, err := awsx.New(context.Background(), awsx.Options{Role: role, Region: "us-east-1"}); err == nil {
			t.Errorf("New accepted role %+v", role)
		}
	}
}

// TestRetriesSurviveChaos: injected throttling and server errors, 16
// goroutines sharing one client per account, as the engine does. Every call
// must succeed. Under heavy throttling the SDK's default retry quota (500
// tokens, 5 per retry, refunded only by a retry that succeeds) runs dry within
// a few hundred calls and fails them with "retry quota exceeded".
func TestRetriesSurviveChaos(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		faults   sandbox.FaultConfig
		attempts int // chosen so a call fails every attempt less than once in 10 million
		calls    int // per goroutine
	}{
		{"30% throttling, 5% 5xx", sandbox.FaultConfig{ThrottleRate: 0.30, ErrorRate: 0.05}, 15, 150},
		{"60% throttling", sandbox.FaultConfig{ThrottleRate: 0.60}, 35, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := startWorld(t)
			f := newFactory(t, sb, awsx.Options{
				Role:              spec.Role{Name: "GatehouseAccess"},
				RequestsPerSecond: -1,
				MaxAttempts:       tc.attempts,
				BaseDelay:         time.Millisecond,
				MaxBackoff:        2 * time.Millisecond,
			})
			clients := map[string]*iam.Client{}
			for _, account := range []string{member, member2} {
				cfg, err := f.Config(context.Background(), account)
				if err != nil {
					t.Fatal(err)
				}
				clients[account] = iam.NewFromConfig(cfg)
			}
			sb.SetFaults(t, tc.faults)
			runChaos(t, sb, clients, 16, tc.calls)
		})
	}
}

func runChaos(t *testing.T, sb *sandboxtest.Sandbox, clients map[string]*iam.Client, goroutines, calls int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for g := range goroutines {
		wg.Go(func() {
			client := clients[[]string{member, member2}[g%2]]
			for i := range calls {
				var err error
				if i%10 == 0 {
					_, err = client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d-%d", g, i))})
				} else {
					_, err = client.ListGroups(ctx, &iam.ListGroupsInput{})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed++; failed <= 3 {
			t.Errorf("call failed under chaos: %v", err)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d calls failed under chaos", failed, goroutines*calls)
	}
	rc := sb.Requests(t, "")
	created, createErrs := count(rc, "CreateUser")
	if want := goroutines * ((calls + 9) / 10); created-createErrs != want {
		t.Errorf("%d CreateUser succeeded, want %d", created-createErrs, want)
	}
	if rc.Errors < goroutines*calls/4 {
		t.Errorf("only %d failed attempts; the chaos did not happen", rc.Errors)
	}
}

// TestEndpointFromEnvironment: AWS_ENDPOINT_URL reaches every client without
// --endpoint-url, through the SDK's own configuration (not parallel: it sets
// the environment).
func TestEndpointFromEnvironment(t *testing.T) {
	sb := startWorld(t)
	t.Setenv("AWS_ENDPOINT_URL", sb.URL)
	f, err := awsx.New(context.Background(), awsx.Options{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(mgmt, "sandbox-secret", ""),
		Role: spec.Role{Name: "GatehouseAccess"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := f.Config(context.Background(), member)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).ListUsers(context.Background(), &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers through AWS_ENDPOINT_URL: %v", err)
	}
	if n, _ := count(sb.Requests(t, member), "ListUsers"); n != 1 {
		t.Errorf("the sandbox saw %d ListUsers in %s, want 1", n, member)
	}
}

// TestCallersAccountUsesTheBaseCredentials: with a role configured, the
// caller's own account is reached with the caller's credentials, not through
// the role, which the management account usually does not have (the world has
// no GatehouseAccess role in it). Members still go through the role.
func TestCallersAccountUsesTheBaseCredentials(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	f := newFactory(t, sb, awsx.Options{Role: spec.Role{Name: "GatehouseAccess"}})
	ctx := context.Background()
	for _, account := range []string{mgmt, member} {
		cfg, err := f.Config(ctx, account)
		if err != nil {
			t.Fatalf("Config(%s): %v", account, err)
		}
		if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
			t.Fatalf("CreateUser in %s: %v", account, err)
		}
		if _, err := iam.NewFromConfig(sb.Config(account)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")}); err != nil {
			t.Errorf("user not in account %s: %v", account, err)
		}
	}
	rc := sb.Requests(t, "")
	if n, _ := count(rc, "AssumeRole"); n != 1 {
		t.Errorf("AssumeRole called %d times, want 1 (the member only; the caller's account uses its own credentials)", n)
	}
}
