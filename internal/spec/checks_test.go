package spec

import (
	"reflect"
	"testing"
)

// The checks section names the groups gatehouse doctor must find denying
// IAM changes: read without repeats (IAM group names ignore case), each name
// checked as a group name with its line, and refused where there are no IAM
// groups.
func TestChecksDenyIAMGroups(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "t.yaml", lines(
		"checks:",
		"  deny_iam_groups: [developers, Developers, on-call]",
		"delivery: {from: noreply@example.com}",
		"people: [a@example.com]"), Flags{})
	if want := []string{"developers", "on-call"}; !reflect.DeepEqual(in.Checks.DenyIAMGroups, want) {
		t.Errorf("DenyIAMGroups = %q, want %q", in.Checks.DenyIAMGroups, want)
	}
	if in := mustParse(t, "t.yaml", withPeople("  - a@example.com"), Flags{}); in.Checks.DenyIAMGroups != nil {
		t.Errorf("no checks section: DenyIAMGroups = %q", in.Checks.DenyIAMGroups)
	}
	runYAMLCases(t, []yamlCase{
		{"bad group name", lines("checks:", "  deny_iam_groups: [ok, \"has space\"]", "delivery: {from: n@example.com}", "people: [a@example.com]"),
			[]string{`group name "has space" at t.yaml:2:`}},
		{"not a list", lines("checks: {deny_iam_groups: developers}", "delivery: {from: n@example.com}", "people: [a@example.com]"),
			[]string{`deny_iam_groups at t.yaml:1: expected a list`}},
		{"unknown key", lines("checks:", "  deny_iam: [developers]", "delivery: {from: n@example.com}", "people: [a@example.com]"),
			[]string{`unknown field "deny_iam" at t.yaml:2`}},
		{"identity center", lines("directory: identity-center", "checks:", "  deny_iam_groups: [developers]",
			"delivery: {from: n@example.com}", "people:", "  - {email: a@example.com, name: Ada Lovelace}"),
			[]string{`deny_iam_groups at t.yaml:3: names IAM groups, and this spec's people are Identity Center users`}},
	})
}

// A setup from flags alone uses no channel unless --deliver names one, and
// then checks what that channel needs as a spec would.
func TestSetupFromFlags(t *testing.T) {
	t.Parallel()
	in, err := SetupFromFlags(Flags{Accounts: Set([]string{"222222222222"})})
	if err != nil {
		t.Fatal(err)
	}
	if in.Delivery.Channel != ChannelNone || len(in.People) != 0 || !reflect.DeepEqual(in.Accounts.IDs, []string{"222222222222"}) {
		t.Errorf("input = %+v", in)
	}
	in, err = SetupFromFlags(Flags{Deliver: Set("ses"), From: Set("it@example.com")})
	if err != nil || in.Delivery.Channel != ChannelSES || in.Delivery.From != "it@example.com" {
		t.Errorf("--deliver ses --from: %+v, %v", in, err)
	}
	_, err = SetupFromFlags(Flags{Deliver: Set("ses")})
	assertProblems(t, err, []string{"delivery by ses: it needs a sender address"})
	_, err = SetupFromFlags(Flags{Accounts: Set([]string{"12345"})})
	assertProblems(t, err, []string{`account ID "12345" from --account:`})
}
