package spec

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with the input: what is wrong, where, and how to
// fix it.
type Problem struct {
	Pos  Pos
	What string // the offending thing, e.g. `user name "a b"`; may be empty
	Fix  string // why it is wrong and what to do about it
}

// String renders the problem as one line, e.g.
//
//	user name "a b" at team.yaml:12: IAM user names are 1–64 characters from …
func (p Problem) String() string {
	where := p.Pos.String()
	switch {
	case p.What == "" && where == "":
		return p.Fix
	case p.What == "":
		return where + ": " + p.Fix
	case where == "":
		return p.What + ": " + p.Fix
	case p.Pos.Flag != "" && p.Pos.Line == 0 && p.Pos.Arg == 0:
		return p.What + " from " + where + ": " + p.Fix
	case p.Pos.Line == 0 && p.Pos.Arg == 0:
		return p.What + " in " + where + ": " + p.Fix
	}
	return p.What + " at " + where + ": " + p.Fix
}

// String renders a position as "file:line", "argument N", "--flag" or "file".
func (p Pos) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	case p.Arg > 0:
		return "argument " + strconv.Itoa(p.Arg)
	case p.Flag != "":
		return p.Flag
	}
	return p.File
}

// Problems is every problem found in an input. Parse and FromArgs return it as
// their error; the CLI prints it (Render) and exits with code 2.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	var b strings.Builder
	if len(ps) > 1 {
		fmt.Fprintf(&b, "%d problems in the input:\n", len(ps))
	}
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		if len(ps) > 1 {
			b.WriteString("  ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Render writes one problem per line to w, for people to read.
func (ps Problems) Render(w io.Writer) error {
	for _, p := range ps {
		if _, err := fmt.Fprintln(w, p.String()); err != nil {
			return fmt.Errorf("writing input problems: %w", err)
		}
	}
	return nil
}

// add records a problem.
func (ps *Problems) add(pos Pos, what, fix string) {
	*ps = append(*ps, Problem{Pos: pos, What: what, Fix: fix})
}

// sorted orders problems for reading: command-line problems first, then by file
// and line, keeping discovery order among equals.
func (ps Problems) sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if (a.Flag != "") != (b.Flag != "") {
			return a.Flag != ""
		}
		if a.Arg != b.Arg {
			return a.Arg < b.Arg
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0 // problems with the whole file after those with a line
		}
		return a.Line < b.Line
	})
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// quote renders an input value inside a message.
func quote(s string) string { return strconv.Quote(s) }

// oneOf renders an enum's values for a message: "ses, none".
func oneOf(values []string) string { return strings.Join(values, ", ") }
