package iamuser

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// reportAPI is what reading the credential report calls.
type reportAPI interface {
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
}

var _ reportAPI = (*iam.Client)(nil)

// CredentialReport is IAM's credential report: one row per user (and the
// root account's), as of Generated. AWS makes a new one at most every four
// hours; until then GenerateCredentialReport hands back the last.
type CredentialReport struct {
	Generated time.Time
	Rows      []ReportRow
}

// ReportRow is one user's row: the report's columns that gatehouse reads.
type ReportRow struct {
	User             string
	ARN              string
	Created          time.Time
	PasswordEnabled  bool
	PasswordLastUsed time.Time // zero: never, or no password
	PasswordChanged  time.Time // when the password was set; zero: no password
	MFAActive        bool
	AccessKeys       [2]ReportKey
}

// ReportKey is an access key slot of a row.
type ReportKey struct {
	Active      bool
	LastRotated time.Time // when the key was created or last rotated; zero when there is none
	LastUsed    time.Time // zero: never used
}

// ErrReportNotReady means IAM is still making the report: ask again soon.
var ErrReportNotReady = errors.New("the credential report is being generated")

// readCredentialReport asks IAM for the report, generating it when there is
// none or the last is over four hours old. It does not wait: a report still
// being made is ErrReportNotReady.
func readCredentialReport(ctx context.Context, api reportAPI) (*CredentialReport, error) {
	gen, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if err != nil {
		return nil, fmt.Errorf("generating the credential report: %w", awsx.Classify(err))
	}
	if gen.State != iamtypes.ReportStateTypeComplete {
		return nil, ErrReportNotReady
	}
	out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	var notReady *iamtypes.CredentialReportNotReadyException
	if errors.As(err, &notReady) {
		return nil, ErrReportNotReady
	}
	if err != nil {
		return nil, fmt.Errorf("getting the credential report: %w", awsx.Classify(err))
	}
	rep, err := parseCredentialReport(out.Content)
	if err != nil {
		return nil, err
	}
	rep.Generated = aws.ToTime(out.GeneratedTime)
	return rep, nil
}

// WaitForCredentialReport reads the report, asking again while IAM is making
// it — after a quarter of a second, then twice as long each time up to five
// seconds — until ctx ends. It never makes IAM start a report sooner than
// IAM's own four-hour rule allows: GenerateCredentialReport hands back the
// last report while it is younger than that.
func WaitForCredentialReport(ctx context.Context, api reportAPI) (*CredentialReport, error) {
	wait := 250 * time.Millisecond
	for {
		rep, err := readCredentialReport(ctx, api)
		if !errors.Is(err, ErrReportNotReady) {
			return rep, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the credential report: %w", context.Cause(ctx))
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// parseCredentialReport reads the report's CSV (the SDK has decoded IAM's
// base64 already), by column name.
func parseCredentialReport(content []byte) (*CredentialReport, error) {
	records, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil || len(records) == 0 {
		return nil, fmt.Errorf("reading the credential report: not the CSV IAM sends (%v)", err)
	}
	col := map[string]int{}
	for i, name := range records[0] {
		col[name] = i
	}
	for _, need := range []string{"user", "arn", "password_enabled"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("reading the credential report: no %s column", need)
		}
	}
	rep := &CredentialReport{}
	for _, rec := range records[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		row := ReportRow{User: get("user"), ARN: get("arn"), Created: reportTime(get("user_creation_time")),
			PasswordEnabled: get("password_enabled") == "true", PasswordLastUsed: reportTime(get("password_last_used")),
			PasswordChanged: reportTime(get("password_last_changed")), MFAActive: get("mfa_active") == "true"}
		for k := range row.AccessKeys {
			n := fmt.Sprint(k + 1)
			row.AccessKeys[k] = ReportKey{Active: get("access_key_"+n+"_active") == "true",
				LastRotated: reportTime(get("access_key_" + n + "_last_rotated")), LastUsed: reportTime(get("access_key_" + n + "_last_used_date"))}
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// reportTime reads one of the report's times; "N/A", "no_information" and
// "not_supported" are zero.
func reportTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}
