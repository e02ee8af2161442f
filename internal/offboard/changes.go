package offboard

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// Change is one thing the plan will do to a user, for printing.
type Change = engine.Change

// Changes lists what Apply will do to pl, in order; none when pl is left
// alone or has nothing to do.
func (p *Plan) Changes(pl *Placement) []Change {
	if pl.Err != "" || pl.Guard != "" || pl.Declined != "" || pl.Record == nil {
		return nil
	}
	return p.dir.Changes(p.Action, pl.Record, pl.Suspension)
}

// describe is the plan's one-line account of pl's state.
func (pl *Placement) describe() string {
	switch {
	case pl.Err != "":
		return "cannot be read — " + pl.Err
	case pl.Guard != "":
		return "left alone — " + pl.Guard
	case pl.Declined != "":
		return "left alone — " + pl.Declined
	case pl.State == StateAbsent && pl.Record != nil:
		return "no such user; an earlier removal left virtual MFA devices"
	case pl.State == StateAbsent:
		return "nothing to do — " + pl.Note
	case pl.State == StateManaged:
		return "gatehouse's user " + pl.Record.ARN()
	}
	return "NOT created by gatehouse (no " + engine.TagManagedBy + " tag) " + pl.Record.ARN()
}

// tagLine lists the user's tags: "k=v, k2=v2", in the directory's order.
func tagLine(tags []engine.Tag) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		parts[i] = t.Key + "=" + t.Value
	}
	return strings.Join(parts, ", ")
}
