package events_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seed003World is world with seed 003's wiring across accounts, as an
// organisation runs it: the member's CloudTrail events go through the
// member's EventBridge rules (the test's) to the management account's SNS
// topics — enveloped (iam-users) or raw (iam-users-raw) — or straight to its
// queue, new-users, whose dead-letter queue takes a message after
// maxReceives receives. The watcher runs with the management account's
// credentials and enters the member through its role.
func seed003World(maxReceives int, rules string) string {
	return fmt.Sprintf(`
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Member, email: x@example.com}
accounts:
  "111111111111":
    ses_identities: {us-east-1: [it@example.com]}
    sqs_queues:
      - name: new-users-dlq
      - name: new-users
        redrive: {dead_letter_queue: new-users-dlq, max_receive_count: %d}
    sns_topics:
      - name: iam-users
        subscriptions: [{queue: new-users}]
      - name: iam-users-raw
        subscriptions: [{queue: new-users, raw_message_delivery: true}]
  "222222222222":
    groups: [{name: staff}, {name: developers}, {name: contractors}]
    roles:
      - name: OrganizationAccountAccessRole
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    event_rules:
%s`, maxReceives, rules)
}

const (
	// createUserPattern is seed 003's rule: successful CreateUser calls.
	createUserPattern = `{source: [aws.iam], detail-type: [AWS API Call via CloudTrail], detail: {eventName: [CreateUser], errorCode: [{exists: false}]}}`
	topicARN          = "arn:aws:sns:us-east-1:111111111111:iam-users"
	rawTopicARN       = "arn:aws:sns:us-east-1:111111111111:iam-users-raw"
	queueARN          = "arn:aws:sqs:us-east-1:111111111111:new-users"
)

// rule is one event_rules entry of seed003World.
func rule(name, pattern string, targets ...string) string {
	var ts []string
	for i, arn := range targets {
		ts = append(ts, fmt.Sprintf("{id: t%d, arn: %q}", i, arn))
	}
	return fmt.Sprintf("      - name: %s\n        event_pattern: %s\n        targets: [%s]\n", name, pattern, strings.Join(ts, ", "))
}

func (e *env) queueURL(name string) string { return e.sb.URL + "/" + mgmt + "/" + name }

// journal is the journal every watcher of the test shares.
func (e *env) journal() string { return filepath.Join(e.dir, "journal.db") }

// startWatcher starts `gatehouse watch` on new-users with the test's journal
// and a short visibility (so a failed or abandoned message is back in three
// seconds), killed when the test ends if it still runs. Its rate limit is
// out of the way: at the adaptive default (100 calls a second per account)
// 500 events of 16 member calls each take 80 s, which BENCHMARKS.md measures.
func (e *env) startWatcher(t *testing.T, extra ...string) *harness.Process {
	t.Helper()
	args := append([]string{"watch", "--queue", e.queueURL("new-users"), "--visibility", "3s", "--journal", e.journal(),
		"--rate-limit", "2000"}, extra...)
	p := e.gatehouse(t).Start(t, args...)
	t.Cleanup(func() {
		if killed, _ := p.Kill(); killed || t.Failed() {
			t.Logf("watcher log (tail):\n%s", harness.Tail(p.Output(), 30))
		}
	})
	return p
}

// sqsClient signs as the management account, which owns the queues.
func (e *env) sqsClient() *sqs.Client {
	return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.sb.URL),
		Credentials: credentials.NewStaticCredentialsProvider(mgmt, "x", "")})
}

// depth is how many messages the queue holds: visible, and in flight.
func (e *env) depth(t *testing.T, queue string) (visible, inFlight int) {
	t.Helper()
	out, err := e.sqsClient().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(e.queueURL(queue)),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatalf("reading %s's attributes: %v", queue, err)
	}
	visible, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	inFlight, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return visible, inFlight
}

// waitFor polls done until it holds, or fails the test after within
// (generous: the machines CI runs on are shared) with what it waited for.
func waitFor(t *testing.T, within time.Duration, what string, done func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !done() {
		if time.Since(start) > within {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// createUsers creates the users in the member account as Terraform would
// (the SDK's CreateUser, signed as the member), sixteen at a time.
func (e *env) createUsers(t *testing.T, names []string, path string, tags map[string]string) {
	t.Helper()
	in := func(name string) *iam.CreateUserInput {
		u := &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}
		for k, v := range tags {
			u.Tags = append(u.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		return u
	}
	work := make(chan string)
	errs := make(chan error, len(names))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for name := range work {
				if _, err := e.iam.CreateUser(context.Background(), in(name)); err != nil {
					errs <- fmt.Errorf("creating %s: %w", name, err)
				}
			}
		})
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// mail is one message the sandbox's SES sent, with the credential in it.
type mail struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Destinations []string  `json:"destinations"`
	Text         string    `json:"text"`
	Timestamp    time.Time `json:"timestamp"`
	// read from Text
	UserAccount, UserName, Password string
}

var (
	accountLine  = regexp.MustCompile(`in the AWS account (?:\S+ \()?(\d{12})`)
	userNameLine = regexp.MustCompile(`(?m)^User name:\s*(\S+)\s*$`)
	passwordLine = regexp.MustCompile(`(?m)^Password:\s*(\S+)\s*$`)
)

// mails are every mail sent so far, each read for its one credential.
func (e *env) mails(t *testing.T) []mail {
	t.Helper()
	var out struct {
		Messages []mail `json:"messages"`
	}
	e.sb.Inspect(t, http.MethodGet, "ses/messages", nil, &out)
	for i, m := range out.Messages {
		a, u, p := accountLine.FindStringSubmatch(m.Text), userNameLine.FindStringSubmatch(m.Text), passwordLine.FindStringSubmatch(m.Text)
		if a == nil || u == nil || p == nil {
			t.Fatalf("mail %s holds no account, user name and password:\n%s", m.ID, m.Text)
		}
		out.Messages[i].UserAccount, out.Messages[i].UserName, out.Messages[i].Password = a[1], u[1], p[1]
	}
	return out.Messages
}

// mailsByUser groups mails by lower-cased user name, in the order sent.
func mailsByUser(ms []mail) map[string][]mail {
	out := map[string][]mail{}
	for _, m := range ms {
		k := strings.ToLower(m.UserName)
		out[k] = append(out[k], m)
	}
	return out
}

// signsIn asks the sandbox whether password signs user in, and whether a new
// password must then be chosen.
func (e *env) signsIn(t *testing.T, account, user, password string) (valid, reset bool) {
	t.Helper()
	var out struct {
		Valid bool `json:"valid"`
		Reset bool `json:"password_reset_required"`
	}
	e.sb.Inspect(t, http.MethodPost, "iam/check-password", map[string]string{"account": account, "user": user, "password": password}, &out)
	return out.Valid, out.Reset
}

// stateUser is a user as GET /_sandbox/state shows it.
type stateUser struct {
	Name             string   `json:"name"`
	Path             string   `json:"path"`
	Groups           []string `json:"groups"`
	AttachedPolicies []string `json:"attached_policies"`
	Tags             []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"tags"`
	LoginProfile *struct {
		ResetRequired bool `json:"reset_required"`
	} `json:"login_profile"`
}

// users are the account's users in the sandbox's state, by lower-cased name.
func (e *env) users(t *testing.T, account string) map[string]stateUser {
	t.Helper()
	var w struct {
		Accounts map[string]struct {
			Users map[string]stateUser `json:"users"`
		} `json:"accounts"`
	}
	e.sb.Inspect(t, http.MethodGet, "state", nil, &w)
	return w.Accounts[account].Users
}

func (u stateUser) tag(key string) string {
	for _, tg := range u.Tags {
		if tg.Key == key {
			return tg.Value
		}
	}
	return ""
}

// logLine is one line of a watcher's JSON log.
type logLine struct {
	Msg    string `json:"msg"`
	Event  string `json:"event"`
	Name   string `json:"name"`
	User   string `json:"user"`
	Detail string `json:"detail"`
}

// verdicts reads a watcher's log: its per-message lines ("event completed",
// "event duplicate", …), the verdict without "event ".
func verdicts(output string) []logLine {
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && strings.HasPrefix(l.Msg, "event ") {
			l.Msg = strings.TrimPrefix(l.Msg, "event ")
			out = append(out, l)
		}
	}
	return out
}

// requestTimes are when the sandbox (run with -v) answered each call of an
// action, in order, read from its log: slog's text handler writes
// time=2026-12-05T10:00:00.123Z level=DEBUG msg=request account=… service=… action=… failed=….
func requestTimes(t *testing.T, logPath, action string) []time.Time {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^time=(\S+) level=DEBUG msg=request account=\S* service=\S* action=` + action + ` failed=false`)
	var out []time.Time
	for _, m := range line.FindAllStringSubmatch(string(data), -1) {
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			t.Fatalf("sandbox log: time %q: %v", m[1], err)
		}
		out = append(out, at)
	}
	return out
}
