package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/report"
)

// PlanFormat names the JSON plan's schema; a change that is not backward
// compatible gets a new number (docs/reconcile.md documents it).
const PlanFormat = "gatehouse-plan/1"

// Output formats.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// Formats lists the output formats, in the order messages show them.
var Formats = []string{FormatTable, FormatJSON}

// jsonPlan is the plan as data, for a pull-request bot.
type jsonPlan struct {
	Format    string         `json:"format"`
	Directory string         `json:"directory"`
	Source    string         `json:"source"`
	Scopes    []string       `json:"scopes"`
	Summary   map[string]int `json:"summary"`
	Changes   []Change       `json:"changes"`
	Notices   []Notice       `json:"notices"`
	Unmanaged []Unmanaged    `json:"unmanaged"`
}

// WritePlan writes the plan in format (table or json).
func WritePlan(w io.Writer, format string, p *Plan) error {
	changes := p.Changes()
	var err error
	if format == FormatJSON {
		out := jsonPlan{Format: PlanFormat, Directory: p.Directory, Source: p.Input.Source, Summary: Summary(changes),
			Changes: changes, Notices: p.Notices(), Unmanaged: p.Unmanaged}
		for _, s := range p.Onboarding.Scopes {
			out.Scopes = append(out.Scopes, s.ID)
		}
		out.Changes = nonNil(out.Changes)
		out.Notices = nonNil(out.Notices)
		out.Unmanaged = nonNil(out.Unmanaged)
		err = report.JSON(w, out)
	} else {
		err = writePlanTable(w, p, changes)
	}
	if err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

// nonNil makes an empty list print as [] rather than null: a bot reading the
// plan need not tell the two apart.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// signs mark a change's action the way a reader of Terraform's plans knows.
var signs = map[string]string{ActionCreate: "+", ActionUpdate: "~", ActionSuspend: "!", ActionReinstate: "^", ActionRemove: "-"}

func writePlanTable(w io.Writer, p *Plan, changes []Change) error {
	var b bytes.Buffer
	scope := ""
	for _, c := range changes {
		if c.Scope != scope {
			scope = c.Scope
			fmt.Fprintf(&b, "%s\n", scope)
		}
		fmt.Fprintf(&b, "  %s %s %s: %s\n", signs[c.Action], c.Action, who(c.User, c.Person), c.Reason)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, s := range c.Steps {
			fmt.Fprintf(tw, "      %s\t%s\t%s\n", s.Kind, report.Dash(s.Arg), s.Reason)
		}
		_ = tw.Flush()
	}
	if notices := p.Notices(); len(notices) > 0 {
		fmt.Fprintf(&b, "\nLeft to you:\n")
		for _, n := range notices {
			fmt.Fprintf(&b, "  %s  %s: %s\n", n.Scope, who(n.User, n.Person), n.Note)
		}
	}
	if len(p.Unmanaged) > 0 {
		fmt.Fprintf(&b, "\nNot managed by gatehouse (reported, never changed):\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, u := range p.Unmanaged {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.Scope, u.User, report.Dash(u.Email), u.Reason)
		}
		_ = tw.Flush()
	}
	if len(changes) > 0 || b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString(sentence(p.Directory, changes))
	_, err := w.Write(report.TrimLines(b.Bytes()))
	return err
}

// who names a user and, when it is not the same, the person.
func who(user, person string) string {
	switch {
	case user == "":
		return person
	case person == "" || strings.EqualFold(user, person):
		return user
	}
	return user + " (" + person + ")"
}

// sentence sums the plan up: "Plan: 1 to create, 2 to update, 1 to remove."
func sentence(directory string, changes []Change) string {
	if len(changes) == 0 {
		if directory == engine.DirectoryIdentityCenter {
			return "No changes: the identity store matches the spec.\n"
		}
		return "No changes: the accounts match the spec.\n"
	}
	sum := Summary(changes)
	var parts []string
	for _, a := range []string{ActionCreate, ActionUpdate, ActionSuspend, ActionReinstate, ActionRemove} {
		if sum[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", sum[a], a))
		}
	}
	return "Plan: " + strings.Join(parts, ", ") + ".\n"
}

// ApplyFormat names the JSON report's schema.
const ApplyFormat = "gatehouse-apply/1"

// RunIDs are the journal's runs apply started, in the order they ran.
func (r *Report) RunIDs() []int64 {
	var out []int64
	if r.Onboard != nil {
		out = append(out, r.Onboard.RunID)
	}
	for _, rep := range r.Reports() {
		out = append(out, rep.RunID)
	}
	return out
}

// WriteReport writes what apply did: each part's report as the lifecycle
// writes it — under a heading in a table, as one object in JSON.
func WriteReport(w io.Writer, format string, r *Report) error {
	parts := []struct {
		name    string
		write   func(io.Writer) error
		present bool
	}{
		{"onboard", func(w io.Writer) error { return onboard.WriteReport(w, format, r.Onboard) }, r.Onboard != nil},
		{"suspend", func(w io.Writer) error { return offboard.WriteReport(w, format, r.Suspend) }, r.Suspend != nil},
		{"reinstate", func(w io.Writer) error { return offboard.WriteReport(w, format, r.Reinstate) }, r.Reinstate != nil},
		{"remove", func(w io.Writer) error { return offboard.WriteReport(w, format, r.Remove) }, r.Remove != nil},
	}
	if format == FormatJSON {
		out := map[string]any{"format": ApplyFormat}
		for _, part := range parts {
			if !part.present {
				continue
			}
			var b bytes.Buffer
			if err := part.write(&b); err != nil {
				return err
			}
			out[part.name] = json.RawMessage(b.Bytes())
		}
		return report.JSON(w, out)
	}
	for _, part := range parts {
		if !part.present {
			continue
		}
		fmt.Fprintf(w, "\n== %s\n", part.name)
		if err := part.write(w); err != nil {
			return err
		}
	}
	return nil
}
