package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// sandbox is a `gatehouse sandbox serve` process whose log (with -v, a line
// per request) goes to a file.
type sandbox struct {
	url, logPath string
	cmd          *exec.Cmd
	log          *os.File
}

func startSandbox(bin, fixture, logPath string, flags ...string) (*sandbox, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	url, cmd, err := measure.StartSandbox(bin, append([]string{"--fixture", fixture}, flags...), func(line string) {
		fmt.Fprintln(logFile, line)
	})
	if err != nil {
		logFile.Close()
		return nil, err
	}
	return &sandbox{url: url, logPath: logPath, cmd: cmd, log: logFile}, nil
}

func (s *sandbox) stop() {
	measure.Stop(s.cmd, 15*time.Second)
	s.log.Close()
}

// inspect calls the inspection API and decodes the answer into v (may be nil).
func (s *sandbox) inspect(method, path string, v any) error {
	return measure.Inspect(s.url, method, path, nil, v)
}

// mail is one message the sandbox's SES sent.
type mail struct {
	Text      string    `json:"text"`
	Timestamp time.Time `json:"timestamp"`
}

var userNameLine = regexp.MustCompile(`(?m)^User name:\s*(\S+)\s*$`)

// mails returns when each user's first mail was sent, and how many mails there were.
func (s *sandbox) mails() (map[string]time.Time, int, error) {
	var out struct {
		Messages []mail `json:"messages"`
	}
	if err := s.inspect(http.MethodGet, "ses/messages", &out); err != nil {
		return nil, 0, err
	}
	first := map[string]time.Time{}
	for _, m := range out.Messages {
		u := userNameLine.FindStringSubmatch(m.Text)
		if u == nil {
			return nil, 0, fmt.Errorf("a mail without a user name:\n%s", m.Text)
		}
		if _, ok := first[u[1]]; !ok {
			first[u[1]] = m.Timestamp
		}
	}
	return first, len(out.Messages), nil
}

// counts is GET /_sandbox/requests.
type counts struct {
	Counts []countRow `json:"counts"`
}

type countRow struct {
	Account string `json:"account"`
	Service string `json:"service"`
	Action  string `json:"action"`
	Count   int    `json:"count"`
	Errors  int    `json:"errors"`
}

// gatehouse is the rows of gatehouse's calls: all but the benchmark's own
// GetQueueAttributes, with which it waits for the queue to empty.
func (c counts) gatehouse() []countRow {
	var out []countRow
	for _, row := range c.Counts {
		if row.Action != "GetQueueAttributes" {
			out = append(out, row)
		}
	}
	return out
}

// accountCalls is what one account answered: calls (errors included) and errors.
type accountCalls struct{ calls, errors int }

func (c counts) perAccount() map[string]accountCalls {
	out := map[string]accountCalls{}
	for _, row := range c.gatehouse() {
		a := out[row.Account]
		a.calls += row.Count
		a.errors += row.Errors
		out[row.Account] = a
	}
	return out
}

// createdTimes are when the sandbox answered each successful CreateUser, in
// order, from its -v log (slog's text handler: time=… level=DEBUG
// msg=request account=… service=iam action=CreateUser failed=false).
func (s *sandbox) createdTimes() ([]time.Time, error) {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil, err
	}
	line := regexp.MustCompile(`(?m)^time=(\S+) level=DEBUG msg=request account=\S* service=iam action=CreateUser failed=false`)
	var out []time.Time
	for _, m := range line.FindAllStringSubmatch(string(data), -1) {
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, nil
}

// clients are the benchmark's own SDK clients: IAM as the member's root
// (the Terraform that creates users) and SQS as the management account's.
// Throttling is retried without a client-side retry quota.
type clients struct {
	iam *iam.Client
	sqs *sqs.Client
}

func newClients(url string) clients {
	retryer := func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 30; o.RateLimiter = ratelimit.None })
	}
	cfg := func(account string) aws.Config {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: retryer,
			Credentials: credentials.NewStaticCredentialsProvider(account, "x", "")}
	}
	return clients{iam: iam.NewFromConfig(cfg(member)), sqs: sqs.NewFromConfig(cfg(management))}
}

// depth is how many messages the queue holds, visible and in flight.
func (c clients) depth(ctx context.Context, url, queue string) (int, error) {
	out, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url + "/" + management + "/" + queue),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		return 0, err
	}
	v, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	f, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return v + f, nil
}

// watcher is a running `gatehouse watch`.
type watcher struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startWatcher starts `gatehouse watch` with the management account's root
// credentials and args, and waits until it says it is watching.
func startWatcher(bin, home string, args ...string) (*watcher, error) {
	if err := os.MkdirAll(filepath.Join(home, "state"), 0o700); err != nil {
		return nil, err
	}
	w := &watcher{cmd: exec.Command(bin, append([]string{"watch"}, args...)...), output: &lockedBuffer{}, done: make(chan struct{})}
	w.cmd.Env = measure.GatehouseEnv(home, management)
	w.cmd.Stdout, w.cmd.Stderr = w.output, w.output
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = w.cmd.Wait(); close(w.done) }()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(w.output.String(), `"msg":"watching"`); time.Sleep(20 * time.Millisecond) {
		select {
		case <-w.done:
			return nil, fmt.Errorf("gatehouse watch ended at start:\n%s", w.output.String())
		default:
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("gatehouse watch did not start within 30 s:\n%s", w.output.String())
		}
	}
	return w, nil
}

// peakRSSKB is the watcher's peak resident set so far (VmHWM).
func (w *watcher) peakRSSKB() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// stop sends SIGTERM and waits for the watcher to finish what it holds.
func (w *watcher) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(time.Minute):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// verdicts counts the watcher's per-message log lines by verdict.
func (w *watcher) verdicts() map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(w.output.String()))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var l struct{ Msg string }
		if json.Unmarshal(sc.Bytes(), &l) == nil && strings.HasPrefix(l.Msg, "event ") {
			out[strings.TrimPrefix(l.Msg, "event ")]++
		}
	}
	return out
}
