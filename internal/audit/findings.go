package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// Kinds of finding.
const (
	KindPasswordNoMFA     = "password-no-mfa"     // a console password and no MFA device (CIS 1.10)
	KindPasswordNeverUsed = "password-never-used" // a console password set UnusedDays ago or more, never used (CIS 1.12)
	KindPasswordUnused    = "password-unused"     // a console password last used UnusedDays ago or more (CIS 1.12)
	KindKeyNotRotated     = "key-not-rotated"     // an active access key older than RotationDays (CIS 1.14)
	KindKeyUnused         = "key-unused"          // an active access key last used UnusedDays ago or more (CIS 1.12)
	KindKeyNeverUsed      = "key-never-used"      // an active access key made UnusedDays ago or more, never used (CIS 1.12)
	KindTwoActiveKeys     = "two-active-keys"     // both access keys active (CIS 1.13)
	KindDirectPolicies    = "direct-policies"     // managed or inline policies on the user itself, not through a group (CIS 1.15)
	KindNotInSpec         = "not-in-spec"         // with a spec: no person of it is this user
	KindUnmanaged         = "unmanaged"           // gatehouse did not create or adopt the user
)

// Kinds lists every kind, in the order a user's findings are listed.
var Kinds = []string{KindPasswordNoMFA, KindPasswordNeverUsed, KindPasswordUnused, KindKeyNotRotated, KindKeyUnused,
	KindKeyNeverUsed, KindTwoActiveKeys, KindDirectPolicies, KindNotInSpec, KindUnmanaged}

// DefaultCandidates are the kinds that make a user an offboarding candidate
// by default: nobody has used the credential for weeks, or the spec — the
// people who should have access — does not list the user. The others are
// fixed rather than removed: add MFA, rotate the key, move policies to a
// group; and a user gatehouse did not create is often a pipeline's or a
// break-glass user (--candidates unmanaged offers them too).
var DefaultCandidates = []string{KindPasswordNeverUsed, KindPasswordUnused, KindKeyUnused, KindKeyNeverUsed, KindNotInSpec}

// Thresholds are the ages findings are measured against, in days. The
// defaults are CIS AWS Foundations Benchmark's.
type Thresholds struct {
	UnusedDays   int // a credential unused this long (or never used and this old) is a finding
	RotationDays int // an active access key older than this is a finding
}

// CIS's thresholds: credentials unused for 45 days or more (1.12), access
// keys rotated every 90 days or less (1.14).
const (
	DefaultUnusedDays   = 45
	DefaultRotationDays = 90
)

// Finding is one thing about a user that needs a person's attention.
type Finding struct {
	Kind   string
	Detail string // what, with dates: "access key 1 last used 2024-03-01 (62 days before the report)"
}

// check judges one user's credentials and policies as of asOf. The kinds
// that need the journal or the spec (unmanaged, not-in-spec) are the
// caller's.
func check(u engine.InventoryUser, asOf time.Time, th Thresholds) []Finding {
	var out []Finding
	add := func(kind, format string, args ...any) {
		out = append(out, Finding{Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	if c := u.Credentials; c != nil {
		checkPassword(c, asOf, th, add)
		checkKeys(c, asOf, th, add)
	}
	var attached []string
	if len(u.ManagedPolicies) > 0 {
		attached = append(attached, "managed "+strings.Join(u.ManagedPolicies, ", "))
	}
	if len(u.InlinePolicies) > 0 {
		attached = append(attached, "inline "+strings.Join(u.InlinePolicies, ", "))
	}
	if len(attached) > 0 {
		add(KindDirectPolicies, "attached to the user, not a group: %s", strings.Join(attached, "; "))
	}
	return out
}

func checkPassword(c *engine.Credentials, asOf time.Time, th Thresholds, add func(string, string, ...any)) {
	if !c.Password {
		return
	}
	if !c.MFA {
		add(KindPasswordNoMFA, "console password without MFA")
	}
	switch {
	case c.PasswordLastUsed.IsZero() && !c.PasswordChanged.IsZero() && days(asOf, c.PasswordChanged) >= th.UnusedDays:
		add(KindPasswordNeverUsed, "console password set %s, never used", ago(asOf, c.PasswordChanged))
	case !c.PasswordLastUsed.IsZero() && days(asOf, c.PasswordLastUsed) >= th.UnusedDays:
		add(KindPasswordUnused, "console password last used %s", ago(asOf, c.PasswordLastUsed))
	}
}

func checkKeys(c *engine.Credentials, asOf time.Time, th Thresholds, add func(string, string, ...any)) {
	active := 0
	for _, k := range c.AccessKeys {
		if !k.Active {
			continue
		}
		active++
		if days(asOf, k.Created) > th.RotationDays {
			add(KindKeyNotRotated, "access key %d created %s", k.Slot, ago(asOf, k.Created))
		}
		switch {
		case k.LastUsed.IsZero() && days(asOf, k.Created) >= th.UnusedDays:
			add(KindKeyNeverUsed, "access key %d created %s, never used", k.Slot, ago(asOf, k.Created))
		case !k.LastUsed.IsZero() && days(asOf, k.LastUsed) >= th.UnusedDays:
			add(KindKeyUnused, "access key %d last used %s", k.Slot, ago(asOf, k.LastUsed))
		}
	}
	if active == 2 {
		add(KindTwoActiveKeys, "access keys 1 and 2 are both active")
	}
}

// days is how many whole days before asOf t was.
func days(asOf, t time.Time) int {
	return int(asOf.Sub(t) / (24 * time.Hour))
}

// ago is t's date and how long before asOf it was: "2024-03-01 (62 days ago)".
func ago(asOf, t time.Time) string {
	n := days(asOf, t)
	unit := "days"
	if n == 1 {
		unit = "day"
	}
	return fmt.Sprintf("%s (%d %s ago)", t.UTC().Format(time.DateOnly), n, unit)
}

// KindsProblem says what is wrong with a list of kinds ("all" is every kind),
// or "" when each is known; it returns the list with "all" spelt out.
func KindsProblem(kinds []string) ([]string, string) {
	var out []string
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		switch {
		case k == "all":
			out = append(out, Kinds...)
		case !slices.Contains(Kinds, k):
			return nil, fmt.Sprintf("%q is not a kind of finding: use all or any of %s", k, strings.Join(Kinds, ", "))
		default:
			out = append(out, k)
		}
	}
	return out, ""
}
