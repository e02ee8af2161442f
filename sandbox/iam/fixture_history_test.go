package iam_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// staleWorld is what an audit looks for: a key unused for a year, a password
// never used, an old user.
const staleWorld = `
accounts:
  "111122223333":
    users:
      - name: old-timer
        created: 2022-03-01T08:00:00Z
        password_last_used: 2023-01-15T10:30:00Z
        login_profile: {password: "Old-Timer-Pass-1!", password_last_changed: 2022-03-01T08:05:00Z}
        access_keys:
          - id: AKIAOLDTIMER00000001
            created: 2022-03-02T00:00:00Z
            last_used: {date: 2023-02-01T12:00:00Z, service: s3, region: eu-west-1}
          - {id: AKIAOLDTIMER00000002, created: 2022-04-01T00:00:00Z}
`

func TestFixtureHistory(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, staleWorld)
	cfg := sb.Config("111122223333")
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	u, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("old-timer")})
	if err != nil {
		t.Fatal(err)
	}
	if !u.User.CreateDate.Equal(time.Date(2022, 3, 1, 8, 0, 0, 0, time.UTC)) || !u.User.PasswordLastUsed.Equal(time.Date(2023, 1, 15, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("user = created %v, password last used %v", u.User.CreateDate, u.User.PasswordLastUsed)
	}
	keys, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("old-timer")})
	if err != nil || len(keys.AccessKeyMetadata) != 2 || !keys.AccessKeyMetadata[0].CreateDate.Equal(time.Date(2022, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("keys = %+v, %v", keys, err)
	}
	use := lastUsedOf(t, client, "AKIAOLDTIMER00000001")
	if !use.LastUsedDate.Equal(time.Date(2023, 2, 1, 12, 0, 0, 0, time.UTC)) || *use.ServiceName != "s3" || *use.Region != "eu-west-1" {
		t.Errorf("last use = %+v", use)
	}
	generate(t, client)
	rows, _ := readReport(t, client)
	wantRow(t, rows["old-timer"], map[string]string{"user_creation_time": "2022-03-01T08:00:00+00:00",
		"password_last_used": "2023-01-15T10:30:00+00:00", "password_last_changed": "2022-03-01T08:05:00+00:00",
		"access_key_1_last_rotated": "2022-03-02T00:00:00+00:00", "access_key_1_last_used_date": "2023-02-01T12:00:00+00:00",
		"access_key_2_last_rotated": "2022-04-01T00:00:00+00:00", "access_key_2_last_used_date": "N/A"})
	if root := rows["<root_account>"]; root["user_creation_time"] != "2022-03-01T08:00:00+00:00" {
		t.Errorf("the root was created at %s, after its oldest user", root["user_creation_time"])
	}
}

func TestFixtureHistoryProblems(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct{ fixture, want string }{
		{"{name: a, created: " + future + "}", "is in the future"},
		{"{name: a, created: yesterday}", "created must be an RFC 3339 time"},
		{"{name: a, created: 2024-01-01T00:00:00Z, password_last_used: 2023-01-01T00:00:00Z}", "before the user was created"},
		{"{name: a, access_keys: [{last_used: {service: s3}}]}", "last_used needs a date"},
		{"{name: a, created: 2024-01-01T00:00:00Z, access_keys: [{created: 2023-01-01T00:00:00Z}]}", "before the user was created"},
		{"{name: a, access_keys: [{created: 2023-01-01T00:00:00Z, last_used: {date: 2022-01-01T00:00:00Z}}]}", "before the key was created"},
	} {
		var out map[string]string
		sb.Inspect(t, http.MethodPost, "fixture", []byte(`{accounts: {"111122223333": {users: [`+tc.fixture+`]}}}`), http.StatusBadRequest, &out)
		if !strings.Contains(out["error"], tc.want) {
			t.Errorf("%s: %q, want it to say %q", tc.fixture, out["error"], tc.want)
		}
	}
}
