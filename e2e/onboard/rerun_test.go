package onboard_test

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
)

// Rerun idempotence: once a run has succeeded, running the same command
// again makes no mutating AWS call and sends no mail, as the sandbox counts
// them, and reports everyone unchanged — with no password in the report.
func TestRerunMakesNoChanges(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"))
	specPath, people := writeSpec(t, dir, "team.yaml", 0, 60, "ses")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	args := []string{"onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"),
		"--endpoint-url", sb.URL, "--concurrency", "32", "--rate-limit", "2000"}

	gh.MustRun(t, 0, args...)
	first := sb.requests(t)
	mails := len(sb.messages(t))
	if want := len(people); mails != want || first.Mutating == 0 { // one per person, every account in it
		t.Fatalf("the first run sent %d mails and made %d mutating calls; want %d mails and some calls", mails, first.Mutating, want)
	}

	for _, extra := range [][]string{nil, {"--output", "json"}} {
		before := sb.requests(t)
		r := gh.MustRun(t, 0, append(args, extra...)...)
		after := sb.requests(t)
		if after.Mutating != before.Mutating {
			t.Errorf("rerun %v: %d mutating calls, want 0:\n%s", extra, after.Mutating-before.Mutating, mutatingDiff(before, after))
		}
		if n := len(sb.messages(t)); n != mails {
			t.Errorf("rerun %v: %d mails sent, want 0", extra, n-mails)
		}
		if extra != nil {
			var rep struct {
				Users []struct {
					UserName, Status, Password string
				}
			}
			if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
				t.Fatalf("rerun --output json: %v\n%s", err, r.Stdout)
			}
			if len(rep.Users) != len(people)*len(members) {
				t.Errorf("rerun report has %d rows, want %d", len(rep.Users), len(people)*len(members))
			}
			for _, u := range rep.Users {
				if u.Status != "unchanged" || u.Password != "" {
					t.Errorf("rerun report: %s is %q with password %t; want unchanged, no password", u.UserName, u.Status, u.Password != "")
				}
			}
		}
	}
	checkLastCredentialsSignIn(t, sb, people)

	// The journal counts people, not spellings: two of them have users that
	// an earlier life of gatehouse created spelt in capitals in one account.
	hist := gh.MustRun(t, 0, "history", "--journal", filepath.Join(dir, "journal.db"), "--output", "json", "--limit", "0")
	var runs []struct {
		ID      int64
		Summary struct {
			People, Accounts, Succeeded, Delivered int
		}
	}
	if err := json.Unmarshal([]byte(hist.Stdout), &runs); err != nil || len(runs) != 3 {
		t.Fatalf("gatehouse history --output json: %d runs, %v\n%s", len(runs), err, hist.Stdout)
	}
	for _, r := range runs {
		if s := r.Summary; s.People != len(people) || s.Accounts != len(members) || s.Succeeded != len(people)*len(members) {
			t.Errorf("history: run %d counts %d people in %d accounts, %d succeeded; want %d people in %d accounts, %d succeeded",
				r.ID, s.People, s.Accounts, s.Succeeded, len(people), len(members), len(people)*len(members))
		}
	}
	if first := runs[len(runs)-1].Summary.Delivered; first != len(people)*len(members) {
		t.Errorf("history: the first run delivered %d, want %d", first, len(people)*len(members))
	}
}

// mutatingDiff lists the mutating actions whose counts grew between two snapshots.
func mutatingDiff(before, after requestCounts) string {
	was := map[[3]string]int{}
	for _, c := range before.Counts {
		was[[3]string{c.Account, c.Service, c.Action}] = c.Count
	}
	out := ""
	for _, c := range after.Counts {
		if d := c.Count - was[[3]string{c.Account, c.Service, c.Action}]; c.Mutating && d > 0 {
			out += "  " + c.Account + " " + c.Service + " " + c.Action + ": " + strconv.Itoa(d) + "\n"
		}
	}
	return out
}
