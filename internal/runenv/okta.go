package runenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// The Identity Center directory can take back what an Okta app or group
// a person left gave.
var _ okta.Revoker = (*identitycenter.Directory)(nil)

// ReadOktaConfig reads and checks the Okta hook's configuration (gatehouse
// serve --okta-config). Bad input is a UsageError.
func (f *Factory) ReadOktaConfig(path string) (*spec.Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("reading the Okta hook's configuration: %w", err)}
	}
	cfg, err := spec.ParseOktaConfig(path, data, spec.Flags{})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if cfg.Okta.OrgURL != "" && f.Getenv(spec.EnvOktaToken) == "" {
		return nil, &UsageError{Err: fmt.Errorf("%s: okta.org is set, so the Users API needs a token: set %s to an Okta API token that may read users "+
			"(or remove okta.org to take profiles from the events)", path, spec.EnvOktaToken)}
	}
	return cfg, nil
}

// OktaHook builds the Okta hook and the processor that works its queue for
// cfg: the journal, the delivery channel (its setup checked now), a fresh
// Identity Center directory per person, the Users API when configured, and
// gatehouse.yaml's protected users. owner names this server in leases;
// log hears one line per delivery and per reconcile.
func (f *Factory) OktaHook(ctx context.Context, cfg *spec.Input, protect config.Protect, owner string, log *slog.Logger) (*okta.Hook, *okta.Processor, error) {
	j, err := f.Journal(ctx)
	if err != nil {
		return nil, nil, err
	}
	probe := &spec.Input{Role: cfg.Role, Delivery: cfg.Delivery, People: []spec.Person{{Deliver: cfg.Okta.Deliver}}}
	chans, err := f.Channels(ctx, probe)
	if err != nil {
		return nil, nil, err
	}
	if _, err := f.Directory(ctx, cfg); err != nil { // the AWS settings are checked now, not at the first event
		return nil, nil, err
	}
	rec := &okta.Reconciler{Config: cfg, Journal: j, Channel: chans.Get, Protect: protect, Logger: log,
		ArchiveDir: filepath.Join(filepath.Dir(j.Path()), "archive"),
		Directory:  func(ctx context.Context) (engine.Directory, error) { return f.Directory(ctx, cfg) }}
	if cfg.Okta.OrgURL != "" {
		rec.Profiles = &okta.Users{OrgURL: cfg.Okta.OrgURL, Token: f.Getenv(spec.EnvOktaToken)}
	}
	proc := &okta.Processor{Journal: j, Reconcile: rec.Reconcile, Owner: owner, Logger: log}
	hook := &okta.Hook{Journal: j, Mapping: cfg.Okta, Wake: proc.Wake, Logger: log}
	return hook, proc, nil
}
