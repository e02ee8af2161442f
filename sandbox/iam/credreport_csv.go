package iam

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// reportColumns are the credential report's columns, in AWS's order.
var reportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// The values AWS writes where a column has no date: "N/A" where the thing does
// not exist or was never used, "no_information" for a password that exists but
// has no recorded sign-in, "not_supported" for what the root user cannot have.
const (
	notApplicable = "N/A"
	noInformation = "no_information"
	notSupported  = "not_supported"
	rootUserName  = "<root_account>"
)

// reportTime is ISO 8601 as the report writes it: 2024-01-02T03:04:05+00:00.
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// credentialReportCSV is the account's credential report at now: the root user,
// then every user by name. The first report fixes the root's creation date.
func credentialReportCSV(w *state.World, a iamAccount, now time.Time) string {
	var b bytes.Buffer
	out := csv.NewWriter(&b) // user names may hold commas: quote them, as CSV does
	_ = out.Write(reportColumns)
	if a.Root == nil {
		a.Root = &iamstate.Root{}
	}
	if a.Root.Created.IsZero() { // fixed now, so every later report agrees
		a.Root.Created = accountCreated(a, now)
	}
	_ = out.Write(rootRow(a))
	for _, u := range a.Users.All() {
		_ = out.Write(userRow(w, a, u))
	}
	out.Flush()
	return b.String()
}

// rootRow is the <root_account> row. The sandbox keeps no root password, MFA,
// keys or certificates, so only the creation and the last password use (set
// through the inspection API) can differ between accounts.
func rootRow(a iamAccount) []string {
	lastUsed := noInformation
	if !a.Root.PasswordLastUsed.IsZero() {
		lastUsed = reportTime(a.Root.PasswordLastUsed)
	}
	row := []string{rootUserName, "arn:aws:iam::" + a.ID + ":root", reportTime(a.Root.Created),
		notSupported, lastUsed, notSupported, notSupported, "false"}
	row = append(row, absentKey()...)
	row = append(row, absentKey()...)
	return append(row, "false", notApplicable, "false", notApplicable)
}

// accountCreated is when the account must have existed: before its first user,
// or now when it has none. AWS knows the real date; the sandbox fixes this one.
func accountCreated(a iamAccount, now time.Time) time.Time {
	created := now
	for _, u := range a.Users.All() {
		if u.Created.Before(created) {
			created = u.Created
		}
	}
	return created
}

func userRow(w *state.World, a iamAccount, u *iamstate.User) []string {
	row := []string{u.Name, userARN(a.ID, u), reportTime(u.Created)}
	row = append(row, passwordColumns(a, u)...)
	row = append(row, reportBool(len(enabledDevices(u)) > 0))
	keys := slices.Clone(u.AccessKeys)
	slices.SortStableFunc(keys, func(x, y *iamstate.AccessKey) int { return x.Created.Compare(y.Created) })
	for i := range 2 {
		if i < len(keys) {
			row = append(row, keyColumns(w, keys[i])...)
		} else {
			row = append(row, absentKey()...)
		}
	}
	certs := slices.Clone(u.SigningCerts)
	slices.SortStableFunc(certs, func(x, y *iamstate.SigningCert) int { return x.Uploaded.Compare(y.Uploaded) })
	for i := range 2 {
		if i < len(certs) {
			row = append(row, reportBool(certs[i].Status == "Active"), reportTime(certs[i].Uploaded))
		} else {
			row = append(row, "false", notApplicable)
		}
	}
	return row
}

// passwordColumns are password_enabled, _last_used, _last_changed and
// _next_rotation. A password's last use outlives the password, as in AWS.
func passwordColumns(a iamAccount, u *iamstate.User) []string {
	lp := u.LoginProfile
	lastUsed := notApplicable
	switch {
	case !u.PasswordLastUsed.IsZero():
		lastUsed = reportTime(u.PasswordLastUsed)
	case lp != nil:
		lastUsed = noInformation
	}
	if lp == nil {
		return []string{"false", lastUsed, notApplicable, notApplicable}
	}
	set := lp.PasswordSet
	if set.IsZero() {
		set = lp.Created
	}
	next := notApplicable
	if p := a.PasswordPolicy; p != nil && p.MaxPasswordAge > 0 {
		next = reportTime(set.AddDate(0, 0, p.MaxPasswordAge))
	}
	return []string{"true", lastUsed, reportTime(set), next}
}

// keyColumns are one access key's five columns.
func keyColumns(w *state.World, k *iamstate.AccessKey) []string {
	cols := []string{reportBool(k.Status == "Active"), reportTime(k.Created), notApplicable, notApplicable, notApplicable}
	if use, ok := lastUse(w, k); ok {
		cols[2], cols[3], cols[4] = reportTime(use.Time), orNA(use.Region), orNA(use.Service)
	}
	return cols
}

func absentKey() []string {
	return []string{"false", notApplicable, notApplicable, notApplicable, notApplicable}
}

func orNA(s string) string {
	if strings.TrimSpace(s) == "" {
		return notApplicable
	}
	return s
}
