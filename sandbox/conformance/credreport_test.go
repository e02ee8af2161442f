package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"
)

// reportCSV decodes get-credential-report's Content into rows keyed by user.
func reportCSV(t *testing.T, out map[string]any) ([]string, map[string]map[string]string) {
	t.Helper()
	if str(out, "ReportFormat") != "text/csv" || str(out, "GeneratedTime") == "" {
		t.Errorf("report = %v", out)
	}
	raw, err := base64.StdEncoding.DecodeString(str(out, "Content"))
	if err != nil {
		t.Fatalf("Content is not base64: %v", err)
	}
	records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("Content is not a CSV report: %v\n%s", err, raw)
	}
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		rows[rec[0]] = row
	}
	return records[0], rows
}

// TestCredentialReport drives the credential report through the AWS CLI on a
// sandbox of its own, whose clock it moves past the four-hour rule.
func TestCredentialReport(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	t.Cleanup(srv.stop)
	cli := newCLIFor(t, srv, freshAccount())
	cli.Fail("ReportNotPresent", "iam", "get-credential-report")
	cli.Run("iam", "create-user", "--user-name", "alice")
	cli.Run("iam", "create-login-profile", "--user-name", "alice", "--password", "Alice-Pass-1!")
	key := str(cli.Run("iam", "create-access-key", "--user-name", "alice"), "AccessKey", "AccessKeyId")

	first := cli.Run("iam", "generate-credential-report")
	if str(first, "State") != "STARTED" || str(first, "Description") != "No report exists. Starting a new report generation task" {
		t.Errorf("first generate-credential-report = %v", first)
	}
	if again := cli.Run("iam", "generate-credential-report"); str(again, "State") != "COMPLETE" {
		t.Errorf("second generate-credential-report = %v", again)
	}
	header, rows := reportCSV(t, cli.Run("iam", "get-credential-report"))
	if len(header) != 22 || header[0] != "user" || header[21] != "cert_2_last_rotated" || len(rows) != 2 {
		t.Fatalf("header %v, rows %v", header, rows)
	}
	if r := rows["<root_account>"]; r["password_enabled"] != "not_supported" || r["arn"] != "arn:aws:iam::"+cli.Account+":root" {
		t.Errorf("root row = %v", r)
	}
	if r := rows["alice"]; r["password_enabled"] != "true" || r["password_last_used"] != "no_information" ||
		r["access_key_1_active"] != "true" || r["access_key_1_last_used_date"] != "N/A" || r["access_key_2_active"] != "false" {
		t.Errorf("alice = %v", r)
	}

	cli.PostInspect("iam/last-used", map[string]string{"account": cli.Account, "user": "alice", "password_last_used": "2024-01-31T09:00:00Z"}, nil)
	cli.PostInspect("iam/last-used", map[string]string{"account": cli.Account, "access_key_id": key, "last_used_date": "2024-02-01T10:00:00Z", "service": "s3", "region": "eu-west-1"}, nil)
	if u := cli.Run("iam", "get-user", "--user-name", "alice"); str(u, "User", "PasswordLastUsed") != "2024-01-31T09:00:00+00:00" {
		t.Errorf("get-user = %v", u)
	}
	if used := cli.Run("iam", "get-access-key-last-used", "--access-key-id", key); str(used, "AccessKeyLastUsed", "ServiceName") != "s3" {
		t.Errorf("get-access-key-last-used = %v", used)
	}
	cli.PostInspect("clock", map[string]string{"advance": "4h"}, nil)
	cli.Fail("ReportExpired", "iam", "get-credential-report")
	if next := cli.Run("iam", "generate-credential-report"); str(next, "State") != "STARTED" {
		t.Errorf("generate-credential-report after four hours = %v", next)
	}
	_, rows = reportCSV(t, cli.Run("iam", "get-credential-report"))
	if r := rows["alice"]; r["password_last_used"] != "2024-01-31T09:00:00+00:00" || r["access_key_1_last_used_date"] != "2024-02-01T10:00:00+00:00" ||
		r["access_key_1_last_used_region"] != "eu-west-1" || r["access_key_1_last_used_service"] != "s3" {
		t.Errorf("alice after regenerating = %v", r)
	}

	// A report that takes a while to make: INPROGRESS, then ReportInProgress.
	slow := newCLIFor(t, srv, freshAccount())
	slow.PostInspect("iam/credential-report", map[string]string{"account": slow.Account, "generation_time": "10m"}, nil)
	slow.Run("iam", "generate-credential-report")
	if s := str(slow.Run("iam", "generate-credential-report"), "State"); s != "INPROGRESS" {
		t.Errorf("generate-credential-report while generating = %s", s)
	}
	slow.Fail("ReportInProgress", "iam", "get-credential-report")
	slow.PostInspect("clock", map[string]string{"advance": "10m"}, nil)
	if _, rows := reportCSV(t, slow.Run("iam", "get-credential-report")); !strings.HasPrefix(rows["<root_account>"]["arn"], "arn:aws:iam::"+slow.Account) {
		t.Errorf("slow report = %v", rows)
	}
}
