package doctor

import (
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/report"
)

// jsonReport is the report as -o json writes it: every finding, the ones
// that passed included.
type jsonReport struct {
	Directory     string `json:",omitempty"`
	Caller        string `json:",omitempty"`
	CallerAccount string `json:",omitempty"`
	Accounts      []Account
	Findings      []Finding
	Errors        int
	Warnings      int
}

// Write writes the report as a table (findings that passed only when
// verbose) or as JSON (everything).
func Write(w io.Writer, format string, rep *Report, verbose bool) error {
	var err error
	if format == FormatJSON {
		err = report.JSON(w, jsonReport{Directory: rep.Directory, Caller: rep.Caller, CallerAccount: rep.CallerAccount, Accounts: rep.Accounts,
			Findings: rep.Findings, Errors: rep.Count(Error), Warnings: rep.Count(Warning)})
	} else {
		_, err = io.WriteString(w, text(rep, verbose))
	}
	if err != nil {
		return fmt.Errorf("writing the doctor's report: %w", err)
	}
	return nil
}

// checkWidth is the width of the check column.
const checkWidth = 17

func text(rep *Report, verbose bool) string {
	var b strings.Builder
	who := rep.Caller
	if who == "" {
		who = "unknown credentials"
	}
	what := report.Plural(len(rep.Accounts), "account", "accounts")
	if rep.Directory != "" {
		what = "IAM Identity Center"
	}
	fmt.Fprintf(&b, "gatehouse doctor: %s, as %s\n", what, who)
	section := func(title, account string) {
		var lines []string
		passed, lastFix := 0, ""
		for _, f := range rep.Findings {
			if f.Account != account {
				continue
			}
			if f.Severity == OK && !verbose {
				passed++
				continue
			}
			fix := f.Fix
			if fix != "" && fix == lastFix {
				f.Fix = "the same as above"
			}
			lastFix = fix
			lines = append(lines, findingLines(f)...)
		}
		if len(lines) == 0 && passed == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n", title)
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		if passed > 0 {
			fmt.Fprintf(&b, "  %s passed\n", report.Plural(passed, "check", "checks"))
		}
	}
	section("gatehouse (account "+report.Dash(rep.CallerAccount)+")", "")
	for _, a := range rep.Accounts {
		title := cmpOr(a.Noun, "account") + " " + a.ID
		if a.Name != "" {
			title += " " + a.Name
		}
		if a.SignInURL != "" {
			title += "  " + a.SignInURL
		}
		section(title, a.ID)
	}
	errs, warns, ok := rep.Count(Error), rep.Count(Warning), rep.Count(OK)
	fmt.Fprintf(&b, "\n%s, %s, %s passed", report.Plural(errs, "error", "errors"), report.Plural(warns, "warning", "warnings"),
		report.Plural(ok, "check", "checks"))
	if !verbose && ok > 0 {
		b.WriteString(" (-v lists them)")
	}
	if errs > 0 {
		b.WriteString(". A run would fail or be unsafe: fix the errors first.\n")
	} else {
		b.WriteString(". A run has what it needs.\n")
	}
	return b.String()
}

// findingLines are a finding's lines: severity, check and message, then
// its fix beneath.
func findingLines(f Finding) []string {
	pad := strings.Repeat(" ", 9+checkWidth)
	out := []string{fmt.Sprintf("%-7s  %-*s%s", f.Severity, checkWidth, f.Check, f.Message)}
	if f.Fix != "" {
		fix := strings.ReplaceAll(f.Fix, "\n", "\n"+pad+"     ")
		out = append(out, pad+"fix: "+fix)
	}
	return out
}
