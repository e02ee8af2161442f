package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// Secrets never leak: gatehouse runs with mail delivery (first through a
// mail server that refuses every recipient, so every delivery fails after
// its password was set and the error paths log, then by SES for real), with `--deliver none --output json` into a file, again to check
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
	refusing := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext, Refuse: "*"})
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
		{"smtp-refused", 1, append([]string{"onboard", "-f", sesSpec, "--deliver", "smtp", "--smtp-addr", refusing.Addr(),
			"--smtp-tls", "none"}, common...)},
		{"ses", 0, append([]string{"onboard", "-f", sesSpec}, common...)},
		{"none", 0, append([]string{"onboard", "-f", noneSpec, "--deliver", "none", "--output", "json"}, common...)},
		{"ses-rerun", 0, append([]string{"onboard", "-f", sesSpec}, common...)},
		{"none-rerun", 0, append([]string{"onboard", "-f", noneSpec, "--deliver", "none", "--output", "json"}, common...)},
		{"history", 0, []string{"history", "--journal", journalPath, "--limit", "0"}},
		{"history-json", 0, []string{"history", "--journal", journalPath, "--limit", "0", "--output", "json"}},
	}
	var logFiles []string
	for _, run := range runs {
		r := gh.MustRun(t, run.code, run.args...)
		if run.name == "smtp-refused" && !strings.Contains(r.Stderr, `msg="step failed"`) {
			t.Fatalf("the run through a refusing mail server logged no failed step: its error path was not exercised\n%s", harness.Tail(r.Stderr, 20))
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
			r := gh.MustRun(t, 0, "history", strconv.Itoa(id), "--journal", journalPath, "--output", format)
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
	mail, rest := splitState(t, filepath.Join(dir, "state"))
	if hits := search(mail, slices.Collect(maps.Keys(mailed))); len(hits) != len(mailed) {
		t.Fatalf("control: the search found %d of the %d mailed passwords in the sandbox's mail store", len(hits), len(mailed))
	}
	planted := filepath.Join(gh.Home, "tmp", "planted.log")
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
