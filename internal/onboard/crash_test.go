package onboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// crashTeam has people in both members, with groups and a boundary, all mailed.
const crashTeam = `accounts: ["222222222222", "333333333333"]
delivery: {from: it@example.com}
defaults: {groups: [developers]}
people:
  - email: alice@example.com
  - email: bob@example.com
    accounts: ["222222222222"]
    groups: [on-call]
    boundary: arn:aws:iam::222222222222:policy/guardrails/DenyOutsideEU
  - email: dave@example.com
`

// Crash safety: the process dies at random journal writes, twice in a row;
// the next run completes, and then every person exists once in every
// account, the last password each received signs in, no group membership is
// doubled, no credential is left unconfirmed, and one more run changes nothing.
func TestCrashAnywhereThenRerun(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for range 40 {
		first, second := rng.IntN(60)+1, rng.IntN(60)+1
		after := []bool{rng.IntN(2) == 0, rng.IntN(2) == 0}
		t.Run(fmt.Sprintf("crash at %d (after=%v) then %d (after=%v)", first, after[0], second, after[1]), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := parse(t, "crash.yaml", crashTeam, spec.Flags{})
			crashRun(t, e, in, first, after[0])
			crashRun(t, e, in, second, after[1])
			if rep := e.run(t, in); !rep.OK() {
				t.Fatalf("the run after the crashes: %+v", rep.Rows)
			}
			checkConverged(t, e, in)
		})
	}
}

// crashRun applies in with a journal that dies at its crashAt-th write.
func crashRun(t *testing.T, e *env, in *spec.Input, crashAt int, after bool) {
	t.Helper()
	ctx := context.Background()
	deps := e.deps(t, in)
	cj := &enginetest.CrashingJournal{Journal: e.journal, After: after,
		At: func(_ string, _, total int) bool { return total == crashAt }}
	deps.Journal = cj
	e.mail.setFail(func(deliver.Credential) error {
		if cj.Dead() {
			runtime.Goexit()
		}
		return nil
	})
	defer e.mail.setFail(nil)
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil {
		t.Fatal(err)
	}
	if !cj.Dead() {
		if err := rep.Confirm(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func checkConverged(t *testing.T, e *env, in *spec.Input) {
	t.Helper()
	ctx := context.Background()
	want := map[string][]string{prod: {"alice@example.com", "bob@example.com", "dave@example.com"}, dev: {"alice@example.com", "dave@example.com"}}
	for account, users := range want {
		api := iam.NewFromConfig(e.sb.Config(account))
		list, err := api.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range list.Users {
			got = append(got, strings.ToLower(aws.ToString(u.UserName)))
		}
		slices.Sort(got)
		if account == prod { // the fixture's own user
			users = append(users, "taken@example.com")
		}
		if !slices.Equal(got, users) {
			t.Errorf("users in %s: %v, want %v", account, got, users)
		}
		for _, user := range want[account] {
			f, err := readUser(t, e, account, user)
			if err != nil {
				t.Fatal(err)
			}
			if g := slices.Compact(slices.Sorted(slices.Values(f.groups))); len(g) != len(f.groups) {
				t.Errorf("%s in %s: groups %v have duplicates", user, account, f.groups)
			}
			c, ok := e.mail.last(account, user)
			if valid, _ := e.checkPassword(t, account, user, c.Password); !ok || !valid {
				t.Errorf("%s in %s: the last password delivered (%v) does not sign in", user, account, ok)
			}
		}
	}
	if open, _ := e.journal.Unconfirmed(ctx); len(open) != 0 {
		t.Errorf("unconfirmed credentials left: %+v", open)
	}
	e.sb.Delete(t, "requests")
	e.run(t, in)
	if rc := e.sb.Requests(t, ""); rc.Mutating != 0 {
		t.Errorf("a run after convergence made %d mutating calls: %s", rc.Mutating, mutating(rc))
	}
}
