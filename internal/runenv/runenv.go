// Package runenv is what an entry point needs to run a lifecycle — the CLI's
// commands, and the queue worker, Lambda handler and HTTP hooks alike — built
// lazily, once, from one Factory (the GitHub CLI's pattern): the embedded
// sandbox when asked for, the journal, AWS access per role, the directory,
// the delivery channels with their setup checked, and the logger. No entry
// point builds another's world.
package runenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Defaults of the embedded sandbox's folders.
const (
	DefaultSandboxDir = ".gatehouse/sandbox"
	DefaultMailDir    = ".gatehouse/mail"
)

// Settings are how a run reaches AWS and where it keeps its records: the
// flags every lifecycle command shares, or a worker's configuration.
type Settings struct {
	Journal     string  // journal path; "" = the sandbox's, else the default
	Concurrency int     // placements in flight; 0 = the default
	RateLimit   float64 // AWS requests per second per account, fixed; 0 = adaptive
	EndpointURL string
	Region      string
	Profile     string
	Sandbox     bool // run against the embedded sandbox
	SandboxDir  string
	MailDir     string
	Verbose     bool
	// Unchecked names kinds of credential the backend lacks (moto and
	// LocalStack have no service-specific credentials): never listed, and
	// plans and reports say they were not checked.
	Unchecked []string
}

// Problems lists the settings that make no sense, each as a sentence.
func (s Settings) Problems() []string {
	var p []string
	if s.Concurrency < 0 {
		p = append(p, "--concurrency must be at least 1 (or 0 for the default)")
	}
	if s.RateLimit < 0 || math.IsNaN(s.RateLimit) || math.IsInf(s.RateLimit, 0) {
		p = append(p, "--rate-limit must be more than 0 requests per second (or 0 for adaptive)")
	}
	if s.Region != "" && !regionName.MatchString(s.Region) {
		p = append(p, fmt.Sprintf("--region %q is not an AWS region name (such as us-east-1 or eu-central-2)", s.Region))
	}
	if err := iamuser.CheckUnchecked(s.Unchecked); err != nil {
		p = append(p, err.Error())
	}
	if s.Sandbox && (s.EndpointURL != "" || s.Profile != "") {
		p = append(p, "--sandbox starts its own endpoint with its own credentials; drop --endpoint-url and --profile")
	}
	return p
}

// regionName is the shape of every AWS region's name: us-east-1,
// ap-southeast-5, us-gov-west-1, cn-north-1, us-isob-east-1.
var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// UsageError marks bad input: the command exits with code 2, and nothing
// was changed.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Factory builds what a run needs, each thing once, when first asked for.
// Close releases what it built. It is safe for concurrent use.
type Factory struct {
	Settings Settings
	// Stderr receives what a person should know about the run (the sandbox
	// in use, the mail it sent); Getenv reads secrets (nil: os.Getenv).
	Stderr io.Writer
	Getenv func(string) string

	mu       sync.Mutex
	sandbox  *Sandbox
	journal  *journal.Journal
	aws      map[spec.Role]*awsx.Factory
	channels Channels
}

// New returns a factory for settings, telling the person on stderr.
func New(s Settings, stderr io.Writer, getenv func(string) string) *Factory {
	if getenv == nil {
		getenv = os.Getenv
	}
	if s.SandboxDir == "" {
		s.SandboxDir = DefaultSandboxDir
	}
	if s.MailDir == "" {
		s.MailDir = DefaultMailDir
	}
	return &Factory{Settings: s, Stderr: stderr, Getenv: getenv, aws: map[spec.Role]*awsx.Factory{}}
}

// Sandbox starts the embedded sandbox the first time it is asked for (nil
// when the settings do not ask for one).
func (f *Factory) Sandbox() (*Sandbox, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sandboxLocked()
}

func (f *Factory) sandboxLocked() (*Sandbox, error) {
	if !f.Settings.Sandbox || f.sandbox != nil {
		return f.sandbox, nil
	}
	sb, err := startSandbox(f.Settings.SandboxDir)
	if err != nil {
		return nil, err
	}
	f.sandbox = sb
	fmt.Fprintf(f.Stderr, "Using the embedded sandbox (state in %s): no AWS account needed.\n", f.Settings.SandboxDir)
	return sb, nil
}

// JournalPath is where the journal is: --journal, else the embedded
// sandbox's, else $XDG_STATE_HOME/gatehouse/journal.db.
func (f *Factory) JournalPath() (string, error) {
	switch {
	case f.Settings.Journal != "":
		return f.Settings.Journal, nil
	case f.Settings.Sandbox:
		return filepath.Join(f.Settings.SandboxDir, "journal.db"), nil
	}
	return DefaultJournalPath()
}

// Journal opens the journal the first time it is asked for.
func (f *Factory) Journal(ctx context.Context) (*journal.Journal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.journal != nil {
		return f.journal, nil
	}
	if _, err := f.sandboxLocked(); err != nil { // the sandbox's folder holds its journal
		return nil, err
	}
	path, err := f.JournalPath()
	if err != nil {
		return nil, err
	}
	if f.journal, err = journal.Open(ctx, path); err != nil {
		return nil, err
	}
	return f.journal, nil
}

// AWS returns the AWS access that enters accounts through role: the
// credential chain (or the embedded sandbox's), rate-limited per account.
// A bad setting is a UsageError.
func (f *Factory) AWS(ctx context.Context, role spec.Role) (*awsx.Factory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if role.Name == "" && role.ARNTemplate == "" {
		role.Name = iamuser.DefaultRole
	}
	if a, ok := f.aws[role]; ok {
		return a, nil
	}
	opts := awsx.Options{Profile: f.Settings.Profile, Region: f.Settings.Region, Endpoint: f.Settings.EndpointURL,
		Role: role, RequestsPerSecond: f.Settings.RateLimit}
	sb, err := f.sandboxLocked()
	if err != nil {
		return nil, err
	}
	if sb != nil {
		opts.Endpoint, opts.Region, opts.Credentials = sb.URL, "us-east-1", sandboxCredentials
	}
	a, err := awsx.New(ctx, opts)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	f.aws[role] = a
	return a, nil
}

// Directory returns the directory the input's people live in: IAM users
// reached through the input's role, or the Identity Center instance the
// caller administers.
func (f *Factory) Directory(ctx context.Context, in *spec.Input) (engine.Directory, error) {
	a, err := f.AWS(ctx, in.Role)
	if err != nil {
		return nil, err
	}
	if in.Directory == spec.DirectoryIdentityCenter {
		opts := identitycenter.FromInput(in)
		opts.Logger = f.Logger()
		return identitycenter.New(a, opts), nil
	}
	return iamuser.New(a, iamuser.Options{Unchecked: f.Settings.Unchecked, Logger: f.Logger()}), nil
}

// Logger logs warnings, or every step with Verbose, to stderr.
func (f *Factory) Logger() *slog.Logger {
	level := slog.LevelWarn
	if f.Settings.Verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(f.Stderr, &slog.HandlerOptions{Level: level}))
}

// Close closes the channels and the journal and stops the sandbox, which
// flushes its state to disk.
func (f *Factory) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	errs := []error{f.channels.close()}
	if f.journal != nil {
		errs = append(errs, f.journal.Close())
	}
	if f.sandbox != nil {
		errs = append(errs, f.sandbox.stop())
	}
	f.channels, f.journal, f.sandbox = nil, nil, nil
	return errors.Join(errs...)
}

// DefaultJournalPath is $XDG_STATE_HOME/gatehouse/journal.db, or
// ~/.local/state/gatehouse/journal.db.
func DefaultJournalPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "gatehouse", "journal.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the journal: %w (set XDG_STATE_HOME or --journal)", err)
	}
	return filepath.Join(home, ".local", "state", "gatehouse", "journal.db"), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
