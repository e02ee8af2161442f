package audit

import (
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// Each threshold at its edge, CIS's way: a credential unused for exactly 45
// days is a finding and one for 44 is not; a key of exactly 90 days is
// still rotated in time and one of 91 is not; a credential never used is a
// finding only once it is as old as the unused threshold (someone onboarded
// yesterday has not had the chance); inactive keys are not judged.
func TestCheckThresholds(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return asOf.Add(-time.Duration(days) * 24 * time.Hour) }
	th := Thresholds{UnusedDays: 45, RotationDays: 90}
	tests := []struct {
		name string
		c    engine.Credentials
		want []string
	}{
		{"nothing", engine.Credentials{}, nil},
		{"password with MFA used yesterday", engine.Credentials{Password: true, MFA: true, PasswordChanged: ago(300), PasswordLastUsed: ago(1)}, nil},
		{"password without MFA", engine.Credentials{Password: true, PasswordChanged: ago(3), PasswordLastUsed: ago(1)}, []string{KindPasswordNoMFA}},
		{"password unused 45 days", engine.Credentials{Password: true, MFA: true, PasswordChanged: ago(300), PasswordLastUsed: ago(45)}, []string{KindPasswordUnused}},
		{"password unused 44 days", engine.Credentials{Password: true, MFA: true, PasswordChanged: ago(300), PasswordLastUsed: ago(44)}, nil},
		{"password never used, set 45 days ago", engine.Credentials{Password: true, MFA: true, PasswordChanged: ago(45)}, []string{KindPasswordNeverUsed}},
		{"password never used, set yesterday", engine.Credentials{Password: true, MFA: true, PasswordChanged: ago(1)}, nil},
		{"password deleted, its last use old", engine.Credentials{PasswordLastUsed: ago(200)}, nil},
		{"key 90 days old, used today", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Active: true, Created: ago(90), LastUsed: ago(0)}}}, nil},
		{"key 91 days old, used today", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Active: true, Created: ago(91), LastUsed: ago(0)}}},
			[]string{KindKeyNotRotated}},
		{"key unused 45 days", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Active: true, Created: ago(60), LastUsed: ago(45)}}},
			[]string{KindKeyUnused}},
		{"key never used, 45 days old", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 2, Active: true, Created: ago(45)}}},
			[]string{KindKeyNeverUsed}},
		{"key never used, 44 days old", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Active: true, Created: ago(44)}}}, nil},
		{"inactive keys", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Created: ago(400)}, {Slot: 2, Created: ago(400), LastUsed: ago(300)}}}, nil},
		{"two active keys", engine.Credentials{AccessKeys: []engine.AccessKeyUse{{Slot: 1, Active: true, Created: ago(10), LastUsed: ago(1)},
			{Slot: 2, Active: true, Created: ago(5), LastUsed: ago(1)}}}, []string{KindTwoActiveKeys}},
	}
	for _, tt := range tests {
		got := kinds(check(engine.InventoryUser{Name: "u", Credentials: &tt.c}, asOf, th))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Policies on the user itself are one finding naming each; a user the
// report does not know yet is judged on its policies alone.
func TestCheckDirectPolicies(t *testing.T) {
	t.Parallel()
	u := engine.InventoryUser{Name: "u", ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, InlinePolicies: []string{"a", "b"}}
	got := check(u, time.Now(), Thresholds{UnusedDays: 45, RotationDays: 90})
	if len(got) != 1 || got[0].Kind != KindDirectPolicies ||
		got[0].Detail != "attached to the user, not a group: managed arn:aws:iam::aws:policy/ReadOnlyAccess; inline a, b" {
		t.Errorf("findings %+v", got)
	}
}

func TestKindsProblem(t *testing.T) {
	t.Parallel()
	if got, msg := KindsProblem([]string{"all"}); msg != "" || !slices.Equal(got, Kinds) {
		t.Errorf("all: %q, %q", got, msg)
	}
	if got, msg := KindsProblem([]string{" unmanaged", "key-unused"}); msg != "" || !slices.Equal(got, []string{KindUnmanaged, KindKeyUnused}) {
		t.Errorf("two kinds: %q, %q", got, msg)
	}
	if _, msg := KindsProblem([]string{"stale"}); msg == "" {
		t.Error(`"stale" is accepted`)
	}
}

func kinds(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return out
}
