package offboard

import "strings"

// Change is one thing the plan will do to a user, for printing.
type Change struct {
	Action string // delete, deactivate, remove, detach, reactivate, tag, untag, issue
	What   string // "access key", "user", "tag"
	ID     string `json:",omitempty"`
	Detail string `json:",omitempty"`
}

// Changes lists what Apply will do to t, in order; none when t is left alone
// or has nothing to do.
func (p *Plan) Changes(t *Target) []Change {
	if t.Err != "" || t.Guard != "" || t.Declined != "" || t.Record == nil {
		return nil
	}
	switch p.Action {
	case ActionSuspend:
		return suspendChanges(t)
	case ActionReinstate:
		return reinstateChanges(t)
	}
	var out []Change
	for _, j := range plannedJobs(t.Record) {
		out = append(out, Change{Action: j.dep.action, What: j.dep.name, ID: j.item.ID, Detail: j.item.Detail})
	}
	if t.State != StateAbsent {
		out = append(out, Change{Action: "delete", What: "user", ID: t.UserName, Detail: "then verify it is gone"})
	}
	return out
}

func suspendChanges(t *Target) []Change {
	var out []Change
	for _, j := range suspensionOf(t.Record).jobs {
		action := "deactivate"
		if j.dep == loginProfile {
			action = "delete"
		}
		out = append(out, Change{Action: action, What: j.dep.name, ID: j.item.ID, Detail: j.item.Detail})
	}
	if _, tagged := t.Record.tag(TagSuspended); !tagged {
		out = append(out, Change{Action: "tag", What: "user", ID: t.UserName, Detail: TagSuspended + "=<now>"})
	}
	return out
}

func reinstateChanges(t *Target) []Change {
	if t.Suspension == nil {
		return nil
	}
	var out []Change
	for _, it := range t.Suspension.Items {
		out = append(out, Change{Action: "reactivate", What: it.Kind, ID: it.ID, Detail: "deactivated by the suspension"})
	}
	out = append(out, Change{Action: "untag", What: "user", ID: t.UserName, Detail: TagSuspended})
	if t.Suspension.LoginRemoved {
		out = append(out, Change{Action: "issue", What: "password", Detail: "a new console password, delivered through onboarding"})
	}
	return out
}

// describe is the plan's one-line account of t's state.
func (t *Target) describe() string {
	switch {
	case t.Err != "":
		return "cannot be read — " + t.Err
	case t.Guard != "":
		return "left alone — " + t.Guard
	case t.Declined != "":
		return "left alone — " + t.Declined
	case t.State == StateAbsent && t.Record != nil:
		return "no such user; an earlier removal left virtual MFA devices"
	case t.State == StateAbsent:
		return "nothing to do — " + t.Note
	case t.State == StateManaged:
		return "gatehouse's user " + t.Record.User.Arn
	}
	return "NOT created by gatehouse (no " + TagManagedBy + " tag) " + t.Record.User.Arn
}

// tagLine lists the user's tags: "k=v, k2=v2".
func (r *Record) tagLine() string {
	parts := make([]string, len(r.User.Tags))
	for i, t := range r.User.Tags {
		parts[i] = t.Key + "=" + t.Value
	}
	return strings.Join(parts, ", ")
}
