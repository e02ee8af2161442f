package offboard_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Offboarding from several accounts works on them together: each account has
// its own rate limit (IAM's, and gatehouse's --rate-limit per account), so a
// run that finishes one account before it starts the next takes as long as
// all the accounts' budgets added up instead of the busiest one's — five
// times the bound with five accounts (BENCHMARKS.md, Offboarding, 2).
//
// The order is read from the sandbox's request log, not from a clock: with
// two users in flight (--concurrency 2) and the people listed account by
// account, the first users discovered and the first users deleted must come
// from both accounts.
func TestAccountsWorkedOnTogether(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var everyone []person
	for i := range 8 {
		everyone = append(everyone, person{Email: fmt.Sprintf("mover%d@example.com", i),
			UserName: fmt.Sprintf("mover%d@example.com", i), Accounts: []string{production, development}})
	}
	logPath := filepath.Join(dir, "sandbox.log")
	sb := startSandbox(t, writeFixture(t, dir, everyone), logPath, "--latency", "20ms", "-v")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	gh.MustRun(t, 0, "offboard", "-f", writePeople(t, dir, everyone), "--account", production+","+development, "--yes",
		"--concurrency", "2", "--rate-limit", "1000", "--journal", filepath.Join(dir, "journal.db"),
		"--archive", filepath.Join(dir, "archive"), "--endpoint-url", sb.URL)

	for _, action := range []string{"GetUser", "DeleteUser"} {
		order := accountsInLog(t, logPath, action)
		if len(order) < 4 {
			t.Fatalf("the sandbox logged %d %s calls, want at least 4", len(order), action)
		}
		first := order[:4]
		if !contains(first, production) || !contains(first, development) {
			t.Errorf("the first four %s calls all went to one account (%s): the accounts are worked on one after "+
				"another, each waiting for the one before; whole order: %s", action, strings.Join(first, ", "), compact(order))
		}
	}
}

var requestLine = regexp.MustCompile(`msg=request account=(\d{12}) service=iam action=(\w+) `)

// accountsInLog lists, in the order the sandbox answered them, the accounts
// of the calls of action in the member accounts.
func accountsInLog(t *testing.T, path, action string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := requestLine.FindStringSubmatch(sc.Text()); m != nil && m[2] == action && (m[1] == production || m[1] == development) {
			out = append(out, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compact writes an account order as runs: "222222222222×8, 333333333333×8".
func compact(order []string) string {
	var parts []string
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && order[j] == order[i] {
			j++
		}
		parts = append(parts, fmt.Sprintf("%s×%d", order[i], j-i))
		i = j
	}
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
