package onboard

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/internal/report"
)

// Output formats of the report and the plan.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
)

// Formats lists the output formats, in the order messages show them.
var Formats = []string{FormatTable, FormatJSON, FormatCSV}

// jsonUser is one row of the JSON report: seed 001's UserName, LoginURL and
// Password, and gatehouse's own fields after them.
type jsonUser struct {
	UserName string
	LoginURL string
	Password string `json:",omitempty"`
	Account  string
	Email    string `json:",omitempty"`
	Status   Status
	Delivery string   `json:",omitempty"`
	Error    string   `json:",omitempty"`
	Steps    []string `json:",omitempty"`
}

// jsonReport is the JSON report: a superset of seed 001's output,
// {"Users":[{"UserName","LoginURL","Password"}]}.
type jsonReport struct {
	Users       []jsonUser
	RunID       int64
	Interrupted bool `json:",omitempty"`
	Summary     map[Status]int
}

// WriteReport writes the report in format (table, json or csv). Passwords
// appear only here, and only for people whose channel is none.
func WriteReport(w io.Writer, format string, r *Report) error {
	var err error
	switch format {
	case FormatJSON:
		err = writeReportJSON(w, r)
	case FormatCSV:
		err = writeReportCSV(w, r)
	default:
		err = writeReportTable(w, r)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

func writeReportJSON(w io.Writer, r *Report) error {
	out := jsonReport{Users: make([]jsonUser, 0, len(r.Rows)), RunID: r.RunID, Interrupted: r.Interrupted, Summary: r.statuses().Counts()}
	for _, row := range r.Rows {
		out.Users = append(out.Users, jsonUser{
			UserName: row.UserName, LoginURL: row.SignInURL, Password: row.Password.Reveal(),
			Account: row.Account, Email: row.Email, Status: row.Status, Delivery: row.Delivery, Error: row.Error, Steps: row.Steps,
		})
	}
	return report.JSON(w, out)
}

var csvHeader = []string{"account", "user_name", "email", "status", "sign_in_url", "delivery", "error", "password"}

func writeReportCSV(w io.Writer, r *Report) error {
	cw := report.NewCSVWriter(w)
	_ = cw.Write(csvHeader)
	for _, row := range r.Rows {
		_ = cw.Write([]string{row.Account, row.UserName, row.Email, string(row.Status), row.SignInURL, row.Delivery, row.Error, row.Password.Reveal()})
	}
	cw.Flush()
	return cw.Error()
}

func writeReportTable(w io.Writer, r *Report) error {
	withPasswords, withErrors := false, false
	for _, row := range r.Rows {
		withPasswords = withPasswords || !row.Password.Empty()
		withErrors = withErrors || row.Error != ""
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	line := func(cells []string, password, errText string) {
		if withPasswords {
			cells = append(cells, password)
		}
		if withErrors {
			cells = append(cells, errText)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	line([]string{"ACCOUNT", "USER", "E-MAIL", "STATUS", "SIGN-IN URL", "DELIVERY"}, "PASSWORD", "ERROR")
	for _, row := range r.Rows {
		line([]string{row.Account, row.UserName, report.Dash(row.Email), string(row.Status), report.Dash(row.SignInURL), report.Dash(row.Delivery)},
			report.Dash(row.Password.Reveal()), row.Error)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n%s\n", r.Sentence())
	_, err := w.Write(report.TrimLines(b.Bytes()))
	return err
}

// Sentence sums the report up: "6 people in 2 accounts: 4 created, 2 unchanged."
func (r *Report) Sentence() string {
	people, accounts := map[string]bool{}, map[string]bool{}
	for _, row := range r.Rows {
		people[strings.ToLower(row.UserName)] = true
		accounts[row.Account] = true
	}
	counts := r.statuses().Counts()
	var parts []string
	for _, s := range []Status{StatusCreated, StatusUpdated, StatusAdopted, StatusUnchanged, StatusSkipped, StatusFailed, StatusNotStarted} {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	noun := cmpOr(r.noun, "account")
	return fmt.Sprintf("%s in %s: %s.", report.Plural(len(people), "person", "people"), report.Plural(len(accounts), noun, noun+"s"),
		strings.Join(parts, ", "))
}
