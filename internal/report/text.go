// Package report writes what a run did for people to read and for programs
// to parse: the table's small habits, and JSON as gatehouse prints it.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Plural is "1 person" or "3 people".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Dash is s, or "-" for an empty cell.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TrimLines removes the spaces tabwriter leaves at the ends of lines.
func TrimLines(text []byte) []byte {
	lines := bytes.Split(text, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " ")
	}
	return bytes.Join(lines, []byte("\n"))
}

// JSON writes v indented, with a password's & < > as typed (not \u0026).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
