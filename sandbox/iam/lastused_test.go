package iam_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestLastUsedThroughTheInspectionAPI(t *testing.T) {
	t.Parallel()
	sb, client := newReportSandbox(t)
	ctx := context.Background()
	acct := "111122223333"
	sb.Post(t, "iam/last-used", map[string]string{"account": acct, "user": "ALICE", "password_last_used": "2024-01-31T09:00:00.7Z"}, nil)
	want := time.Date(2024, 1, 31, 9, 0, 0, 0, time.UTC)
	got, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil || got.User.PasswordLastUsed == nil || !got.User.PasswordLastUsed.Equal(want) {
		t.Errorf("GetUser PasswordLastUsed = %v, %v; want %v", got, err, want)
	}
	list, err := client.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(list.Users) != 2 || !aws.ToTime(list.Users[0].PasswordLastUsed).Equal(want) || list.Users[1].PasswordLastUsed != nil {
		t.Errorf("ListUsers = %+v, %v", list, err)
	}

	key := "AKIAALICE00000000001"
	sb.Post(t, "iam/last-used", map[string]string{"account": acct, "access_key_id": key, "last_used_date": "2023-06-01T12:00:00Z", "service": "sts", "region": "eu-west-1"}, nil)
	use := lastUsedOf(t, client, key)
	if !aws.ToTime(use.LastUsedDate).Equal(time.Date(2023, 6, 1, 12, 0, 0, 0, time.UTC)) || aws.ToString(use.ServiceName) != "sts" || aws.ToString(use.Region) != "eu-west-1" {
		t.Errorf("GetAccessKeyLastUsed = %+v", use)
	}

	// A request the key signs is a newer use, which wins over the one set.
	cfg := sb.Config(acct)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, "any", "")
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if use := lastUsedOf(t, client, key); time.Since(aws.ToTime(use.LastUsedDate)) > time.Minute || aws.ToString(use.ServiceName) != "iam" {
		t.Errorf("after a signed request GetAccessKeyLastUsed = %+v", use)
	}
	sb.Post(t, "iam/last-used", map[string]string{"account": acct, "access_key_id": key, "last_used_date": "never"}, nil)
	if use := lastUsedOf(t, client, key); use.LastUsedDate != nil || aws.ToString(use.ServiceName) != "N/A" || aws.ToString(use.Region) != "N/A" {
		t.Errorf("after never GetAccessKeyLastUsed = %+v", use)
	}
}

func TestLastUsedRefusesWhatCannotBe(t *testing.T) {
	t.Parallel()
	sb, _ := newReportSandbox(t)
	for _, tc := range []struct {
		body   map[string]string
		status int
	}{
		{map[string]string{"account": "111122223333", "user": "carol", "password_last_used": "2024-01-01T00:00:00Z"}, http.StatusNotFound},
		{map[string]string{"account": "999999999999", "access_key_id": "AKIAALICE00000000001", "last_used_date": "2024-01-01T00:00:00Z"}, http.StatusNotFound},
		{map[string]string{"account": "111122223333", "user": "alice", "password_last_used": time.Now().Add(time.Hour).Format(time.RFC3339)}, http.StatusBadRequest},
		{map[string]string{"account": "111122223333", "user": "alice", "password_last_used": "yesterday"}, http.StatusBadRequest},
		{map[string]string{"account": "111122223333", "user": "alice", "access_key_id": "AKIAALICE00000000001", "last_used_date": "2024-01-01T00:00:00Z"}, http.StatusBadRequest},
		{map[string]string{"account": "111122223333", "user": "alice"}, http.StatusBadRequest},
		{map[string]string{"account": "12", "user": "alice", "password_last_used": "never"}, http.StatusBadRequest},
	} {
		sb.Inspect(t, http.MethodPost, "iam/last-used", tc.body, tc.status, nil)
	}
}

func lastUsedOf(t *testing.T, client *iam.Client, key string) *types.AccessKeyLastUsed {
	t.Helper()
	out, err := client.GetAccessKeyLastUsed(context.Background(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	return out.AccessKeyLastUsed
}
