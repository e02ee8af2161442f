package onboard_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// Secrets never leak: gatehouse runs with SES delivery (first with a sender
// SES refuses, so every delivery fails and its error paths log, then for
// real), with `--deliver none --output json` into a file, again to check
// the reruns, and `gatehouse history` shows every run — all with -v. Then
// every password handed out is searched for, in the forms files and logs
// would hold it (raw, JSON-, HTML-, URL- and Go-quoted), in every log line,
// every journal row, the journal's files (-wal included), the sandbox's state
// and log, and every file under the work directory. It may only be in the
// output the user asked for (the JSON report of the none run) and in the
// sandbox's mail store, which stands in for the recipients' mailboxes. The
// passwords of the failed deliveries were never handed out, so they cannot be
// searched for by value: log lines and journal rows are also searched for
// anything shaped like a generated password. Control checks prove each
// search finds what it is looking for.
func TestSecretsNeverLeak(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"), "--state", filepath.Join(dir, "state"), "-v")
	sesSpec, sesPeople := writeSpec(t, dir, "mailed.yaml", 0, 40, "ses")
	noneSpec, nonePeople := writeSpec(t, dir, "in-report.yaml", 100, 20, "none")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	journalPath := filepath.Join(dir, "journal.db")
	common := []string{"--journal", journalPath, "--endpoint-url", sb.URL, "--concurrency", "16", "--rate-limit", "2000", "-v"}

	// Hold the journal open, as a second reader would, so SQLite keeps its
	// -wal file when gatehouse closes it: that file is searched too.
	held, err := journal.Open(ctx, journalPath)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o700); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(dir, "out", "report.json")
	runs := []struct {
		name string
		code int
		args []string
	}{
		{"ses-refused", 1, append([]string{"onboard", "-f", sesSpec, "--from", "nobody@unverified.example"}, common...)},
		{"ses", 0, append([]string{"onboard", "-f", sesSpec}, common...)},
		{"none", 0, append([]string{"onboard", "-f", noneSpec, "--deliver", "none", "--output", "json"}, common...)},
		{"ses-rerun", 0, append([]string{"onboard", "-f", sesSpec}, common...)},
		{"none-rerun", 0, append([]string{"onboard", "-f", noneSpec, "--deliver", "none", "--output", "json"}, common...)},
		{"history", 0, []string{"history", "--journal", journalPath, "--limit", "0"}},
		{"history-json", 0, []string{"history", "--journal", journalPath, "--limit", "0", "--output", "json"}},
	}
	var logFiles []string
	for _, run := range runs {
		r := gh.mustRun(t, run.code, run.args...)
		if run.name == "ses-refused" && !strings.Contains(r.Stderr, `msg="step failed"`) {
			t.Fatalf("the run with a sender SES refuses logged no failed step: its error path was not exercised\n%s", tail(r.Stderr, 20))
		}
		if run.name == "none" {
			writeFile(t, reportPath, r.Stdout) // gatehouse … --output json > report.json
		} else {
			logFiles = append(logFiles, writeFile(t, filepath.Join(logs, run.name+".stdout"), r.Stdout))
		}
		logFiles = append(logFiles, writeFile(t, filepath.Join(logs, run.name+".stderr"), r.Stderr))
	}
	for id := 1; id <= 5; id++ {
		for _, format := range []string{"table", "json"} {
			r := gh.mustRun(t, 0, "history", strconv.Itoa(id), "--journal", journalPath, "--output", format)
			logFiles = append(logFiles, writeFile(t, filepath.Join(logs, fmt.Sprintf("history-%d.%s", id, format)), r.Stdout+r.Stderr))
		}
	}

	// The passwords handed out: from the mails, and from the report.
	mailed := map[string]bool{}
	for _, list := range checkLastCredentialsSignIn(t, sb, sesPeople) {
		for _, c := range list {
			mailed[c.Password] = true
		}
	}
	reported := reportPasswords(t, reportPath, sb, nonePeople)
	if len(mailed) != len(sesPeople)*len(members) || len(reported) != len(nonePeople)*len(members) {
		t.Fatalf("%d passwords mailed and %d reported; want %d and %d", len(mailed), len(reported), len(sesPeople)*len(members), len(nonePeople)*len(members))
	}
	secrets := append(slices.Collect(maps.Keys(mailed)), reported...)
	lengths := map[int]bool{}
	for _, s := range secrets {
		lengths[len(s)] = true
	}

	// Controls: each search finds a password where one is.
	if hits := searchFile(t, reportPath, secrets); len(hits) != len(reported) {
		t.Fatalf("control: the search found %d passwords in the JSON report, want all %d there", len(hits), len(reported))
	}
	mail, rest := splitState(t, filepath.Join(dir, "state", "state.json"))
	if hits := search(mail, slices.Collect(maps.Keys(mailed))); len(hits) != len(mailed) {
		t.Fatalf("control: the search found %d of the %d mailed passwords in the sandbox's mail store", len(hits), len(mailed))
	}
	planted := filepath.Join(gh.home, "tmp", "planted.log")
	secret := secrets[0]
	for _, s := range secrets {
		if strings.ContainsAny(s, "&'") { // changed by JSON's and HTML's escaping
			secret = s
		}
	}
	writeFile(t, planted, fmt.Sprintf(`level=DEBUG msg="step done" detail=%s`+"\n", jsonInner(secret)))
	if leaks := searchTree(t, dir, secrets, reportPath); !slices.ContainsFunc(leaks, func(l string) bool { return strings.HasPrefix(l, planted) }) {
		t.Fatalf("control: a password planted in %s (JSON-escaped) was not found; found only %v", planted, leaks)
	}
	for _, line := range []string{`level=DEBUG detail=%s step=x`, `msg="step failed" error="setting (%s): oops"`, `{"Password":%q}`} {
		if found := shaped(fmt.Sprintf(line, secret), lengths); len(found) != 1 || found[0] != secret {
			t.Fatalf("control: the shape search found %v in a line holding one password: %s", found, fmt.Sprintf(line, secret))
		}
	}
	for _, s := range secrets {
		if found := shaped(s, lengths); len(found) != 1 {
			t.Fatalf("control: the shape search does not see a generated password as one: %v", found)
		}
	}
	if err := os.Remove(planted); err != nil {
		t.Fatal(err)
	}

	// The searches.
	for _, leak := range searchTree(t, dir, secrets, reportPath) {
		t.Errorf("a password is in %s", leak)
	}
	for _, hit := range search(rest, secrets) {
		t.Errorf("a password is in the sandbox's state outside its mail store: %s", hit)
	}
	for _, hit := range search(mail, reported) {
		t.Errorf("a password reported for delivery none was mailed: %s", hit)
	}
	for _, path := range logFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, s := range shaped(line, lengths) {
				t.Errorf("%s:%d: something shaped like a password (%d characters): %s", path, i+1, len(s), line)
			}
		}
	}
	rows := journalRows(t, journalPath)
	for _, row := range rows {
		for _, hit := range search([]byte(row), secrets) {
			t.Errorf("journal row %s holds a password (%s)", row, hit)
		}
		for _, s := range shaped(row, lengths) {
			t.Errorf("journal row holds something shaped like a password (%d characters): %s", len(s), row)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		if info, err := os.Stat(journalPath + suffix); err != nil || info.Size() == 0 {
			t.Errorf("journal file %s%s: %v (size %d); the search of it proved nothing", journalPath, suffix, err, sizeOf(info))
		} else if info.Mode().Perm() != 0o600 {
			t.Errorf("journal file %s%s has mode %v, want 0600", journalPath, suffix, info.Mode().Perm())
		}
	}
	t.Logf("searched for %d passwords (%d lengths) in %d log files, %d journal rows, the journal's files, the sandbox's state and log, and every file under the work directory",
		len(secrets), len(lengths), len(logFiles), len(rows))
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// reportPasswords reads the passwords out of a --output json report, checking
// that there is one per person per account and that each signs in.
func reportPasswords(t *testing.T, path string, sb *sandbox, people []person) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Users []struct{ UserName, Account, Password string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("the JSON report: %v\n%s", err, data)
	}
	var out []string
	for _, u := range rep.Users {
		if u.Password == "" {
			t.Errorf("the JSON report has no password for %s in account %s", u.UserName, u.Account)
			continue
		}
		if valid, _ := sb.signsIn(t, u.Account, u.UserName, u.Password); !valid {
			t.Errorf("the password reported for %s in account %s does not sign in", u.UserName, u.Account)
		}
		out = append(out, u.Password)
	}
	if len(rep.Users) != len(people)*len(members) {
		t.Errorf("the JSON report has %d users, want %d", len(rep.Users), len(people)*len(members))
	}
	return out
}

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
// state.json is searched without its mail store (see splitState).
func searchTree(t *testing.T, root string, secrets []string, allowed string) []string {
	t.Helper()
	var leaks []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == allowed {
			return err
		}
		var data []byte
		if filepath.Base(path) == "state.json" {
			_, data = splitState(t, path)
		} else if data, err = os.ReadFile(path); err != nil {
			return err
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

// splitState splits the sandbox's saved state into its mail store and everything else.
func splitState(t *testing.T, path string) (mail, rest []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
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
