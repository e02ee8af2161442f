package audit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/internal/report"
)

// Output formats of the report.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
)

// Formats lists the output formats, in the order messages show them.
var Formats = []string{FormatTable, FormatJSON, FormatCSV}

// csvHeader is the CSV report's columns: one row per finding.
var csvHeader = []string{"account", "user_name", "email", "managed", "finding", "detail", "candidate", "guard"}

// Write prints the report in format: one row per finding.
func Write(w io.Writer, format string, r *Report) error {
	var err error
	switch format {
	case FormatJSON:
		out := *r
		if out.Users == nil {
			out.Users = []User{}
		}
		err = report.JSON(w, out)
	case FormatCSV:
		err = writeCSV(w, r)
	default:
		err = writeTable(w, r)
	}
	if err != nil {
		return fmt.Errorf("writing the audit report: %w", err)
	}
	return nil
}

func writeCSV(w io.Writer, r *Report) error {
	cw := report.NewCSVWriter(w)
	_ = cw.Write(csvHeader)
	for _, u := range r.Users {
		for _, f := range u.Findings {
			_ = cw.Write([]string{u.Scope, u.UserName, u.Email, fmt.Sprint(u.Managed), f.Kind, f.Detail, fmt.Sprint(u.Candidate), u.Guard})
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, r *Report) error {
	var b bytes.Buffer
	fmt.Fprintln(&b, r.summary())
	fmt.Fprintf(&b, "Thresholds: unused %d days, rotation %d days. Offboarding candidates: users with %s.\n",
		r.Thresholds.UnusedDays, r.Thresholds.RotationDays, strings.Join(r.Candidates, ", "))
	if len(r.Users) > 0 {
		fmt.Fprintln(&b)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tUSER\tFINDING\tDETAIL\tOFFBOARD")
		for _, u := range r.Users {
			for _, f := range u.Findings {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Scope, u.UserName, f.Kind, f.Detail, u.offboard())
			}
		}
		_ = tw.Flush()
	}
	for _, s := range r.Scopes {
		if len(s.NotInReport) > 0 {
			fmt.Fprintf(&b, "\n%s %s: %s created after its credential report of %s; their credentials were not checked "+
				"(AWS makes a new report at most every four hours): %s\n", s.Noun, s.ID,
				report.Plural(len(s.NotInReport), "user", "users"), stamp(s.AsOf), strings.Join(s.NotInReport, ", "))
		}
	}
	for _, s := range r.Scopes {
		if s.Error != "" {
			fmt.Fprintf(&b, "\n%s %s was not audited: %s\n", s.Noun, s.ID, s.Error)
		}
	}
	_, err := w.Write(report.TrimLines(b.Bytes()))
	return err
}

// summary is the report's first line.
func (r *Report) summary() string {
	users, candidates := 0, 0
	for _, s := range r.Scopes {
		users += s.Users
	}
	for _, u := range r.Users {
		if u.Candidate {
			candidates++
		}
	}
	noun := "account"
	if len(r.Scopes) > 0 && r.Scopes[0].Noun != "" {
		noun = r.Scopes[0].Noun
	}
	line := fmt.Sprintf("Audit of %s: %s on %d of %s; %s.", report.Plural(len(r.Scopes), noun, noun+"s"),
		report.Plural(r.Findings(), "finding", "findings"), len(r.Users), report.Plural(users, "user", "users"),
		report.Plural(candidates, "offboarding candidate", "offboarding candidates"))
	if n := r.Failed(); n > 0 {
		line += fmt.Sprintf(" %d not audited (below).", n)
	}
	return line
}

// offboard is the OFFBOARD column: whether the user is a candidate, or why
// it is never one.
func (u User) offboard() string {
	switch {
	case u.Guard != "":
		return "never: " + u.Guard
	case u.Candidate:
		return "candidate"
	}
	return "-"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
