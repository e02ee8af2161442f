package onboard_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	sbx "github.com/gatehouse/gatehouse/sandbox"
)

// forms are the ways a secret can be written down: as it is, inside a JSON
// string (Go escapes & as \u0026), in HTML, in a URL or form body (how the
// Query protocol sends it), and inside a Go-quoted string (slog's text
// handler).
func forms(secret string) []string {
	quoted := strconv.Quote(secret)
	out := []string{secret, jsonInner(secret), html.EscapeString(secret), url.QueryEscape(secret), quoted[1 : len(quoted)-1]}
	slices.Sort(out)
	return slices.Compact(out)
}

func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// search returns a description of every secret found in data, in any form.
func search(data []byte, secrets []string) []string {
	var hits []string
	for _, s := range secrets {
		for _, f := range forms(s) {
			if i := bytes.Index(data, []byte(f)); i >= 0 {
				hits = append(hits, fmt.Sprintf("%q at byte %d", f, i))
				break
			}
		}
	}
	return hits
}

func searchFile(t *testing.T, path string, secrets []string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return search(data, secrets)
}

// searchTree searches every file under root except allowed; the sandbox's
// saved state (state.json and the change log after it) is searched as one,
// without its mail store (see splitState).
func searchTree(t *testing.T, root string, secrets []string, allowed string) []string {
	t.Helper()
	var leaks []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == allowed {
			return err
		}
		var data []byte
		switch filepath.Base(path) {
		case "state.json":
			_, data = splitState(t, filepath.Dir(path))
		case "state.log": // searched with state.json
			return nil
		default:
			if data, err = os.ReadFile(path); err != nil {
				return err
			}
		}
		for _, hit := range search(data, secrets) {
			leaks = append(leaks, path+": "+hit)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

// splitState splits the sandbox's saved state in dir — its snapshot and the
// change log after it, as a restart would load them — into its mail store
// and everything else.
func splitState(t *testing.T, dir string) (mail, rest []byte) {
	t.Helper()
	w, err := sbx.ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := w.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("decoding the state in %s: %v", dir, err)
	}
	mail = top["mail"]
	delete(top, "mail")
	for k, v := range top {
		rest = append(append(append(rest, k...), '='), v...)
		rest = append(rest, '\n')
	}
	return mail, rest
}

// passwordSymbols and inPassword say which characters a generated password is made of: IAM's
// letters, digits and its 20 accepted symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

func inPassword(r rune) bool {
	return r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(passwordSymbols, r))
}

var logKey = regexp.MustCompile(`^[a-z][a-z_.]*=(.+)$`)

// shaped returns the words of line that look like a generated password: as
// long as one, made of a password's characters only, with all four kinds
// (upper case, lower case, digit, symbol), as gatehouse's generator makes
// every password (the controls check it did). A word is also looked at
// without a slog key (key=value) and without brackets around it, since both
// are made of a password's characters too.
func shaped(line string, lengths map[int]bool) []string {
	var out []string
	for _, word := range strings.FieldsFunc(line, func(r rune) bool { return !inPassword(r) }) {
		candidates := []string{word}
		if m := logKey.FindStringSubmatch(word); m != nil {
			candidates = append(candidates, m[1]) // key=value, as slog's text handler writes it
		}
		for _, c := range candidates {
			for _, pair := range []string{"()", "[]", "{}"} {
				if len(c) > 2 && c[0] == pair[0] && c[len(c)-1] == pair[1] {
					candidates = append(candidates, c[1:len(c)-1])
				}
			}
		}
		for _, c := range candidates {
			if lengths[len(c)] && passwordKinds(c) == 4 {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// passwordKinds counts the kinds of character in s: upper case, lower case, digit, symbol.
func passwordKinds(s string) int {
	kinds := 0
	for _, class := range []func(rune) bool{
		func(r rune) bool { return r >= 'A' && r <= 'Z' },
		func(r rune) bool { return r >= 'a' && r <= 'z' },
		func(r rune) bool { return r >= '0' && r <= '9' },
		func(r rune) bool { return strings.ContainsRune(passwordSymbols, r) },
	} {
		if strings.ContainsFunc(s, class) {
			kinds++
		}
	}
	return kinds
}

// journalRows reads every row of every table of the journal file with
// SQLite itself (the driver internal/journal registers), one line per row:
// "table: column: value …".
func journalRows(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var name string
		if err := tables.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := tables.Close(); err != nil {
		t.Fatal(err)
	}
	var rows []string
	perTable := map[string]int{}
	for _, name := range names {
		r, err := db.Query(`SELECT * FROM "` + name + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := name + ":"
			for i, c := range cols {
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
				line += fmt.Sprintf(" %s: %v", c, vals[i])
			}
			rows = append(rows, line)
			perTable[name]++
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"runs", "steps", "people", "credentials", "deliveries"} {
		if perTable[name] == 0 {
			t.Fatalf("the journal's table %s has no rows (tables: %v): not the runs this test made", name, perTable)
		}
	}
	return rows
}

func sizeOf(info fs.FileInfo) int64 {
	if info == nil {
		return 0
	}
	return info.Size()
}
