package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/reconcile"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// reconcileSpec is a spec for account 222222222222 of the sandbox's world,
// people given as YAML list items.
func reconcileSpec(people ...string) string {
	return `version: 1
accounts: ["222222222222"]
role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: noreply@example.com}
defaults:
  policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
people:
` + strings.Join(people, "\n") + "\n"
}

const (
	alice = "  - {email: alice@example.com, user_name: alice, groups: [developers], tags: {team: platform}}"
	bob   = "  - {email: bob@example.com, user_name: bob, groups: [developers], tags: {team: platform}}"
	carol = "  - {email: carol@example.com, user_name: carol}"
	dave  = "  - {email: dave@example.com, user_name: dave, groups: [on-call]}"
)

// jsonPlan is the JSON plan (format gatehouse-plan/1) as a bot reads it.
type jsonPlan struct {
	Format    string                `json:"format"`
	Summary   map[string]int        `json:"summary"`
	Changes   []reconcile.Change    `json:"changes"`
	Notices   []reconcile.Notice    `json:"notices"`
	Unmanaged []reconcile.Unmanaged `json:"unmanaged"`
}

// planJSON runs gatehouse plan --detailed-exitcode -o json on spec and
// checks its exit code.
func planJSON(t *testing.T, dir, spec string, wantCode int) jsonPlan {
	t.Helper()
	file := writeFile(t, dir, "spec.yaml", spec)
	code, out, errb := reconcileRun(t, dir, "plan", "-f", file, "--detailed-exitcode", "-o", "json")
	if code != wantCode {
		t.Fatalf("plan: exit %d, want %d\n%s\n%s", code, wantCode, out, errb)
	}
	var p jsonPlan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	if p.Format != reconcile.PlanFormat {
		t.Fatalf("plan format %q", p.Format)
	}
	return p
}

func reconcileRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	args = append(args, "--config", writeFile(t, dir, "empty-config.yaml", ""))
	if args[0] == "apply" {
		args = append(args, "--mail-dir", dir+"/mail")
	}
	return sandboxRun(t, dir, false, args...)
}

func applySpec(t *testing.T, dir, spec string, extra ...string) {
	t.Helper()
	file := writeFile(t, dir, "spec.yaml", spec)
	if code, out, errb := reconcileRun(t, dir, append([]string{"apply", "-f", file}, extra...)...); code != ExitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errb)
	}
}

// changeLines flattens a plan's changes into "action user: step arg" lines.
func changeLines(p jsonPlan) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Scope != "222222222222" {
			out = append(out, "scope "+c.Scope)
		}
		if c.Action != reconcile.ActionUpdate {
			out = append(out, c.Action+" "+c.User)
			continue
		}
		for _, s := range c.Steps {
			out = append(out, fmt.Sprintf("update %s: %s %s", c.User, s.Kind, s.Arg))
		}
	}
	slices.Sort(out)
	return out
}

func expectChanges(t *testing.T, when string, p jsonPlan, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := changeLines(p); !slices.Equal(got, want) {
		t.Errorf("%s: the plan's changes\n  %s\nwant\n  %s", when, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// The spec as desired state: applied to an empty world, edited (a person
// added, one removed, a group changed, a tag changed) and applied again —
// each plan lists exactly those changes, apply converges, the third plan is
// empty, and --detailed-exitcode says so.
func TestReconcileSandboxConverges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := reconcileSpec(alice, bob, carol)
	p := planJSON(t, dir, first, ExitChanges)
	expectChanges(t, "first plan", p, "create alice", "create bob", "create carol")
	applySpec(t, dir, first)
	expectChanges(t, "after the first apply", planJSON(t, dir, first, ExitOK))

	second := reconcileSpec(strings.Replace(alice, "[developers]", "[on-call]", 1),
		strings.Replace(bob, "team: platform", "team: data", 1), dave)
	p = planJSON(t, dir, second, ExitChanges)
	expectChanges(t, "the edited spec", p, "create dave", "remove carol",
		"update alice: add-to-group on-call", "update alice: remove-from-group developers",
		"update bob: set-tag team=data")
	if p.Summary[reconcile.ActionRemove] != 1 || p.Summary[reconcile.ActionCreate] != 1 || p.Summary[reconcile.ActionUpdate] != 2 {
		t.Errorf("summary %v", p.Summary)
	}

	// Removal is never implied: without --allow-removal (and no terminal to
	// confirm on), apply changes nothing at all.
	file := writeFile(t, dir, "spec.yaml", second)
	code, _, errb := reconcileRun(t, dir, "apply", "-f", file)
	if code != ExitUsage || !strings.Contains(errb, "--allow-removal") {
		t.Fatalf("apply without --allow-removal: exit %d, want 2\n%s", code, errb)
	}
	expectChanges(t, "after the refused apply", planJSON(t, dir, second, ExitChanges), "create dave", "remove carol",
		"update alice: add-to-group on-call", "update alice: remove-from-group developers", "update bob: set-tag team=data")

	applySpec(t, dir, second, "--allow-removal")
	expectChanges(t, "after the second apply", planJSON(t, dir, second, ExitOK))
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		api := iam.NewFromConfig(sb.Config("222222222222"))
		if _, err := api.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("carol")}); err == nil {
			t.Error("carol is still there")
		}
	})
	if archives := globFiles(t, dir, "sandbox/archive/222222222222/*.json"); len(archives) != 1 {
		t.Errorf("archives %v, want carol's one", archives)
	}
}

// Drift made with the AWS CLI v2 on managed users shows in the plan and is
// undone; an unmanaged user is reported and never changed; a managed user
// whose password was deleted outside gatehouse is reported, not re-passworded.
func TestReconcileSandboxDriftWithAWSCLI(t *testing.T) {
	t.Parallel()
	sandboxtest.AWSCLI(t)
	dir := t.TempDir()
	spec := reconcileSpec(alice, bob, carol)
	applySpec(t, dir, spec)
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		sb.CLI(t, "222222222222", "iam", "add-user-to-group", "--user-name", "alice", "--group-name", "on-call")
		sb.CLI(t, "222222222222", "iam", "detach-user-policy", "--user-name", "bob", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
		sb.CLI(t, "222222222222", "iam", "tag-user", "--user-name", "bob", "--tags", "Key=owner,Value=someone")
		sb.CLI(t, "222222222222", "iam", "delete-login-profile", "--user-name", "carol")
		sb.CLI(t, "222222222222", "iam", "create-user", "--user-name", "legacy-admin")
		sb.CLI(t, "222222222222", "iam", "add-user-to-group", "--user-name", "legacy-admin", "--group-name", "developers")
	})
	p := planJSON(t, dir, spec, ExitChanges)
	expectChanges(t, "the drifted world", p, "update alice: remove-from-group on-call",
		"update bob: attach-policy arn:aws:iam::aws:policy/ReadOnlyAccess", "update bob: remove-tag owner")
	if !slices.ContainsFunc(p.Unmanaged, func(u reconcile.Unmanaged) bool { return u.User == "legacy-admin" && !u.InSpec }) {
		t.Errorf("legacy-admin is not reported as unmanaged: %+v", p.Unmanaged)
	}
	if !slices.ContainsFunc(p.Notices, func(n reconcile.Notice) bool {
		return n.User == "carol" && strings.Contains(n.Note, "gatehouse deliver --resend")
	}) {
		t.Errorf("carol's missing password is not noticed: %+v", p.Notices)
	}

	applySpec(t, dir, spec)
	p = planJSON(t, dir, spec, ExitOK)
	expectChanges(t, "after apply", p)
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		out := sb.CLI(t, "222222222222", "iam", "list-groups-for-user", "--user-name", "legacy-admin")
		if !strings.Contains(out, `"developers"`) {
			t.Errorf("legacy-admin was changed: %s", out)
		}
		if out := sb.CLI(t, "222222222222", "iam", "list-users"); !strings.Contains(out, "legacy-admin") {
			t.Errorf("legacy-admin is gone: %s", out)
		}
		api := iam.NewFromConfig(sb.Config("222222222222"))
		if _, err := api.GetLoginProfile(context.Background(), &iam.GetLoginProfileInput{UserName: aws.String("carol")}); err == nil {
			t.Error("carol was given a new password without anyone asking")
		}
	})
}

// A person marked suspended is suspended; unmarked, reinstated — with a new
// password delivered — and each apply converges.
func TestReconcileSandboxSuspendAndReinstate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := reconcileSpec(alice, bob)
	applySpec(t, dir, spec)
	suspended := reconcileSpec(alice, strings.Replace(bob, "user_name: bob,", "user_name: bob, suspended: true,", 1))
	expectChanges(t, "bob suspended", planJSON(t, dir, suspended, ExitChanges), "suspend bob")
	applySpec(t, dir, suspended)
	expectChanges(t, "after suspending", planJSON(t, dir, suspended, ExitOK))
	expectChanges(t, "bob back", planJSON(t, dir, spec, ExitChanges), "reinstate bob")
	applySpec(t, dir, spec)
	expectChanges(t, "after reinstating", planJSON(t, dir, spec, ExitOK))
	if mails := globFiles(t, dir, "mail/bob@example.com-*.eml"); len(mails) != 2 {
		t.Errorf("bob's mail: %v, want the first password and the reinstatement's", mails)
	}
}

func TestReconcileUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"plan"},
		{"plan", "-f", "x.yaml", "-o", "xml"},
		{"apply", "-f", writeFile(t, dir, "bad.yaml", "version: 1\npeople: [{email: not-an-address}]\n")},
		{"apply", "-f", writeFile(t, dir, "ok.yaml", reconcileSpec(alice)), "--archive", "/dev/null"},
	} {
		code, _, errb := reconcileRun(t, dir, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errb)
		}
	}
}

// globFiles lists the files under dir matching pattern.
func globFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	out, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The README's example: the plan on the embedded sandbox creates everyone
// but the suspended person, and apply then converges.
func TestReconcileSandboxExample(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const example = "../../examples/reconcile/team.yaml"
	code, out, errb := reconcileRun(t, dir, "plan", "-f", example, "--detailed-exitcode")
	if code != ExitChanges || !strings.Contains(out, "Plan: 4 to create.") || !strings.Contains(out, "carol (carol.white@example.com): suspended in the spec") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errb)
	}
	if code, out, errb := reconcileRun(t, dir, "apply", "-f", example); code != ExitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errb)
	}
	if code, out, errb := reconcileRun(t, dir, "plan", "-f", example, "--detailed-exitcode"); code != ExitOK || !strings.Contains(out, "No changes") {
		t.Fatalf("plan after apply: exit %d\n%s\n%s", code, out, errb)
	}
}
