package offboard

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/report"
)

// Output formats of the plan and the report.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// Formats lists the output formats, in the order messages show them.
var Formats = []string{FormatTable, FormatJSON}

// jsonPlan is the plan in JSON: every placement with what was discovered.
type jsonPlan struct {
	Action   Action
	Caller   string
	Accounts []jsonScope
	Targets  []jsonTarget
}

type jsonScope struct {
	ID   string
	Name string
}

type jsonTarget struct {
	Person   string
	Account  string
	UserName string
	State    State
	Note     string        `json:",omitempty"`
	Guard    string        `json:",omitempty"`
	Declined string        `json:",omitempty"`
	Error    string        `json:",omitempty"`
	Changes  []Change      `json:"Changes"`
	Record   engine.Record `json:",omitempty"`
}

// WritePlan prints the plan — the dry run — in format: per account, per user,
// what was found and what Apply will do with it.
func WritePlan(w io.Writer, format string, p *Plan) error {
	var err error
	if format == FormatJSON {
		out := jsonPlan{Action: p.Action, Caller: p.Caller, Accounts: []jsonScope{}, Targets: []jsonTarget{}}
		for _, s := range p.Scopes {
			out.Accounts = append(out.Accounts, jsonScope{ID: s.ID, Name: s.Name})
		}
		for _, pl := range p.Placements {
			out.Targets = append(out.Targets, jsonTarget{Person: pl.Person, Account: pl.Scope.ID, UserName: pl.UserName,
				State: pl.State, Note: pl.Note, Guard: pl.Guard, Declined: pl.Declined, Error: pl.Err,
				Changes: nonNil(p.Changes(pl)), Record: pl.Record})
		}
		err = report.JSON(w, out)
	} else {
		err = writePlanText(w, p)
	}
	if err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

func writePlanText(w io.Writer, p *Plan) error {
	var b bytes.Buffer
	act, alone, none := 0, 0, 0
	for _, pl := range p.Placements {
		switch {
		case len(p.Changes(pl)) > 0:
			act++
		case pl.Guard != "" || pl.Declined != "" || pl.Err != "":
			alone++
		default:
			none++
		}
	}
	noun := scopeNoun(p.Scopes)
	fmt.Fprintf(&b, "Plan: %s %s in %s (%d left alone, %d with nothing to do). Nothing has been changed; "+
		"run the same command with --yes to do it.\n", p.Action, report.Plural(act, "user", "users"),
		report.Plural(len(p.Scopes), noun, noun+"s"), alone, none)
	for _, s := range p.Scopes {
		name := s.ID
		if s.Name != "" {
			name += " (" + s.Name + ")"
		}
		fmt.Fprintf(&b, "\n%s %s\n", s.Noun, name)
		for _, pl := range p.Placements {
			if pl.Scope == s {
				writePlacementText(&b, p, pl)
			}
		}
	}
	_, err := w.Write(report.TrimLines(b.Bytes()))
	return err
}

func writePlacementText(b *bytes.Buffer, p *Plan, pl *Placement) {
	who := pl.Person
	if pl.UserName != "" && !strings.EqualFold(pl.UserName, pl.Person) {
		who += " → " + pl.UserName
	}
	fmt.Fprintf(b, "  %s: %s\n", who, pl.describe())
	if pl.Record == nil || pl.Err != "" {
		return
	}
	if pl.State != StateAbsent {
		fmt.Fprintf(b, "    tags: %s\n", report.Dash(tagLine(pl.Record.Tags())))
	}
	if kinds := pl.Record.NotChecked(); len(kinds) > 0 {
		fmt.Fprintf(b, "    not checked: %s (--unchecked: the backend lacks them)\n", strings.Join(kinds, ", "))
	}
	changes := p.Changes(pl)
	if len(changes) == 0 {
		if pl.Guard == "" && pl.Declined == "" {
			fmt.Fprintf(b, "    nothing to %s\n", p.Action)
		}
		return
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, c := range changes {
		fmt.Fprintf(tw, "    %s %s\t%s\t%s\n", c.Action, c.What, c.ID, c.Detail)
	}
	_ = tw.Flush()
}

// WriteReport writes the report in format (table or json).
func WriteReport(w io.Writer, format string, r *Report) error {
	var err error
	if format == FormatJSON {
		err = writeReportJSON(w, r)
	} else {
		err = writeReportTable(w, r)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// jsonRow is a row with the password revealed (channel none only).
type jsonRow struct {
	Row
	Password string `json:",omitempty"`
}

func writeReportJSON(w io.Writer, r *Report) error {
	rows := make([]jsonRow, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = jsonRow{Row: row, Password: row.Password.Reveal()}
	}
	return report.JSON(w, struct {
		RunID       int64
		Action      Action
		Interrupted bool `json:",omitempty"`
		Rows        []jsonRow
		Summary     map[Status]int
	}{r.RunID, r.Action, r.Interrupted, rows, r.statuses().Counts()})
}

func writeReportTable(w io.Writer, r *Report) error {
	withDelivery := false
	for _, row := range r.Rows {
		withDelivery = withDelivery || row.Delivery != ""
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	line := func(cells ...string) {
		if !withDelivery {
			cells = cells[:len(cells)-2]
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	line("ACCOUNT", "USER", "PERSON", "STATUS", "FOUND", "DONE", "LEFT", "ARCHIVE", "DELIVERY", "PASSWORD")
	for _, row := range r.Rows {
		line(row.Account, report.Dash(row.UserName), row.Person, string(row.Status), fmt.Sprint(row.Found), fmt.Sprint(len(row.Done)),
			fmt.Sprint(len(row.Left)), report.Dash(row.Archive), report.Dash(row.Delivery), report.Dash(row.Password.Reveal()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, row := range r.Rows {
		writeRowNotes(&b, row)
	}
	fmt.Fprintf(&b, "\n%s\n", r.Sentence())
	_, err := w.Write(report.TrimLines(b.Bytes()))
	return err
}

// writeRowNotes says, under the table, why a row is not done.
func writeRowNotes(b *bytes.Buffer, row Row) {
	if len(row.NotChecked) > 0 {
		fmt.Fprintf(b, "\n%s %s: not checked: %s (--unchecked)\n", row.Account, report.Dash(row.UserName), strings.Join(row.NotChecked, ", "))
	}
	if row.Status.OK() && len(row.Left) == 0 {
		return
	}
	who := row.Account + " " + report.Dash(row.UserName)
	if row.Error != "" {
		fmt.Fprintf(b, "\n%s: %s: %s\n", who, row.Status, row.Error)
	} else if len(row.Left) > 0 {
		fmt.Fprintf(b, "\n%s: %s\n", who, row.Status)
	}
	for _, l := range row.Left {
		fmt.Fprintf(b, "  left: %s: %s\n", l.What, l.Error)
	}
}

// Sentence sums the report up: "2 people in 3 accounts: 5 removed, 1 protected."
func (r *Report) Sentence() string {
	people := map[string]bool{}
	for _, row := range r.Rows {
		people[row.Person] = true
	}
	counts := r.statuses().Counts()
	var parts []string
	for _, s := range []Status{StatusRemoved, StatusSuspended, StatusReinstated, StatusUnchanged, StatusAbsent,
		StatusProtected, StatusRefused, StatusDeclined, StatusFailed, StatusNotStarted} {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		parts = []string{"nobody selected"}
	}
	noun := cmpOr(r.noun, "account")
	return fmt.Sprintf("%s in %s: %s.", report.Plural(len(people), "person", "people"), report.Plural(r.Accounts, noun, noun+"s"),
		strings.Join(parts, ", "))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
