package reconcile

import (
	"cmp"
	"slices"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/offboard"
)

// Change is one person in one scope whose user apply changes.
type Change struct {
	Scope  string `json:"scope"`
	Person string `json:"person"`
	User   string `json:"user"`
	Action string `json:"action"` // create, update, suspend, reinstate, remove
	Reason string `json:"reason"`
	Steps  []Step `json:"steps"`
}

// Step is one thing a change does, and why.
type Step struct {
	Kind   string `json:"kind"`
	Arg    string `json:"arg,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Notice is something the plan found and leaves to a person: a user it
// cannot read, a protected user, a delivered password gone missing.
type Notice struct {
	Scope  string `json:"scope"`
	Person string `json:"person"`
	User   string `json:"user,omitempty"`
	Note   string `json:"note"`
	Error  bool   `json:"error,omitempty"` // apply cannot act on it: the plan fails
}

// Why each kind of change is in the plan.
const (
	whyCreate    = "in the spec, and there is no such user here"
	whyUpdate    = "differs from the spec"
	whySuspend   = "the spec marks this person suspended"
	whyReinstate = "suspended, and the spec no longer marks this person so"
	whyRemove    = "created by gatehouse, and the spec no longer lists it: archived, then removed"
)

// Changes lists every change, by scope, then user.
func (p *Plan) Changes() []Change {
	var out []Change
	for _, pl := range p.Onboarding.Placements {
		if pl.Skip != "" || len(pl.Steps) == 0 {
			continue
		}
		c := Change{Scope: pl.Scope.ID, Person: label(pl.Person), User: pl.UserName, Action: ActionUpdate, Reason: whyUpdate}
		if pl.User == engine.UserAbsent {
			c.Action, c.Reason = ActionCreate, whyCreate
		}
		for _, s := range pl.Steps {
			c.Steps = append(c.Steps, Step{Kind: s.Kind, Arg: s.Arg, Reason: engine.Why(p.dir, s)})
		}
		out = append(out, c)
	}
	for _, part := range []struct {
		plan   *offboard.Plan
		action string
		why    string
	}{{p.Suspension, ActionSuspend, whySuspend}, {p.Reinstatement, ActionReinstate, whyReinstate}, {p.Removal, ActionRemove, whyRemove}} {
		if part.plan == nil {
			continue
		}
		for _, pl := range part.plan.Placements {
			changes := part.plan.Changes(pl)
			if len(changes) == 0 {
				continue
			}
			c := Change{Scope: pl.Scope.ID, Person: pl.Person, User: pl.UserName, Action: part.action, Reason: part.why}
			for _, ch := range changes {
				c.Steps = append(c.Steps, Step{Kind: ch.Action + " " + ch.What, Arg: ch.ID, Reason: ch.Detail})
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.User, b.User))
	})
	return out
}

// Notices lists what the plan leaves to a person, by scope, then user.
func (p *Plan) Notices() []Notice {
	out := slices.Clone(p.notices)
	for _, pl := range p.Onboarding.Placements {
		switch {
		case pl.Note != "":
			out = append(out, Notice{Scope: pl.Scope.ID, Person: label(pl.Person), User: pl.UserName, Note: pl.Note})
		case pl.Skip != "" && pl.User != engine.UserForeign: // foreign users are reported as unmanaged
			out = append(out, Notice{Scope: pl.Scope.ID, Person: label(pl.Person), User: pl.UserName, Note: pl.Skip})
		}
	}
	for _, plan := range []*offboard.Plan{p.Suspension, p.Reinstatement, p.Removal} {
		if plan == nil {
			continue
		}
		for _, pl := range plan.Placements {
			n := Notice{Scope: pl.Scope.ID, Person: pl.Person, User: pl.UserName}
			switch {
			case pl.Err != "":
				n.Note, n.Error = "cannot be read: "+pl.Err, true
			case pl.Guard != "":
				n.Note = "left alone: " + pl.Guard
			case pl.Declined != "":
				n.Note = "left alone: " + pl.Declined
			default:
				continue
			}
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b Notice) int {
		return cmp.Or(cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.User, b.User))
	})
	return out
}

// Removals counts the users apply would remove: what --allow-removal or a
// confirmation must allow.
func (p *Plan) Removals() int {
	n := 0
	for _, c := range p.Changes() {
		if c.Action == ActionRemove {
			n++
		}
	}
	return n
}

// Summary counts the changes by action.
func Summary(changes []Change) map[string]int {
	out := map[string]int{ActionCreate: 0, ActionUpdate: 0, ActionSuspend: 0, ActionReinstate: 0, ActionRemove: 0}
	for _, c := range changes {
		out[c.Action]++
	}
	return out
}
