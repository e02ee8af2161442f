package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// team is a spec over both members: mail for most, the report for carol,
// a boundary and an extra group where they exist.
const team = `version: 1
accounts: ["222222222222", "333333333333"]
delivery: {from: it@example.com}
defaults: {groups: [developers]}
people:
  - email: alice@example.com
  - email: bob@example.com
    accounts: ["222222222222"]
    groups: [on-call]
    boundary: arn:aws:iam::222222222222:policy/guardrails/DenyOutsideEU
  - email: carol@example.com
    deliver: none
`

func TestTeamAcrossAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rep := e.run(t, parse(t, "team.yaml", team, spec.Flags{}))
	if !rep.OK() || len(rep.Rows) != 5 {
		t.Fatalf("report: %+v", rep.Rows)
	}
	for _, row := range rep.Rows {
		pw := row.Password.Reveal()
		if row.UserName != "carol@example.com" {
			c, ok := e.mail.last(row.Account, row.UserName)
			if !ok || row.Delivery != "ses: sent" || pw != "" {
				t.Fatalf("row %+v: delivered %v", row, ok)
			}
			pw = c.Password
		} else if row.Delivery != "none: in this output" || pw == "" {
			t.Errorf("carol's row = %+v, want her password in it", row)
		}
		if valid, reset := e.checkPassword(t, row.Account, row.UserName, pw); !valid || !reset {
			t.Errorf("%s in %s: password valid=%v reset=%v", row.UserName, row.Account, valid, reset)
		}
		f, err := readUser(t, e, row.Account, row.UserName)
		if err != nil {
			t.Fatal(err)
		}
		// The development account lets users change their own password and has no alias.
		wantPolicies, wantURL, wantLen := []string{changePW}, "https://example-production.signin.aws.amazon.com/console", 32
		if row.Account == dev {
			wantPolicies, wantURL, wantLen = nil, "https://333333333333.signin.aws.amazon.com/console", 128
		}
		if !slices.Equal(f.policies, wantPolicies) || row.SignInURL != wantURL || len(pw) < wantLen {
			t.Errorf("%s in %s: policies %v, URL %s, password of %d characters", row.UserName, row.Account, f.policies, row.SignInURL, len(pw))
		}
	}
	if f, _ := readUser(t, e, prod, "bob@example.com"); !slices.Equal(f.groups, []string{"developers", "on-call"}) {
		t.Errorf("bob's groups: %v", f.groups)
	}
}

// A rerun of a completed run makes no mutating call and sends no mail: the
// journal and a few reads tell it everything is done.
func TestRerunChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "team.yaml", team, spec.Flags{})
	e.run(t, in)
	mails := len(e.messages(t))
	e.sb.Delete(t, "requests")
	rep := e.run(t, in)
	rc := e.sb.Requests(t, "")
	if rc.Mutating != 0 {
		t.Errorf("rerun made %d mutating calls: %s", rc.Mutating, mutating(rc))
	}
	if rc.Total == 0 {
		t.Error("rerun made no request at all; the plan must read AWS")
	}
	if got := len(e.messages(t)); got != mails {
		t.Errorf("rerun sent %d mails", got-mails)
	}
	for _, row := range rep.Rows {
		if row.Status != onboard.StatusUnchanged || !row.Password.Empty() || !strings.HasSuffix(row.Delivery, "delivered earlier") {
			t.Errorf("rerun row = %+v", row)
		}
	}
}

// A user someone else made is reported and left alone; with --adopt it is
// tagged as gatehouse's and completed, its password left as it was.
func TestForeignUser(t *testing.T) {
	t.Parallel()
	const spec1 = "accounts: [\"222222222222\"]\ndelivery: {from: it@example.com}\ndefaults: {groups: [developers]}\npeople:\n  - email: taken@example.com\n"
	for _, adopt := range []bool{false, true} {
		t.Run(fmt.Sprintf("adopt=%v", adopt), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.adopt = adopt
			e.sb.Delete(t, "requests")
			rep := e.run(t, parse(t, "taken.yaml", spec1, spec.Flags{}))
			row := rep.Rows[0]
			f, err := readUser(t, e, prod, "taken@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if valid, _ := e.checkPassword(t, prod, "taken@example.com", "Hand-Made-Password-1!"); !valid {
				t.Error("the user's own password was changed")
			}
			if e.mail.delivered() != 0 {
				t.Error("a credential was delivered for a user gatehouse did not create")
			}
			if !adopt {
				rc := e.sb.Requests(t, "")
				if row.Status != onboard.StatusSkipped || !strings.Contains(row.Error, "not created by gatehouse") || rc.Mutating != 0 || rep.OK() {
					t.Errorf("row %+v, %d mutating calls (%s)", row, rc.Mutating, mutating(rc))
				}
				return
			}
			if row.Status != onboard.StatusAdopted || f.tags[engine.TagManagedBy] != engine.ManagedByValue ||
				!slices.Equal(f.groups, []string{"developers"}) || !slices.Equal(f.policies, []string{changePW}) {
				t.Errorf("row %+v, user %+v", row, f)
			}
		})
	}
}

// Every missing group, policy and boundary is reported, with the line of the
// person who needs it, before anything is created.
func TestMissingReferencesStopTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const bad = `accounts: ["222222222222", "333333333333"]
delivery: {from: it@example.com}
people:
  - email: alice@example.com
    groups: [on-call]
  - email: bob@example.com
    policies: [NoSuchPolicy]
    boundary: arn:aws:iam::222222222222:policy/guardrails/DenyOutsideEU
`
	in := parse(t, "bad.yaml", bad, spec.Flags{})
	_, err := onboard.MakePlan(context.Background(), e.deps(t, in), in)
	var probs spec.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("MakePlan error = %v, want spec.Problems", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`person "alice@example.com" at bad.yaml:4: needs group "on-call", which does not exist in account 333333333333`,
		`person "bob@example.com" at bad.yaml:6: needs policy "arn:aws:iam::aws:policy/NoSuchPolicy", which does not exist in account 222222222222`,
		`person "bob@example.com" at bad.yaml:6: needs permissions boundary "arn:aws:iam::222222222222:policy/guardrails/DenyOutsideEU", ` +
			`which does not exist in account 333333333333`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems do not say %q:\n%s", want, msg)
		}
	}
	if len(probs) != 4 { // NoSuchPolicy is missing in both accounts
		t.Errorf("%d problems, want 4:\n%s", len(probs), msg)
	}
	if rc := e.sb.Requests(t, ""); rc.Mutating != 0 {
		t.Errorf("%d mutating calls before the problems were reported: %s", rc.Mutating, mutating(rc))
	}
}

// A role that cannot be assumed is reported as a problem, like a missing group.
func TestUnassumableRoleIsAProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "team.yaml", team, spec.Flags{Role: spec.Set("NoSuchRole")})
	_, err := onboard.MakePlan(context.Background(), e.deps(t, in), in)
	var probs spec.Problems
	if !errors.As(err, &probs) || len(probs) != 2 || !strings.Contains(err.Error(), "cannot be assumed") {
		t.Fatalf("MakePlan error = %v, want a problem per account", err)
	}
}

// The plan — the dry run — reads and changes nothing.
func TestPlanChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "team.yaml", team, spec.Flags{})
	plan, err := onboard.MakePlan(context.Background(), e.deps(t, in), in)
	if err != nil {
		t.Fatal(err)
	}
	if rc := e.sb.Requests(t, ""); rc.Mutating != 0 {
		t.Errorf("planning made %d mutating calls: %s", rc.Mutating, mutating(rc))
	}
	got := map[string][]string{}
	for _, tg := range plan.Placements {
		for _, s := range tg.Steps {
			got[tg.Scope.ID+" "+tg.UserName] = append(got[tg.Scope.ID+" "+tg.UserName], s.String())
		}
	}
	want := map[string][]string{
		prod + " bob@example.com": {"create-user", "add-to-group:developers", "add-to-group:on-call",
			"attach-policy:" + changePW, "create-login-profile", "deliver:ses"},
		dev + " carol@example.com": {"create-user", "add-to-group:developers", "create-login-profile", "deliver:none"},
	}
	for k, steps := range want {
		if !slices.Equal(got[k], steps) {
			t.Errorf("plan for %s = %v, want %v", k, got[k], steps)
		}
	}
	var buf bytes.Buffer
	if err := onboard.WritePlan(&buf, onboard.FormatJSON, plan); err != nil {
		t.Fatal(err)
	}
	var printed struct {
		Accounts []struct{ Account, LoginURL string }
		Targets  []struct {
			Account, UserName string
			Steps             []string
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &printed); err != nil || len(printed.Accounts) != 2 || len(printed.Targets) != 5 ||
		!slices.Equal(printed.Targets[2].Steps, want[prod+" bob@example.com"]) {
		t.Errorf("JSON plan: %v\n%s", err, buf.String())
	}
}

// A credential that was set but never confirmed delivered is replaced by a
// fresh one on the rerun, delivered once; the first one no longer works.
func TestUnconfirmedCredentialIsReissued(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "team.yaml", team, spec.Flags{})
	var lost string
	e.mail.setFail(func(c deliver.Credential) error {
		if c.UserName == "bob@example.com" {
			lost = c.Password
			return errors.New("mail server on fire")
		}
		return nil
	})
	rep := e.run(t, in)
	if rep.OK() || rep.Count(onboard.StatusFailed) != 1 {
		t.Fatalf("first run: %+v", rep.Rows)
	}
	rec, _, _ := e.journal.Person(context.Background(), prod, "bob@example.com")
	if rec.CredentialState != journal.CredentialIssued {
		t.Fatalf("journal after a failed delivery: %+v", rec)
	}
	e.mail.setFail(nil)
	before := e.mail.delivered()
	rep = e.run(t, in)
	if !rep.OK() || e.mail.delivered() != before+1 {
		t.Fatalf("rerun: %d deliveries, rows %+v", e.mail.delivered()-before, rep.Rows)
	}
	c, _ := e.mail.last(prod, "bob@example.com")
	if valid, _ := e.checkPassword(t, prod, "bob@example.com", c.Password); !valid {
		t.Error("the reissued password does not sign in")
	}
	if valid, _ := e.checkPassword(t, prod, "bob@example.com", lost); valid {
		t.Error("the undelivered password still signs in")
	}
	rec, _, _ = e.journal.Person(context.Background(), prod, "bob@example.com")
	if rec.CredentialState != journal.CredentialDelivered {
		t.Errorf("journal after the rerun: %+v", rec)
	}
}

// With --deliver none the report is the delivery: a run whose report was
// never written (no Confirm) leaves the password unconfirmed, so the rerun
// puts a fresh one in its report.
func TestReportOnlyDeliveryNeedsTheReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "seed001.json", example(t, "seed001.json"), spec.Flags{Groups: spec.Set([]string{"developers"})})
	ctx := context.Background()
	deps := e.deps(t, in)
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatal(err)
	}
	first, err := onboard.Apply(ctx, deps, plan) // and then the process dies
	if err != nil {
		t.Fatal(err)
	}
	rep := e.run(t, in)
	for i, row := range rep.Rows {
		old := first.Rows[i].Password.Reveal()
		if row.Status != onboard.StatusUpdated || row.Password.Empty() || row.Password.Reveal() == old {
			t.Errorf("rerun row %+v, want a fresh password", row)
		}
		if valid, _ := e.checkPassword(t, prod, row.UserName, old); valid {
			t.Errorf("%s: the password of the unwritten report still works", row.UserName)
		}
	}
	again := e.run(t, in)
	if again.Count(onboard.StatusUnchanged) != 2 {
		t.Errorf("after a confirmed report: %+v", again.Rows)
	}
}

// No password appears in the logs or in the journal's files.
func TestPasswordsStayOutOfLogsAndJournal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rep := e.run(t, parse(t, "team.yaml", team, spec.Flags{}))
	var passwords []string
	for _, row := range rep.Rows {
		if c, ok := e.mail.last(row.Account, row.UserName); ok {
			passwords = append(passwords, c.Password)
		}
		if !row.Password.Empty() {
			passwords = append(passwords, row.Password.Reveal())
		}
		if s := fmt.Sprintf("%v %+v %#v %s", row, row, row, row.Password); strings.Contains(s, row.Password.Reveal()) && !row.Password.Empty() {
			t.Errorf("formatting a row shows its password: %s", s)
		}
	}
	if len(passwords) != 5 {
		t.Fatalf("found %d passwords, want 5", len(passwords))
	}
	files, _ := filepath.Glob(e.journal.Path() + "*")
	var journalText strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		journalText.Write(data)
	}
	if !strings.Contains(journalText.String(), "alice@example.com") || !strings.Contains(e.logs.String(), "step=") {
		t.Fatal("the journal or the log is empty; the search would prove nothing")
	}
	for _, pw := range passwords {
		if strings.Contains(journalText.String(), pw) {
			t.Errorf("a password is in the journal files")
		}
		if strings.Contains(e.logs.String(), pw) {
			t.Errorf("a password is in the log")
		}
	}
}
