package onboard_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/logtest"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	mgmt     = "111111111111"
	prod     = "222222222222"
	dev      = "333333333333"
	sender   = "it@example.com"
	changePW = "arn:aws:iam::aws:policy/IAMUserChangePassword"
)

// env is a sandbox with the tests' world, a journal and everything onboard needs.
type env struct {
	sb      *sandboxtest.Sandbox
	journal *journal.Journal
	mail    *recorder
	logs    *logtest.Buffer
	adopt   bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb := startSandbox(t)
	world, err := os.ReadFile(filepath.Join("testdata", "world.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sb.LoadFixture(t, string(world))
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return &env{sb: sb, journal: j, mail: &recorder{}, logs: &logtest.Buffer{}}
}

// deps builds onboard's dependencies for in, as the CLI does: the management
// account's root credentials, the role entered in the members.
func (e *env) deps(t *testing.T, in *spec.Input) onboard.Deps {
	t.Helper()
	role := in.Role
	if role.Name == "" && role.ARNTemplate == "" {
		role.Name = iamuser.DefaultRole
	}
	f, err := awsx.New(context.Background(), awsx.Options{
		Endpoint: e.sb.URL, Region: "us-east-1", Role: role, RequestsPerSecond: -1,
		Credentials: credentials.NewStaticCredentialsProvider(mgmt, "sandbox-secret", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.mail.factory = f
	e.mail.in = in
	return onboard.Deps{
		Directory: iamuser.New(f, iamuser.Options{}), Journal: e.journal, Adopt: e.adopt, Concurrency: 8,
		Logger:  slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Channel: func(name string) (deliver.Channel, error) { return e.mail, nil },
	}
}

// startSandbox serves a sandbox for one test.
func startSandbox(t *testing.T) *sandboxtest.Sandbox {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Options{})
}

// run plans and applies in, and confirms the report as the CLI does once it
// has written it.
func (e *env) run(t *testing.T, in *spec.Input) *onboard.Report {
	t.Helper()
	ctx := context.Background()
	deps := e.deps(t, in)
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatalf("MakePlan: %v", err)
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := rep.Confirm(ctx); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	return rep
}

// parse reads an input file's text with flags.
func parse(t *testing.T, name, text string, flags spec.Flags) *spec.Input {
	t.Helper()
	in, err := spec.Parse(name, []byte(text), flags)
	if err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	return in
}

func example(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "onboard", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// checkPassword asks the sandbox whether password signs user in.
func (e *env) checkPassword(t *testing.T, account, user, password string) (valid, resetRequired bool) {
	t.Helper()
	var out struct {
		Valid         bool `json:"valid"`
		ResetRequired bool `json:"password_reset_required"`
	}
	e.sb.Post(t, "iam/check-password", map[string]string{"account": account, "user": user, "password": password}, &out)
	return out.Valid, out.ResetRequired
}

// messages returns the mail the sandbox has sent.
func (e *env) messages(t *testing.T) []sandboxMessage {
	t.Helper()
	var out struct {
		Messages []sandboxMessage `json:"messages"`
	}
	e.sb.Get(t, "ses/messages", &out)
	return out.Messages
}

type sandboxMessage struct {
	ID           string   `json:"id"`
	Account      string   `json:"account"`
	Destinations []string `json:"destinations"`
	Subject      string   `json:"subject"`
	Text         string   `json:"text"`
	Raw          string   `json:"raw"`
}

// count returns how many calls of action rc has.
func count(rc sandbox.RequestCounts, action string) int {
	n := 0
	for _, row := range rc.Counts {
		if row.Action == action {
			n += row.Count
		}
	}
	return n
}

// mutating lists the mutating actions in rc, for failure messages.
func mutating(rc sandbox.RequestCounts) string {
	var out []string
	for _, row := range rc.Counts {
		if row.Mutating {
			out = append(out, row.Account+" "+row.Action)
		}
	}
	return strings.Join(out, ", ")
}

// recorder is the tests' delivery channel: it sends through the real SES
// channel and remembers each credential, so tests can sign in with it.
type recorder struct {
	mu      sync.Mutex
	got     []deliver.Credential
	fail    func(c deliver.Credential) error
	factory *awsx.Factory
	in      *spec.Input
}

func (r *recorder) Name() string { return spec.ChannelSES }

func (r *recorder) Deliver(ctx context.Context, c deliver.Credential) (deliver.Receipt, error) {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(c); err != nil {
			return deliver.Receipt{}, err
		}
	}
	ses, err := deliver.New(spec.ChannelSES, deliver.FromSpec(r.in.Delivery, r.factory.Base()))
	if err != nil {
		return deliver.Receipt{}, err
	}
	receipt, err := ses.Deliver(ctx, c)
	if err != nil {
		return receipt, err
	}
	r.mu.Lock()
	r.got = append(r.got, c)
	r.mu.Unlock()
	return receipt, nil
}

func (r *recorder) Close() error { return nil }

// setFail makes Deliver call fail first (nil: deliver normally).
func (r *recorder) setFail(fail func(deliver.Credential) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// last returns the latest credential delivered to user in account.
func (r *recorder) last(account, user string) (deliver.Credential, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.got) - 1; i >= 0; i-- {
		if c := r.got[i]; c.Account == account && strings.EqualFold(c.UserName, user) {
			return c, true
		}
	}
	return deliver.Credential{}, false
}

func (r *recorder) delivered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}
