package onboard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// setSESAccount changes account's SES sending status in the sandbox, as AWS
// support would.
func (s *sandbox) setSESAccount(t testing.TB, account string, settings map[string]any) {
	t.Helper()
	settings["account"] = account
	s.Inspect(t, "POST", "ses/account", settings, nil)
}

// calls counts an action's calls and failed calls in one account.
func (c requestCounts) calls(account, action string) (calls, failed int) {
	for _, row := range c.Counts {
		if row.Account == account && row.Action == action {
			calls += row.Count
			failed += row.Errors
		}
	}
	return calls, failed
}

// busiestSecond is the most messages SES accepted within one second.
func busiestSecond(msgs []message) int {
	ts := make([]time.Time, len(msgs))
	for i, m := range msgs {
		ts[i] = m.Timestamp
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// sesPeople is how many people TestSESQuotaPacesTheRun mails: 60 keeps CI
// quick (about 13 s of mail at 5 a second); GATEHOUSE_E2E_SES_PEOPLE=200
// runs the full 200.
func sesPeople(t *testing.T) int {
	if env := os.Getenv("GATEHOUSE_E2E_SES_PEOPLE"); env != "" {
		n, err := strconv.Atoi(env)
		if err != nil || n < 1 {
			t.Fatalf("GATEHOUSE_E2E_SES_PEOPLE=%q: want a number of people", env)
		}
		return n
	}
	return 60
}

// An account whose SES quota is 5 messages a second gets at most 5
// SendEmail calls in any second of a run that mails everyone — many seconds
// of mail — and SES throttles none of them.
func TestSESQuotaPacesTheRun(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	const rate = 5
	people := sesPeople(t)
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"))
	sb.setSESAccount(t, management, map[string]any{"max_send_rate": rate})
	specPath, _ := writeSpec(t, dir, "team.yaml", 0, people, "ses")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	gh.MustRun(t, 0, "onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"),
		"--endpoint-url", sb.URL, "--concurrency", "64", "--rate-limit", "2000")

	msgs := sb.messages(t)
	calls, refused := sb.requests(t).calls(management, "SendEmail")
	if len(msgs) != people || calls != people || refused != 0 {
		t.Errorf("%d mails, %d SendEmail calls of which %d refused; want %d of each, none refused", len(msgs), calls, refused, people)
	}
	if n := busiestSecond(msgs); n > rate {
		t.Errorf("SES accepted %d messages within one second; the account's quota is %d", n, rate)
	}
	first, last := msgs[0].Timestamp, msgs[len(msgs)-1].Timestamp
	if span, want := last.Sub(first), time.Duration(people/rate-1)*time.Second; span < want {
		t.Errorf("the mail went out over %v, less than %v: not paced", span, want)
	}
	t.Logf("%d messages over %v: %.2f a second", len(msgs), last.Sub(first).Round(time.Millisecond),
		float64(len(msgs)-1)/last.Sub(first).Seconds())
}

// exampleWorld is the example world: its development account is in SES's
// sending sandbox, with example.com verified.
func exampleWorld(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "examples", "sandbox", "world.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// In SES's sending sandbox, recipients that are not verified are the plan's
// problems — in onboard, its dry run and plan alike — before any user is
// created, each with the command that verifies it; verified, they go.
func TestSendingSandboxRecipientsAreCheckedFirst(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, exampleWorld(t), filepath.Join(dir, "sandbox.log"))
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	gh.Env = slices.DeleteFunc(gh.Env, func(v string) bool { return strings.HasPrefix(v, "AWS_ACCESS_KEY_ID=") })
	gh.Env = append(gh.Env, "AWS_ACCESS_KEY_ID="+development) // SES sends from the development account
	specPath := filepath.Join(dir, "team.yaml")
	spec := fmt.Sprintf(`version: 1
accounts: [%q]
delivery: {channel: ses, from: noreply@example.com}
people:
  - email: alice@example.com
  - email: stranger@elsewhere.test
  - email: success@simulator.amazonses.com
`, development)
	if err := os.WriteFile(specPath, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	at := []string{"--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL}
	for _, args := range [][]string{
		{"onboard", "-f", specPath, "--dry-run"},
		{"onboard", "-f", specPath},
		{"plan", "-f", specPath},
	} {
		r := gh.MustRun(t, 2, append(args, at...)...)
		for _, want := range []string{"recipient stranger@elsewhere.test at " + specPath + ":6", "sending sandbox",
			"aws sesv2 create-email-identity --email-identity stranger@elsewhere.test --region us-east-1", "production access"} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("%v: stderr does not say %q:\n%s", args, want, r.Stderr)
			}
		}
		if strings.Contains(r.Stderr, "recipient alice@") || strings.Contains(r.Stderr, "recipient success@") {
			t.Errorf("%v: a verified recipient, or SES's simulator, is reported:\n%s", args, r.Stderr)
		}
	}
	if c := sb.requests(t); c.Mutating != 0 {
		t.Fatalf("%d mutating calls before the recipients were verified: %+v", c.Mutating, c.Counts)
	}

	// The fix the message gives, then the run.
	api := sesv2.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(sb.URL),
		Credentials: credentials.NewStaticCredentialsProvider(development, "x", "")})
	if _, err := api.CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("stranger@elsewhere.test")}); err != nil {
		t.Fatal(err)
	}
	gh.MustRun(t, 0, append([]string{"onboard", "-f", specPath}, at...)...)
	if msgs := sb.messages(t); len(msgs) != 3 {
		t.Errorf("%d mails after verifying the stranger, want 3", len(msgs))
	}
}

// The sending sandbox's 200 recipients a day: a run that would mail more is
// stopped by its plan.
func TestSESDailyQuotaIsCheckedFirst(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, exampleWorld(t), filepath.Join(dir, "sandbox.log"))
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	gh.Env = append(slices.DeleteFunc(gh.Env, func(v string) bool { return strings.HasPrefix(v, "AWS_ACCESS_KEY_ID=") }), "AWS_ACCESS_KEY_ID="+development)
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\naccounts: [%q]\ndelivery: {channel: ses, from: noreply@example.com}\npeople:\n", development)
	for i := range 201 {
		fmt.Fprintf(&b, "  - email: person%03d@example.com\n", i)
	}
	specPath := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(specPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := gh.MustRun(t, 2, "onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL)
	if !strings.Contains(r.Stderr, "would send 201 message(s) through SES in us-east-1, and the sending account's daily quota takes 200 more") {
		t.Errorf("stderr does not name the daily quota:\n%s", r.Stderr)
	}
	if c := sb.requests(t); c.Mutating != 0 {
		t.Errorf("%d mutating calls", c.Mutating)
	}
}
