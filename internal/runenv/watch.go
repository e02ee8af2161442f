package runenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// EnvConfig names the watcher's configuration file when --config does not
// (the Lambda handler reads only this).
const EnvConfig = "GATEHOUSE_CONFIG"

// ReadWatchConfig reads and checks a watcher's configuration: the file at
// path, else at $GATEHOUSE_CONFIG. Bad input is a UsageError.
func (f *Factory) ReadWatchConfig(path string) (*spec.Input, error) {
	if path == "" {
		path = f.Getenv(EnvConfig)
	}
	if path == "" {
		return nil, &UsageError{Err: errors.New("no configuration: give --config FILE or set " + EnvConfig +
			" (a gatehouse spec without people, with the events rules; see gatehouse watch --help)")}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("reading the configuration: %w", err)}
	}
	cfg, err := spec.ParseConfig(path, data, spec.Flags{})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if channels := usedChannels(cfg); slices.Contains(channels, spec.ChannelNone) {
		return nil, &UsageError{Err: fmt.Errorf("%s: a watcher cannot deliver by none: it prints no report to carry passwords; "+
			"choose ses, smtp, slack, claim or file", path)}
	}
	return cfg, nil
}

// usedChannels are the channels the defaults and rules deliver through.
func usedChannels(cfg *spec.Input) []string {
	out := []string{cfg.Events.Defaults.Deliver}
	for _, r := range cfg.Events.Rules {
		out = append(out, r.Person.Deliver)
	}
	return out
}

// Watcher builds the events handler for cfg: the directory and journal
// onboarding uses, the channels (their setup checked now), gatehouse.yaml's
// protected users, and the accounts the configuration selects (every
// account when it names none). owner names this watcher in leases.
func (f *Factory) Watcher(ctx context.Context, cfg *spec.Input, protect config.Protect, owner string, lease time.Duration) (*events.Handler, error) {
	dir, err := f.Directory(ctx, cfg)
	if err != nil {
		return nil, err
	}
	j, err := f.Journal(ctx)
	if err != nil {
		return nil, err
	}
	probe := &spec.Input{Role: cfg.Role, Delivery: cfg.Delivery}
	for _, ch := range usedChannels(cfg) {
		probe.People = append(probe.People, spec.Person{Deliver: ch})
	}
	chans, err := f.Channels(ctx, probe)
	if err != nil {
		return nil, err
	}
	a, err := f.AWS(ctx, cfg.Role)
	if err != nil {
		return nil, err
	}
	deps := onboard.Deps{Directory: dir, Journal: j, Channel: chans.Get, Logger: f.Logger()}
	if links := f.ClaimLinks(); links != nil {
		deps.Links = links
	}
	h := &events.Handler{Config: cfg, Onboard: deps, Journal: j, Users: events.IAMUsers{AWS: a}, Protect: protect,
		Owner: owner, Lease: lease}
	if sel := cfg.Accounts; sel.All || len(sel.IDs) > 0 || len(sel.OUs) > 0 {
		h.Accounts = selectedAccounts(a.ResolveAccounts, sel)
	}
	return h, nil
}

// selectedAccounts resolves the selection once, when first asked.
func selectedAccounts(resolve func(context.Context, spec.AccountSelector) ([]awsx.Account, error), sel spec.AccountSelector) func(context.Context, string) (bool, error) {
	var (
		mu  sync.Mutex
		ids map[string]bool
	)
	return func(ctx context.Context, account string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if ids == nil {
			accounts, err := resolve(ctx, sel)
			if err != nil {
				return false, fmt.Errorf("resolving the configured accounts: %w", err)
			}
			ids = map[string]bool{}
			for _, acc := range accounts {
				ids[acc.ID] = true
			}
		}
		return ids[account], nil
	}
}

// SQS is an SQS client with the caller's own credentials and region.
func (f *Factory) SQS(ctx context.Context, role spec.Role) (*sqs.Client, error) {
	a, err := f.AWS(ctx, role)
	if err != nil {
		return nil, err
	}
	return sqs.NewFromConfig(a.Base()), nil
}
