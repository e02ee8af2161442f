package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ses"
)

// legacyState is a --state snapshot written by the sandbox before each service
// owned its part of an account (examples/sandbox/world.yaml plus a user with a
// password and key, a spare virtual MFA device, an assumed-role session, a sent
// message, a verified domain and an account created through Organizations).
// People keep such files in .gatehouse/sandbox/state.json.
const legacyState = "testdata/state-before-service-slots.json"

func TestStateFromEarlierVersionsLoads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old, err := os.ReadFile(legacyState)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	url, stop := serveDir(t, dir, Options{})
	defer stop()

	var served any
	inspectJSON(t, http.MethodGet, url+"/_sandbox/state", nil, http.StatusOK, &served)
	var want any
	if err := json.Unmarshal(old, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(served, want) {
		got, _ := json.MarshalIndent(served, "", " ")
		t.Errorf("GET /_sandbox/state differs from the snapshot it was loaded from:\n%s", got)
	}
	checkLegacyWorld(t, url)
}

// checkLegacyWorld asks the APIs about what the old snapshot holds.
func checkLegacyWorld(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	prod := iam.NewFromConfig(sdkConfig(url, "222222222222", "s", ""))
	groups, err := prod.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("carol")})
	if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != "developers" {
		t.Errorf("carol's groups = %+v, %v", groups, err)
	}
	devices, err := prod.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(devices.MFADevices) != 3 {
		t.Errorf("alice's MFA devices = %+v, %v", devices, err)
	}
	policy, err := prod.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(policy.PasswordPolicy.MinimumPasswordLength) != 16 {
		t.Errorf("password policy = %+v, %v", policy, err)
	}
	var check struct{ Valid, ResetRequired bool }
	inspectJSON(t, http.MethodPost, url+"/_sandbox/iam/check-password",
		map[string]string{"account": "222222222222", "user": "carol", "password": "Carol-Pass-0123456789!"}, http.StatusOK, &check)
	if !check.Valid {
		t.Error("carol's password no longer signs her in")
	}
	mgmt := sdkConfig(url, "111111111111", "s", "")
	mgmt.Region = "us-east-1"
	ids, err := ses.NewFromConfig(mgmt).ListIdentities(ctx, &ses.ListIdentitiesInput{})
	if err != nil || !slices.Contains(ids.Identities, "example.org") || !slices.Contains(ids.Identities, "noreply@example.com") {
		t.Errorf("SES identities = %+v, %v", ids, err)
	}
	accounts, err := organizations.NewFromConfig(mgmt).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accounts.Accounts) != 4 {
		t.Errorf("organisation accounts = %+v, %v", accounts, err)
	}
	var mail struct {
		Messages []struct{ Subject string } `json:"messages"`
	}
	inspectJSON(t, http.MethodGet, url+"/_sandbox/ses/messages", nil, http.StatusOK, &mail)
	if len(mail.Messages) != 1 || mail.Messages[0].Subject != "Welcome" {
		t.Errorf("sent mail = %+v", mail.Messages)
	}
}
