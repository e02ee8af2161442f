package iam_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// reportWorld has a user with every kind of credential the report shows and one
// with none, under a password policy that makes passwords expire.
const reportWorld = `
accounts:
  "111122223333":
    password_policy: {minimum_password_length: 8, max_password_age: 90}
    users:
      - name: alice
        login_profile: {password: "Alice-Pass-1!"}
        access_keys:
          - {id: AKIAALICE00000000001}
          - {id: AKIAALICE00000000002, status: Inactive}
        mfa_devices: [{type: virtual, name: alice}]
      - name: bob
`

const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

func newReportSandbox(t *testing.T) (*sandboxtest.Sandbox, *iam.Client) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, reportWorld)
	cfg := sb.Config("111122223333")
	cfg.RetryMaxAttempts = 1
	return sb, iam.NewFromConfig(cfg)
}

// readReport gets the report and parses its CSV into rows keyed by user.
func readReport(t *testing.T, client *iam.Client) (map[string]map[string]string, *iam.GetCredentialReportOutput) {
	t.Helper()
	out, err := client.GetCredentialReport(context.Background(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ReportFormat != types.ReportFormatTypeTextCsv || out.GeneratedTime == nil {
		t.Errorf("format %q, generated %v", out.ReportFormat, out.GeneratedTime)
	}
	if header, _, _ := strings.Cut(string(out.Content), "\n"); header != reportHeader {
		t.Fatalf("header = %s", header)
	}
	records, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, out.Content)
	}
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		rows[rec[0]] = row
	}
	return rows, out
}

func generate(t *testing.T, client *iam.Client) *iam.GenerateCredentialReportOutput {
	t.Helper()
	out, err := client.GenerateCredentialReport(context.Background(), &iam.GenerateCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantRow checks the columns of one row that want names.
func wantRow(t *testing.T, row map[string]string, want map[string]string) {
	t.Helper()
	for col, v := range want {
		if row[col] != v {
			t.Errorf("%s: %s = %q, want %q", row["user"], col, row[col], v)
		}
	}
}

func TestCredentialReportColumnsAndValues(t *testing.T) {
	t.Parallel()
	sb, client := newReportSandbox(t)
	ctx := context.Background()
	_, err := client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	var notPresent *types.CredentialReportNotPresentException
	wantErrorAs(t, err, &notPresent, http.StatusGone)

	first := generate(t, client)
	if first.State != types.ReportStateTypeStarted || *first.Description != "No report exists. Starting a new report generation task" {
		t.Errorf("first generate = %s %v", first.State, first.Description)
	}
	if again := generate(t, client); again.State != types.ReportStateTypeComplete || again.Description != nil {
		t.Errorf("second generate = %s %v", again.State, again.Description)
	}
	rows, out := readReport(t, client)
	if len(rows) != 3 {
		t.Fatalf("rows = %v, want the root, alice and bob", rows)
	}
	root := rows["<root_account>"]
	wantRow(t, root, map[string]string{"arn": "arn:aws:iam::111122223333:root", "password_enabled": "not_supported",
		"password_last_used": "no_information", "password_last_changed": "not_supported", "password_next_rotation": "not_supported",
		"mfa_active": "false", "access_key_1_active": "false", "access_key_1_last_rotated": "N/A", "cert_2_last_rotated": "N/A"})
	alice := rows["alice"]
	created := alice["user_creation_time"]
	if _, err := time.Parse("2006-01-02T15:04:05+00:00", created); err != nil {
		t.Errorf("user_creation_time %q: %v", created, err)
	}
	wantRow(t, alice, map[string]string{"arn": "arn:aws:iam::111122223333:user/alice", "password_enabled": "true",
		"password_last_used": "no_information", "password_last_changed": created, "mfa_active": "true",
		"access_key_1_active": "true", "access_key_1_last_rotated": created, "access_key_1_last_used_date": "N/A",
		"access_key_1_last_used_region": "N/A", "access_key_1_last_used_service": "N/A",
		"access_key_2_active": "false", "access_key_2_last_rotated": created, "cert_1_active": "false", "cert_1_last_rotated": "N/A"})
	if next, _ := time.Parse("2006-01-02T15:04:05+00:00", alice["password_next_rotation"]); next.Sub(out.GeneratedTime.AddDate(0, 0, 90)).Abs() > time.Minute {
		t.Errorf("password_next_rotation = %s, want 90 days after the password was set", alice["password_next_rotation"])
	}
	wantRow(t, rows["bob"], map[string]string{"password_enabled": "false", "password_last_used": "N/A", "password_last_changed": "N/A",
		"password_next_rotation": "N/A", "mfa_active": "false", "access_key_1_active": "false", "access_key_1_last_rotated": "N/A"})
	if root["user_creation_time"] > created {
		t.Errorf("the root (%s) was created after its first user (%s)", root["user_creation_time"], created)
	}
	_ = sb
}

func TestCredentialReportFourHourRule(t *testing.T) {
	t.Parallel()
	sb, client := newReportSandbox(t)
	generate(t, client)
	_, before := readReport(t, client)

	// Uses made after the report are not in it until a new one is generated,
	// and a new one is generated only when the last is four hours old.
	sb.Post(t, "iam/last-used", map[string]string{"account": "111122223333", "user": "alice", "password_last_used": "2024-01-31T09:00:00Z"}, nil)
	sb.Post(t, "iam/last-used", map[string]string{"account": "111122223333", "access_key_id": "AKIAALICE00000000002",
		"last_used_date": "2023-06-01T12:00:00Z", "service": "s3", "region": "eu-west-1"}, nil)
	sb.Post(t, "iam/last-used", map[string]string{"account": "111122223333", "user": "<root_account>", "password_last_used": "2024-02-01T00:00:00Z"}, nil)
	if state := generate(t, client).State; state != types.ReportStateTypeComplete {
		t.Errorf("generate within four hours = %s, want COMPLETE", state)
	}
	rows, same := readReport(t, client)
	if !same.GeneratedTime.Equal(*before.GeneratedTime) || rows["alice"]["password_last_used"] != "no_information" {
		t.Errorf("a report younger than four hours was regenerated: %v, %v", same.GeneratedTime, rows["alice"])
	}

	sb.Post(t, "clock", map[string]string{"advance": "4h"}, nil)
	_, err := client.GetCredentialReport(context.Background(), &iam.GetCredentialReportInput{})
	var expired *types.CredentialReportExpiredException
	wantErrorAs(t, err, &expired, http.StatusGone)
	if next := generate(t, client); next.State != types.ReportStateTypeStarted || next.Description != nil {
		t.Errorf("generate after four hours = %s %v, want STARTED without the first report's description", next.State, next.Description)
	}
	rows, after := readReport(t, client)
	if after.GeneratedTime.Sub(*before.GeneratedTime) < 4*time.Hour {
		t.Errorf("GeneratedTime %v is not four hours after %v", after.GeneratedTime, before.GeneratedTime)
	}
	wantRow(t, rows["alice"], map[string]string{"password_last_used": "2024-01-31T09:00:00+00:00",
		"access_key_1_last_used_date": "N/A", "access_key_2_last_used_date": "2023-06-01T12:00:00+00:00",
		"access_key_2_last_used_region": "eu-west-1", "access_key_2_last_used_service": "s3"})
	wantRow(t, rows["<root_account>"], map[string]string{"password_last_used": "2024-02-01T00:00:00+00:00"})
}

func TestCredentialReportInProgress(t *testing.T) {
	t.Parallel()
	sb, client := newReportSandbox(t)
	sb.Post(t, "iam/credential-report", map[string]string{"account": "111122223333", "generation_time": "30m"}, nil)
	if s := generate(t, client).State; s != types.ReportStateTypeStarted {
		t.Errorf("generate = %s", s)
	}
	if s := generate(t, client).State; s != types.ReportStateTypeInprogress {
		t.Errorf("generate while generating = %s, want INPROGRESS", s)
	}
	_, err := client.GetCredentialReport(context.Background(), &iam.GetCredentialReportInput{})
	var notReady *types.CredentialReportNotReadyException
	wantErrorAs(t, err, &notReady, http.StatusNotFound)
	sb.Post(t, "clock", map[string]string{"advance": "30m"}, nil)
	readReport(t, client)
	if s := generate(t, client).State; s != types.ReportStateTypeComplete {
		t.Errorf("generate once made = %s", s)
	}
	for _, bad := range []map[string]string{{"generation_time": "soon"}, {"generation_time": "-1s"}, {"generation_time": "2h"}, {"account": "1", "generation_time": "1s"}} {
		sb.Inspect(t, http.MethodPost, "iam/credential-report", bad, http.StatusBadRequest, nil)
	}
}

// wantErrorAs fails unless err is the SDK's typed error target points to and
// came with the HTTP status the model gives it.
func wantErrorAs[E error](t *testing.T, err error, target *E, status int) {
	t.Helper()
	if !errors.As(err, target) {
		t.Fatalf("error = %v, want %T", err, *target)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Errorf("%T came with %v, want HTTP status %d", *target, err, status)
	}
}

// TestGeneratingAReportIsNotMutating: AWS counts GenerateCredentialReport
// among IAM's Read actions, and gatehouse generates one in plans and converged
// reruns, which must make no mutating call.
func TestGeneratingAReportIsNotMutating(t *testing.T) {
	t.Parallel()
	sb, client := newReportSandbox(t)
	generate(t, client)
	counts := sb.Requests(t, "111122223333")
	if counts.Mutating != 0 {
		t.Errorf("generating a credential report counted %d mutating calls: %+v", counts.Mutating, counts)
	}
}
