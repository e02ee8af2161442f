// Package identitycenter is the IAM Identity Center directory: people are
// users of the organisation's identity store, with groups and account
// assignments (permission set × account), reached from the management or
// delegated-administrator account. There is no password: the welcome
// message carries the AWS access portal's address. Every Identity Center
// API counts against one quota (20 requests a second for the instance),
// honoured by one limiter, and at most 15 assignment operations are in
// flight at once. It implements engine.Directory.
package identitycenter

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Quotas Identity Center documents.
const (
	// RequestsPerSecond is the collective rate of the Identity Center APIs
	// (identitystore and sso-admin) for an instance.
	RequestsPerSecond = 20
	// MaxAssignmentsInFlight is how many account assignment operations may
	// be in progress at once.
	MaxAssignmentsInFlight = 15
)

// Directory is the identity store of the organisation's Identity Center
// instance.
type Directory struct {
	aws  *awsx.Factory
	opts Options

	once     sync.Once
	initErr  error
	store    *ssoadmin.Client
	idstore  *identitystore.Client
	inFlight chan struct{} // assignment operations in progress

	bulkWarning sync.Once // the bulk read's fallback is said once (bulk.go)
}

var _ engine.Directory = (*Directory)(nil)

// Options tune the directory.
type Options struct {
	// Region is where the instance lives (default: the region in use).
	Region string
	// InstanceARN picks the instance (default: the only one).
	InstanceARN string
	// Poll is how often an assignment's status is asked (default 1 s).
	Poll time.Duration
	// Logger hears what a person should know (nil: discard).
	Logger *slog.Logger
}

// New returns the directory of the Identity Center instance f's caller
// administers.
func New(f *awsx.Factory, opts Options) *Directory {
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Directory{aws: f, opts: opts, inFlight: make(chan struct{}, MaxAssignmentsInFlight)}
}

// FromInput returns the options an input's identity_center section gives.
func FromInput(in *spec.Input) Options {
	return Options{Region: in.IdentityCenter.Region, InstanceARN: in.IdentityCenter.InstanceARN}
}

// Kind is engine.DirectoryIdentityCenter.
func (d *Directory) Kind() string { return engine.DirectoryIdentityCenter }

// Caller is the ARN of the identity gatehouse runs as.
func (d *Directory) Caller(ctx context.Context) (string, error) {
	id, err := d.aws.Caller(ctx)
	return id.ARN, err
}

// clients makes the two API clients once, in the instance's region, both
// waiting on one limiter: the quota is the instance's, across both APIs.
func (d *Directory) clients() error {
	d.once.Do(func() {
		cfg := d.aws.Base().Copy()
		if d.opts.Region != "" {
			cfg.Region = d.opts.Region
		}
		// A bucket of half the quota's: with equal buckets the two empty
		// together at the start, the instance's refills a latency behind
		// gatehouse's, and the first request that arrives early is
		// throttled (one a run, in bench/identitycenter); half a bucket
		// leaves the instance a cushion for requests that arrive bunched.
		d.aws.Share("", []string{identitystore.ServiceID, ssoadmin.ServiceID}, RequestsPerSecond, RequestsPerSecond/2)
		d.store, d.idstore = ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg)
	})
	return d.initErr
}

// Scopes is the instance's identity store: one scope for the organisation.
func (d *Directory) Scopes(ctx context.Context, _ *spec.Input) ([]*engine.Scope, error) {
	if _, err := d.aws.Caller(ctx); err != nil {
		return nil, err
	}
	if err := d.clients(); err != nil {
		return nil, err
	}
	arn, storeID, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	// A fresh store each time: what a plan reads (every assignment of the
	// instance above all) must not outlive it in a long-lived process such
	// as gatehouse serve, where the next event would plan with stale data.
	st := &store{instance: arn, id: storeID}
	return []*engine.Scope{{ID: storeID, Noun: "identity store", UserNoun: "Identity Center user",
		SignInURL: "https://" + storeID + ".awsapps.com/start", Facts: st}}, nil
}

// instance finds the instance: the configured one, else the only one.
func (d *Directory) instance(ctx context.Context) (arn, storeID string, err error) {
	pages := ssoadmin.NewListInstancesPaginator(d.store, &ssoadmin.ListInstancesInput{})
	var found []string
	ids := map[string]string{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", "", fmt.Errorf("listing Identity Center instances: %w", awsx.Classify(err))
		}
		for _, in := range page.Instances {
			a := aws.ToString(in.InstanceArn)
			found = append(found, a)
			ids[a] = aws.ToString(in.IdentityStoreId)
		}
	}
	switch {
	case d.opts.InstanceARN != "":
		if id, ok := ids[d.opts.InstanceARN]; ok {
			return d.opts.InstanceARN, id, nil
		}
		return "", "", fmt.Errorf("finding Identity Center instance %s: the caller's instances are %v; check identity_center.instance_arn and the region", d.opts.InstanceARN, found)
	case len(found) == 1:
		return found[0], ids[found[0]], nil
	case len(found) == 0:
		return "", "", fmt.Errorf("finding the Identity Center instance: the caller sees none in this region; " +
			"run gatehouse from the management or delegated administrator account, and set identity_center.region to the instance's region")
	}
	return "", "", fmt.Errorf("finding the Identity Center instance: the caller sees %d (%v); set identity_center.instance_arn", len(found), found)
}

// facts is the scope's store.
func facts(s *engine.Scope) *store {
	st, _ := s.Facts.(*store)
	if st == nil {
		return &store{}
	}
	return st
}
