package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oktaConfig is a valid hook configuration; its okta section starts at line 5.
var oktaConfig = []string{
	"directory: identity-center",
	"identity_center: {region: eu-west-1}",
	"delivery: {channel: ses, from: it@example.com}",
	"defaults: {groups: [everyone]}",
	"okta:",
	"  org: https://example.okta.com/",
	"  apps:",
	"    0oa1aws:",
	"      groups: [engineers]",
	"      assignments: [{permission_set: ReadOnly, accounts: [\"111111111111\"]}]",
	"    Plain App: {}",
	"  groups:",
	"    aws-admins: {groups: [Admins, admins], assignments: [{permission_set: AdministratorAccess, accounts: all}]}",
	"  workflows: {groups: [workflow-users]}",
}

// The hook's configuration is a spec without people, with an okta section
// mapping apps and groups to Identity Center groups and assignments.
func TestParseOktaConfig(t *testing.T) {
	t.Parallel()
	in, err := ParseOktaConfig("okta.yaml", []byte(lines(oktaConfig...)), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	o := in.Okta
	if o == nil || o.OrgURL != "https://example.okta.com" || o.Adopt || len(o.Apps) != 2 || len(o.Groups) != 1 {
		t.Fatalf("okta = %+v", o)
	}
	app := o.Apps[0]
	if app.Key != "0oa1aws" || app.Pos.Line != 8 || strings.Join(app.Groups, ",") != "engineers" ||
		len(app.Assignments) != 1 || app.Assignments[0].PermissionSet != "ReadOnly" || app.Assignments[0].Accounts.IDs[0] != "111111111111" {
		t.Errorf("first app = %+v", app)
	}
	if !o.Apps[1].Matches("0oa2", "plain app") || o.Apps[1].Matches("0oa2", "other") || !app.Matches("0oa1aws") {
		t.Error("grants match by ID, or by name without case")
	}
	if g := o.Groups[0]; strings.Join(g.Groups, ",") != "Admins" || !g.Assignments[0].Accounts.All {
		t.Errorf("group = %+v, want Admins once and all accounts", g)
	}
	if strings.Join(o.Workflows.Groups, ",") != "workflow-users" || o.Deliver != ChannelSES {
		t.Errorf("workflows = %+v", o.Workflows)
	}

	p, err := o.Person(OktaProfile{Login: "ada@example.com", Email: "ada@example.com", DisplayName: "Ada Lovelace"}, "okta event e1", o.Apps[0], o.Groups[0])
	if err != nil {
		t.Fatal(err)
	}
	if p.UserName != "ada@example.com" || p.GivenName != "Ada" || p.FamilyName != "Lovelace" || p.Deliver != ChannelSES ||
		strings.Join(p.Groups, ",") != "everyone,engineers,Admins" || len(p.Assignments) != 2 {
		t.Errorf("person = %+v", p)
	}
	_, err = o.Person(OktaProfile{Login: "cher", DisplayName: "Cher"}, "okta event e2")
	assertProblems(t, err, []string{
		`person "cher" in okta event e2: an Identity Center user needs an email`,
		`person "cher" in okta event e2: an Identity Center user needs given_name and family_name`,
		`person "cher" in okta event e2: has no e-mail address, so ses cannot deliver to them`,
	})
}

func TestParseOktaConfigProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  []string
		want []string
	}{
		{"IAM users", []string{"delivery: {channel: none}", "okta:", "  apps: {aws: {}}"},
			[]string{"okta at okta.yaml:3: the Okta hook provisions Identity Center users: set directory: identity-center"}},
		{"no okta section", []string{"directory: identity-center"},
			[]string{"okta.yaml: no okta section"}},
		{"people and events", []string{"directory: identity-center", "okta: {}", "events: {}", "people: [a@example.com]", "delivery: {channel: none}"},
			[]string{"events at okta.yaml:3: the events section configures gatehouse watch", "people at okta.yaml:4: the Okta hook's configuration names nobody"}},
		{"bad grants", []string{"directory: identity-center", "delivery: {channel: none}", "okta:",
			"  org: http://example.okta.com/admin",
			"  apps:",
			"    aws: {groups: [g], policies: [ReadOnlyAccess]}",
			"    AWS: {}",
			"    other: [a]",
			"  groups:",
			"    admins: {assignments: [{accounts: all}]}"},
			[]string{
				`okta org "http://example.okta.com/admin" at okta.yaml:4: use https`,
				`okta org "http://example.okta.com/admin" at okta.yaml:4: give the org's address alone`,
				`unknown field "policies" at okta.yaml:6: okta apps "aws" has the fields assignments, groups`,
				`okta apps "AWS" at okta.yaml:7: already given at okta.yaml:6; keep one`,
				`okta apps "other" at okta.yaml:8: expected a mapping`,
				`an assignment at okta.yaml:10: needs permission_set: NAME`,
			}},
		{"a secret", []string{"directory: identity-center", "delivery: {channel: none}", "okta: {token: abc, secret: def}"},
			[]string{`a secret in field "token" at okta.yaml:3: a spec is shared and kept in version control, so it never holds secrets: remove this field, set GATEHOUSE_OKTA_TOKEN`,
				`a secret in field "secret" at okta.yaml:3: a spec is shared and kept in version control, so it never holds secrets: remove this field, set GATEHOUSE_OKTA_SECRET`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseOktaConfig("okta.yaml", []byte(lines(tt.src...)), Flags{})
			assertProblems(t, err, tt.want)
		})
	}
}

// The okta section belongs to the hook: onboard's spec and a watcher's
// configuration refuse it.
func TestOktaSectionElsewhere(t *testing.T) {
	t.Parallel()
	_, err := Parse("team.yaml", []byte(withPeople("  - {email: ada@example.com, name: Ada Lovelace}", "directory: identity-center", "okta: {}")), Flags{})
	assertProblems(t, err, []string{"okta at team.yaml:5: the okta section configures gatehouse serve --okta-config"})
	_, err = ParseConfig("watch.yaml", []byte(lines("delivery: {from: it@example.com}", "okta: {}")), Flags{})
	assertProblems(t, err, []string{"okta at watch.yaml:2: the okta section configures gatehouse serve --okta-config"})
}

// The shipped example parses.
func TestOktaExampleParses(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "okta.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseOktaConfig("okta.yaml", data, Flags{})
	if err != nil || len(in.Okta.Apps) != 1 || len(in.Okta.Groups) != 2 || in.Okta.Apps[0].Key != "AWS IAM Identity Center" {
		t.Fatalf("examples/okta.yaml: %v %+v", err, in)
	}
}
