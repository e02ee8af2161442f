package iamuser_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const inventoryWorld = `
accounts:
  "111111111111":
    users:
      - name: alice
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": alice@example.com}
        login_profile: {password: "Alice-Password-2024!"}
        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
        inline_policies: {own: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:ListBucket", Resource: "*"}]}}
      - {name: bob, access_keys: [{id: AKIABOBKEY0000000001}, {status: Inactive}]}
      - {name: carol}
`

// An inventory waits while IAM makes the credential report and joins it
// with the users listed now: a user made since the report has no
// credentials, one deleted since is not there, one deleted and made again
// is not the report's. It marks the user gatehouse runs as. A second
// inventory within four hours reads the same report; after four hours (on
// the world's clock) a new report is made, and ages are measured from it.
func TestInventoryJoinsTheCredentialReportWithTheUsersOfNow(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, inventoryWorld)
	sb.Post(t, "iam/credential-report", map[string]string{"account": "111111111111", "generation_time": "700ms"}, nil)
	f, err := awsx.New(context.Background(), awsx.Options{Endpoint: sb.URL, Region: "us-east-1", RequestsPerSecond: -1,
		Credentials: credentials.NewStaticCredentialsProvider("111111111111", "sandbox-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	dir := iamuser.New(f, iamuser.Options{})
	scope := &engine.Scope{ID: "111111111111", Noun: "account"}

	inv, err := dir.Inventory(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if names := userNames(inv); !slices.Equal(names, []string{"alice", "bob", "carol"}) {
		t.Fatalf("users %q", names)
	}
	alice, bob := inv.Users[0], inv.Users[1]
	if !alice.Managed || alice.Email != "alice@example.com" || alice.Credentials == nil || !alice.Credentials.Password ||
		alice.Credentials.MFA || alice.Credentials.PasswordChanged.IsZero() || !alice.Credentials.PasswordLastUsed.IsZero() ||
		!slices.Equal(alice.ManagedPolicies, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}) || !slices.Equal(alice.InlinePolicies, []string{"own"}) {
		t.Errorf("alice = %+v, credentials %+v", alice, alice.Credentials)
	}
	if bob.Managed || bob.Credentials == nil || bob.Credentials.Password || len(bob.Credentials.AccessKeys) != 2 ||
		!bob.Credentials.AccessKeys[0].Active || bob.Credentials.AccessKeys[1].Active || bob.Credentials.AccessKeys[1].Slot != 2 {
		t.Errorf("bob = %+v, credentials %+v", bob, bob.Credentials)
	}
	if alice.Self != "" || bob.Self != "" {
		t.Errorf("the account's root runs the audit, yet alice or bob is its identity: %q, %q", alice.Self, bob.Self)
	}
	asBob, err := awsx.New(context.Background(), awsx.Options{Endpoint: sb.URL, Region: "us-east-1", RequestsPerSecond: -1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIABOBKEY0000000001", "sandbox-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	byBob, err := iamuser.New(asBob, iamuser.Options{}).Inventory(context.Background(), scope)
	if err != nil || byBob.Users[1].Self == "" || byBob.Users[0].Self != "" {
		t.Errorf("audited by bob's key: bob's Self %q, alice's %q, %v", byBob.Users[1].Self, byBob.Users[0].Self, err)
	}
	if gets := countOf(t, sb, "GetCredentialReport"); gets != 2 {
		t.Errorf("GetCredentialReport called %d times: each inventory should wait for IAM to finish the report, then read it once", gets)
	}

	api := iam.NewFromConfig(sb.Config("111111111111"))
	time.Sleep(1100 * time.Millisecond) // creation times are whole seconds
	ctx := context.Background()
	_, err = api.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")})
	if err == nil {
		_, err = api.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")})
	}
	if err == nil {
		_, err = api.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")})
	}
	if err != nil {
		t.Fatal(err)
	}
	again, err := dir.Inventory(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if !again.AsOf.Equal(inv.AsOf) {
		t.Errorf("a second inventory made a new report (%s, first %s): IAM's rule is one every four hours", again.AsOf, inv.AsOf)
	}
	if names := userNames(again); !slices.Equal(names, []string{"alice", "bob", "carol", "dave"}) {
		t.Fatalf("users %q", names)
	}
	if again.Users[2].Credentials != nil || again.Users[3].Credentials != nil || again.Users[0].Credentials == nil {
		t.Errorf("carol (made again) and dave (new) have the report's credentials: %+v, %+v", again.Users[2], again.Users[3])
	}

	sb.Post(t, "clock", map[string]string{"advance": "4h1m"}, nil)
	later, err := dir.Inventory(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if later.AsOf.Sub(inv.AsOf) < 4*time.Hour || later.Users[3].Credentials == nil {
		t.Errorf("after four hours: report of %s (first %s), dave %+v", later.AsOf, inv.AsOf, later.Users[3])
	}
}

func userNames(inv engine.Inventory) []string {
	var out []string
	for _, u := range inv.Users {
		out = append(out, u.Name)
	}
	return out
}

func countOf(t *testing.T, sb *sandboxtest.Sandbox, action string) int {
	t.Helper()
	n := 0
	for _, c := range sb.Requests(t, "111111111111").Counts {
		if c.Action == action {
			n += c.Count
		}
	}
	return n
}
