package identitycenter

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Step kinds of Identity Center users, in the order onboarding runs them.
const (
	StepUpdateUser  = "update-user"  // UpdateUser: names, display name, e-mail
	StepAddToGroup  = "add-to-group" // CreateGroupMembership
	StepAssign      = "assign"       // CreateAccountAssignment: "PermissionSet@account"
	StepSendWelcome = "welcome"      // no password: the welcome message with the access portal's address
)

// Diff lists what want's user lacks: its names and e-mail as the spec says
// (an existing user), the memberships of want's groups, and want's
// assignments — each permission set in each of its accounts.
func (d *Directory) Diff(s *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	st := facts(s)
	cur, _ := have.Facts.(current)
	var steps []engine.Step
	if have.State != engine.UserAbsent {
		if fields := changed(want, cur); len(fields) > 0 {
			steps = append(steps, engine.Step{Kind: StepUpdateUser, Arg: strings.Join(fields, ",")})
		}
	}
	for _, g := range want.Groups {
		if grp, ok := st.groups[strings.ToLower(g)]; !ok || !cur.groups[grp.id] {
			steps = append(steps, engine.Step{Kind: StepAddToGroup, Arg: g})
		}
	}
	for _, t := range st.targets(want) {
		if cur.id == "" || !st.assigned[t.pair]["USER:"+cur.id] {
			steps = append(steps, engine.Step{Kind: StepAssign, Arg: t.name + "@" + t.pair.account})
		}
	}
	return steps
}

// CredentialStep is the welcome: there is no password to issue.
func (d *Directory) CredentialStep(how engine.Issue) engine.Step {
	return engine.Step{Kind: StepSendWelcome, Issues: how}
}

// changed lists the attributes of cur that differ from want's.
func changed(want spec.Person, cur current) []string {
	var out []string
	if displayName(want) != cur.displayName {
		out = append(out, "displayName")
	}
	if want.GivenName != cur.given || want.FamilyName != cur.family {
		out = append(out, "name")
	}
	if !strings.EqualFold(want.Email, cur.email) {
		out = append(out, "emails")
	}
	return out
}

// displayName is the person's name as the spec gives it, else their given
// and family names.
func displayName(p spec.Person) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// target is one assignment of a person: a pair and the permission set's name.
type target struct {
	pair pair
	name string
}

// targets are want's assignments as the survey resolved them, sorted.
func (st *store) targets(want spec.Person) []target {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []target
	seen := map[pair]bool{}
	for _, a := range want.Assignments {
		arn := st.permissionSets[strings.ToLower(a.PermissionSet)]
		for _, acc := range st.resolved[fmt.Sprint(a.Accounts)] {
			if pr := (pair{acc, arn}); !seen[pr] {
				seen[pr] = true
				out = append(out, target{pair: pr, name: st.psNames[arn]})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].name+out[i].pair.account < out[j].name+out[j].pair.account
	})
	return out
}
