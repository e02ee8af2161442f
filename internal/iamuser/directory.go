// Package iamuser is the IAM-user directory: people are IAM users, one per
// account they belong in, entered through a role (package awsx); a user's
// credential is a console password behind a login profile; removal is the
// ordered table of every kind of thing IAM attaches to a user (table.go,
// one file per kind), and suspension deactivates what can be reactivated.
// It implements engine.Directory, so onboarding and offboarding drive it
// without knowing it is IAM.
package iamuser

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// DefaultRole is the role entered in accounts other than the caller's when
// the input names none: the role AWS Organizations creates in every account
// it creates, trusting the management account.
const DefaultRole = "OrganizationAccountAccessRole"

// Directory is the IAM users of the accounts an awsx.Factory reaches.
type Directory struct {
	aws       *awsx.Factory
	backoff   func(n int) time.Duration
	unchecked map[*dependency]bool
	log       *slog.Logger
	fallback  sync.Once // the per-user reads are announced once

	mu      sync.Mutex
	clients map[string]*iam.Client
}

var _ engine.Directory = (*Directory)(nil)

// Options tune the directory; the zero value is right for AWS.
type Options struct {
	// Backoff is the wait before retry n (1-based) of a call IAM refuses for
	// a moment (EntityTemporarilyUnmodifiable; a user still visible right
	// after DeleteUser). Nil: 500 ms doubling up to 8 s.
	Backoff func(n int) time.Duration
	// Unchecked names kinds of dependency the backend lacks (moto and
	// LocalStack implement no service-specific credentials): offboarding
	// never lists them and says they were not checked. Names are
	// Checkable's; an unknown one is ignored here (CheckUnchecked reports it).
	Unchecked []string
	// Logger hears what a person should know once per run (nil: discard).
	Logger *slog.Logger
}

// New returns the directory of the accounts f reaches.
func New(f *awsx.Factory, opts Options) *Directory {
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	unchecked, _ := uncheckedKinds(opts.Unchecked)
	return &Directory{aws: f, backoff: opts.Backoff, unchecked: unchecked, log: opts.Logger, clients: map[string]*iam.Client{}}
}

// defaultBackoff waits 500 ms before the first retry, doubling up to 8 s.
func defaultBackoff(n int) time.Duration {
	d := 500 * time.Millisecond << max(0, n-1)
	return min(d, 8*time.Second)
}

// Kind is engine.DirectoryIAM.
func (d *Directory) Kind() string { return engine.DirectoryIAM }

// Caller is the ARN of the identity gatehouse's credentials belong to.
func (d *Directory) Caller(ctx context.Context) (string, error) {
	id, err := d.aws.Caller(ctx)
	return id.ARN, err
}

// Scopes resolves the input's accounts: the caller's own by default, listed
// IDs, every account of the organisation, or those under OUs.
func (d *Directory) Scopes(ctx context.Context, in *spec.Input) ([]*engine.Scope, error) {
	if _, err := d.aws.Caller(ctx); err != nil {
		return nil, err
	}
	accounts, err := d.aws.ResolveAccounts(ctx, in.Accounts)
	if err != nil {
		return nil, err
	}
	out := make([]*engine.Scope, len(accounts))
	for i, a := range accounts {
		out[i] = &engine.Scope{ID: a.ID, Noun: "account", UserNoun: "IAM user", Name: a.Name}
	}
	return out, nil
}

// client returns the IAM client acting in account, made once per account.
func (d *Directory) client(ctx context.Context, account string) (*iam.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.clients[account]; ok {
		return c, nil
	}
	cfg, err := d.aws.Config(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("entering account %s: %w", account, err)
	}
	c := iam.NewFromConfig(cfg)
	d.clients[account] = c
	return c, nil
}

// session returns a session on the user called name in account.
func (d *Directory) session(ctx context.Context, account, name string) (*session, error) {
	api, err := d.client(ctx, account)
	if err != nil {
		return nil, err
	}
	return &session{api: api, user: name, backoff: d.backoff, unchecked: d.unchecked}, nil
}
