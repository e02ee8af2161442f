package identitycenter_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// driftTeam is three people; grace's name is the one a person changes.
const driftTeam = `directory: identity-center
delivery: {channel: none}
defaults:
  groups: [readers]
  assignments: [{permission_set: ReadOnly, accounts: ["222222222222"]}]
people:
  - {email: ada@example.com, name: Ada Lovelace}
  - {email: grace@example.com, name: GRACE_NAME}
  - {email: alan@example.com, name: Alan Turing, groups: [developers]}
`

// plan/apply on Identity Center: a membership and an assignment added
// outside gatehouse (the AWS CLI v2, as an administrator would) show in the
// plan and are undone, and a person's new name is an update — while erin,
// not gatehouse's, keeps her membership of the same group.
func TestPlanApplyUndoesDriftAndRenames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, dir)
	cli := sandboxCLI(sb)
	specPath := filepath.Join(dir, "team.yaml")
	write := func(name string) {
		if err := os.WriteFile(specPath, []byte(strings.Replace(driftTeam, "GRACE_NAME", name, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Grace Hopper")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	config := filepath.Join(dir, "gatehouse.yaml")
	if err := os.WriteFile(config, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"-f", specPath, "--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL, "--config", config}
	gh.MustRun(t, 0, append([]string{"apply"}, common...)...)

	ada := sb.userID(t, "ada@example.com")
	developers := strings.TrimSpace(cli.CLI(t, management, "identitystore", "get-group-id", "--identity-store-id", storeID,
		"--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"displayName","AttributeValue":"developers"}}`,
		"--query", "GroupId", "--output", "text"))
	cli.CLI(t, management, "identitystore", "create-group-membership", "--identity-store-id", storeID,
		"--group-id", developers, "--member-id", "UserId="+ada)
	cli.CLI(t, management, "sso-admin", "create-account-assignment", "--instance-arn", instanceARN,
		"--target-id", "333333333333", "--target-type", "AWS_ACCOUNT", "--permission-set-arn", permissionSetARN(t, sb, "Developer"),
		"--principal-type", "USER", "--principal-id", ada)
	time.Sleep(400 * time.Millisecond) // the assignment finishes after 250 ms
	write("Grace Brewster Hopper")

	plan := gh.MustRun(t, 3, append([]string{"plan", "--detailed-exitcode", "-o", "json"}, common...)...)
	var p struct {
		Changes []struct {
			Action string `json:"action"`
			User   string `json:"user"`
			Steps  []struct {
				Kind string `json:"kind"`
				Arg  string `json:"arg"`
			} `json:"steps"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(plan.Stdout), &p); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, plan.Stdout)
	}
	got := map[string][]string{}
	for _, c := range p.Changes {
		for _, s := range c.Steps {
			got[c.User] = append(got[c.User], c.Action+" "+s.Kind+":"+s.Arg)
		}
	}
	want := map[string][]string{
		"ada@example.com":   {"update remove-from-group:developers", "update unassign:Developer@333333333333"},
		"grace@example.com": {"update update-user:displayName,name"},
	}
	for user, steps := range want {
		if !slices.Equal(got[user], steps) {
			t.Errorf("the plan for %s: %v, want %v\n%s", user, got[user], steps, plan.Stdout)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the plan changes %d people, want %d: %v", len(got), len(want), got)
	}

	gh.MustRun(t, 0, append([]string{"apply"}, common...)...)
	d := sb.read(t)
	if g := once(t, "ada", d.memberships["ada@example.com"]); !slices.Equal(g, []string{"readers"}) {
		t.Errorf("ada's groups after apply: %v", g)
	}
	if a := once(t, "ada", d.assigned["ada@example.com"]); !slices.Equal(a, []string{"ReadOnly@222222222222"}) {
		t.Errorf("ada's assignments after apply: %v", a)
	}
	if g := once(t, "erin", d.memberships["erin@example.com"]); !slices.Equal(g, []string{"developers", "readers"}) {
		t.Errorf("erin, not gatehouse's, lost a membership: %v", g)
	}
	grace := describe(t, sb, "grace@example.com")
	if grace.DisplayName != "Grace Brewster Hopper" || grace.GivenName != "Grace Brewster" || grace.FamilyName != "Hopper" {
		t.Errorf("grace after apply: %+v", grace)
	}
	gh.MustRun(t, 0, append([]string{"plan", "--detailed-exitcode"}, common...)...)
}
