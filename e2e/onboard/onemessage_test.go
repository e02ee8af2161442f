package onboard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// twoPeopleSpec onboards ann and ben into every member account, by SES.
func twoPeopleSpec(t *testing.T, dir string) string {
	t.Helper()
	spec := fmt.Sprintf(`version: 1
accounts: [%q, %q, %q]
delivery: {channel: ses, from: %q}
defaults: {groups: [developers]}
people:
  - {email: ann@example.com, name: Ann}
  - {email: ben@example.com, name: Ben}
`, production, development, playground, sender)
	path := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mailTo returns the mails to addr, and the credentials each carries.
func mailTo(t *testing.T, msgs []message, addr string) [][]credential {
	t.Helper()
	var out [][]credential
	for _, m := range msgs {
		if len(m.Destinations) == 1 && sameAddress(m.Destinations[0], addr) {
			cs, err := parseMail(m)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, cs)
		}
	}
	return out
}

// checkOneMessageSignsIn checks that cs holds one credential for each member
// account, each of which signs in (and must be changed then).
func checkOneMessageSignsIn(t *testing.T, sb *sandbox, who string, cs []credential) {
	t.Helper()
	var accounts []string
	for _, c := range cs {
		accounts = append(accounts, c.Account)
		if valid, reset := sb.signsIn(t, c.Account, c.UserName, c.Password); !valid || !reset {
			t.Errorf("%s's password for account %s in message %s signs in: %v, reset required: %v; want both", who, c.Account, c.Message, valid, reset)
		}
	}
	slices.Sort(accounts)
	if !slices.Equal(accounts, members) {
		t.Errorf("%s's message lists accounts %v, want %v", who, accounts, members)
	}
}

// One person onboarded into three accounts through SES gets one message
// carrying three credentials, each of which signs in.
func TestOnePersonThreeAccountsOneMessage(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"))
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	gh.MustRun(t, 0, "onboard", "ann@example.com", "--account", strings.Join(members, ","), "--from", sender,
		"--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL)
	msgs := sb.messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "3 accounts") {
		t.Fatalf("%d mails (first subject %q), want one for 3 accounts", len(msgs), subjectOf(msgs))
	}
	checkOneMessageSignsIn(t, sb, "ann", mailTo(t, msgs, "ann@example.com")[0])
}

func subjectOf(msgs []message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[0].Subject
}

// kill -9 between issuing and delivering: two people, each in three
// accounts, each to get one message. SES takes the first message, then —
// its clock stopped, at a quota of one a second — throttles the second for
// as long as the test likes: the second person's three passwords are set
// and not delivered when gatehouse is killed. The rerun re-issues exactly
// those three (UpdateLoginProfile once in each account, nothing for the
// first person), in one message, and everyone ends with one working
// password per account.
func TestKill9BetweenIssuingAndDelivering(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"))
	sb.setSESAccount(t, management, map[string]any{"max_send_rate": 1})
	sb.Inspect(t, "POST", "clock", map[string]any{"freeze": true}, nil)
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	jpath := filepath.Join(dir, "journal.db")
	args := []string{"onboard", "-f", twoPeopleSpec(t, dir), "--journal", jpath, "--endpoint-url", sb.URL}

	run := gh.Start(t, args...)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c := sb.requests(t)
		profiles, _ := c.action("CreateLoginProfile")
		_, throttled := c.calls(management, "SendEmail")
		if profiles == 6 && throttled > 0 {
			break
		}
		if run.Exited() || time.Now().After(deadline) {
			t.Fatalf("gatehouse ended, or never reached the second message (%d login profiles, %d SendEmail refused)", profiles, throttled)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The first message's confirmation was journaled before the second
	// message could leave (a second after SES answered the first); one more
	// second leaves room for a slow disk. The second message is retried for
	// longer than that (the SDK's backoff, then onboarding's 2 s and 4 s).
	time.Sleep(time.Second)
	if killed, code := run.Kill(); !killed {
		t.Fatalf("gatehouse finished (exit %d) before it was killed", code)
	}
	msgs := sb.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d mails before the kill, want 1", len(msgs))
	}
	first, second := "ann@example.com", "ben@example.com"
	if !sameAddress(msgs[0].Destinations[0], first) {
		first, second = second, first
	}
	firstCreds := mailTo(t, msgs, first)[0]
	checkOneMessageSignsIn(t, sb, first, firstCreds)

	unconfirmed := unconfirmedIn(t, jpath)
	want := []string{production + " " + second, development + " " + second, playground + " " + second}
	if slices.Sort(want); !slices.Equal(unconfirmed, want) {
		t.Fatalf("journal after the kill: unconfirmed %v, want %v", unconfirmed, want)
	}

	sb.Inspect(t, "POST", "clock", map[string]any{"freeze": false}, nil)
	before := sb.requests(t)
	gh.MustRun(t, 0, args...)
	after := sb.requests(t)
	for _, account := range members {
		was, _ := before.calls(account, "UpdateLoginProfile")
		now, _ := after.calls(account, "UpdateLoginProfile")
		if now-was != 1 {
			t.Errorf("account %s: the rerun called UpdateLoginProfile %d times, want once (%s's unconfirmed credential)", account, now-was, second)
		}
		was, _ = before.calls(account, "CreateLoginProfile")
		if now, _ := after.calls(account, "CreateLoginProfile"); now != was {
			t.Errorf("account %s: the rerun called CreateLoginProfile %d times, want none", account, now-was)
		}
	}
	msgs = sb.messages(t)
	if len(mailTo(t, msgs, first)) != 1 || len(mailTo(t, msgs, second)) != 1 || len(msgs) != 2 {
		t.Fatalf("after the rerun: %d mails, want one to each person", len(msgs))
	}
	checkOneMessageSignsIn(t, sb, first, firstCreds)
	checkOneMessageSignsIn(t, sb, second, mailTo(t, msgs, second)[0])
	if left := unconfirmedIn(t, jpath); len(left) != 0 {
		t.Errorf("journal after the rerun: unconfirmed %v", left)
	}
}

// unconfirmedIn lists the journal's unconfirmed credentials as "account user".
func unconfirmedIn(t *testing.T, path string) []string {
	t.Helper()
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	left, err := j.Unconfirmed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range left {
		out = append(out, p.Account+" "+strings.ToLower(p.UserName))
	}
	slices.Sort(out)
	return out
}
