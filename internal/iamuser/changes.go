package iamuser

import (
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// Changes lists what action will do to rec's user, in order: for a removal
// the table's items then the user; for a suspension what it deletes and
// deactivates and the tag; for a reinstatement what it reactivates.
func (d *Directory) Changes(action engine.Action, rec engine.Record, susp *journal.Suspension) []engine.Change {
	r := rec.(*Record)
	switch action {
	case engine.ActionSuspend:
		return suspendChanges(r)
	case engine.ActionReinstate:
		return reinstateChanges(r, susp)
	}
	var out []engine.Change
	for _, j := range plannedJobs(r) {
		out = append(out, engine.Change{Action: j.dep.action, What: j.dep.name, ID: j.item.ID, Detail: j.item.Detail})
	}
	if !r.absent {
		out = append(out, engine.Change{Action: "delete", What: "user", ID: r.User.UserName, Detail: "then verify it is gone"})
	}
	return out
}

func suspendChanges(r *Record) []engine.Change {
	var out []engine.Change
	for _, j := range suspensionOf(r).jobs {
		action := "deactivate"
		if j.dep == loginProfile {
			action = "delete"
		}
		out = append(out, engine.Change{Action: action, What: j.dep.name, ID: j.item.ID, Detail: j.item.Detail})
	}
	if _, tagged := r.tag(engine.TagSuspended); !tagged {
		out = append(out, engine.Change{Action: "tag", What: "user", ID: r.User.UserName, Detail: engine.TagSuspended + "=<now>"})
	}
	return out
}

func reinstateChanges(r *Record, susp *journal.Suspension) []engine.Change {
	if susp == nil {
		return nil
	}
	var out []engine.Change
	for _, it := range susp.Items {
		out = append(out, engine.Change{Action: "reactivate", What: it.Kind, ID: it.ID, Detail: "deactivated by the suspension"})
	}
	out = append(out, engine.Change{Action: "untag", What: "user", ID: r.User.UserName, Detail: engine.TagSuspended})
	if susp.LoginRemoved {
		out = append(out, engine.Change{Action: "issue", What: "password", Detail: "a new console password, delivered through onboarding"})
	}
	return out
}
