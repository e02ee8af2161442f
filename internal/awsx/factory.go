// Package awsx is gatehouse's one AWS config factory: the standard credential
// chain and region, an optional endpoint (the sandbox), a retryer fit for
// concurrency, a client-side rate limiter per account, a role assumed per
// account with credentials cached per account — and AWS error classes.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// DefaultRegion is used when neither Options nor the environment names one:
// IAM, STS and Organizations are global in the aws partition.
const DefaultRegion = "us-east-1"

// DefaultSessionName names assumed-role sessions when the role sets none.
const DefaultSessionName = "gatehouse"

// Options configures a Factory. The zero value uses the standard credential
// chain, the configured region and the defaults above.
type Options struct {
	Profile  string // shared config profile; "" = AWS_PROFILE or default
	Region   string // "" = AWS_REGION / the profile's region, else DefaultRegion
	Endpoint string // --endpoint-url: BaseEndpoint of every client ("" = AWS_ENDPOINT_URL or AWS)
	// Credentials replaces the standard credential chain for the caller's own
	// identity when set (tests, embedded sandbox).
	Credentials aws.CredentialsProvider
	// Role is entered in every account Config is asked for except the
	// caller's own, which always uses the caller's credentials; empty means
	// only the caller's account can be reached.
	Role spec.Role

	// RequestsPerSecond and Burst limit the requests sent to each account,
	// every retry attempt included. A zero rate is adaptive (up to
	// AdaptiveCeiling, halved whenever AWS throttles; see limiter), a negative
	// one unlimited. A zero burst is DefaultBurst, or one second's worth of a
	// faster fixed rate.
	RequestsPerSecond float64
	Burst             int
	// MaxAttempts per call (first try included); BaseDelay and MaxBackoff
	// shape the capped exponential backoff with full jitter between attempts.
	MaxAttempts int
	BaseDelay   time.Duration
	MaxBackoff  time.Duration
}

func (o Options) withDefaults() Options {
	if o.Burst <= 0 {
		o.Burst = max(DefaultBurst, int(o.RequestsPerSecond))
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = DefaultBaseDelay
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Role.SessionName == "" {
		o.Role.SessionName = DefaultSessionName
	}
	return o
}

func (o Options) validate() error {
	r := o.Role
	switch {
	case r.Name != "" && r.ARNTemplate != "":
		return errors.New("configuring AWS access: give a role name or an ARN template, not both")
	case r.ARNTemplate != "" && !strings.Contains(r.ARNTemplate, "{account}"):
		return fmt.Errorf("configuring AWS access: role ARN template %q has no {account} placeholder (example: arn:aws:iam::{account}:role/Admin)", r.ARNTemplate)
	case r.ARNTemplate != "" && !strings.HasPrefix(r.ARNTemplate, "arn:"):
		return fmt.Errorf("configuring AWS access: role ARN template %q does not begin with arn:", r.ARNTemplate)
	case strings.ContainsAny(r.Name, ":{}"):
		return fmt.Errorf("configuring AWS access: role name %q looks like an ARN; pass it as an ARN template with {account}", r.Name)
	}
	return nil
}

// Identity is who the base credentials are (GetCallerIdentity).
type Identity struct {
	Account   string
	ARN       string
	UserID    string
	Partition string // from the ARN: aws, aws-cn, aws-us-gov, …
}

// Factory hands out aws.Configs per account. It is safe for concurrent use.
type Factory struct {
	opts        Options
	root        aws.Config // loaded configuration, no rate limit
	base        aws.Config // root limited by baseLimiter: the caller's own account
	baseLimiter *budgets   // the caller's account's limiters

	callerMu sync.Mutex
	caller   *Identity

	mu       sync.Mutex
	limiters map[string]*budgets
	configs  map[string]aws.Config
}

// New loads the AWS configuration (config.LoadDefaultConfig: credential chain,
// region, profile) and prepares the retryer, endpoint and rate limiting that
// every config from the factory shares. It makes no AWS call.
func New(ctx context.Context, opts Options) (*Factory, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	load := []func(*config.LoadOptions) error{config.WithRetryer(newRetryer(opts)), config.WithHTTPClient(newHTTPClient())}
	if opts.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.Endpoint != "" {
		load = append(load, config.WithBaseEndpoint(opts.Endpoint))
	}
	if opts.Credentials != nil {
		load = append(load, config.WithCredentialsProvider(opts.Credentials))
	}
	root, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if root.Region == "" {
		root.Region = DefaultRegion
	}
	root.HTTPClient = sharedHTTPClient{root.HTTPClient}
	root.APIOptions = append(root.APIOptions, withRepeatLimit)
	f := &Factory{
		opts:        opts,
		root:        root,
		baseLimiter: newBudgets(opts),
		limiters:    map[string]*budgets{},
		configs:     map[string]aws.Config{},
	}
	f.base = withLimiter(root, f.baseLimiter)
	return f, nil
}

// withLimiter returns a copy of cfg whose clients wait for the account's limiters.
func withLimiter(cfg aws.Config, lim *budgets) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), withRateLimit(lim))
	return cfg
}

// Base is the configuration of the caller's own credentials, rate-limited as
// the caller's account (for STS, Organizations and single-account use).
func (f *Factory) Base() aws.Config { return f.base }

// Caller returns who the base credentials are, asking STS once.
func (f *Factory) Caller(ctx context.Context) (Identity, error) {
	f.callerMu.Lock()
	defer f.callerMu.Unlock()
	if f.caller != nil {
		return *f.caller, nil
	}
	out, err := sts.NewFromConfig(f.base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("getting caller identity (check AWS credentials and region): %w", Classify(err))
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	id.Partition = partitionOfARN(id.ARN)
	f.caller = &id
	f.mu.Lock()
	if _, ok := f.limiters[id.Account]; !ok {
		f.limiters[id.Account] = f.baseLimiter
	}
	f.mu.Unlock()
	return id, nil
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// Config returns the configuration acting in account: the base configuration
// for the caller's own account, and in any other account the configured role
// assumed there (credentials cached and refreshed per account). The caller's
// account gets no role because it usually has none to assume: the management
// account of an organisation has no OrganizationAccountAccessRole.
func (f *Factory) Config(ctx context.Context, account string) (aws.Config, error) {
	if !accountID.MatchString(account) {
		return aws.Config{}, fmt.Errorf("configuring AWS access to account %q: an account ID is 12 digits", account)
	}
	id, err := f.Caller(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if account == id.Account {
		return f.base, nil
	}
	role := f.opts.Role
	if role.Name == "" && role.ARNTemplate == "" {
		return aws.Config{}, fmt.Errorf("configuring AWS access to account %s: the credentials are for account %s and no role is configured; "+
			"give a role to assume in each account (--role NAME or an ARN template with {account})", account, id.Account)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cfg, ok := f.configs[account]; ok {
		return cfg, nil
	}
	arn := RoleARN(role, id.Partition, account)
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.base), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = role.SessionName
		if role.ExternalID != "" {
			o.ExternalID = aws.String(role.ExternalID)
		}
	})
	cfg := withLimiter(f.root, f.limiterLocked(account))
	cfg.Credentials = aws.NewCredentialsCache(provider)
	f.configs[account] = cfg
	return cfg, nil
}

// limiterLocked returns account's limiters, creating them; f.mu must be held.
func (f *Factory) limiterLocked(account string) *budgets {
	lim, ok := f.limiters[account]
	if !ok {
		lim = newBudgets(f.opts)
		f.limiters[account] = lim
	}
	return lim
}

// RoleARN is the role to assume in account: the template with {account} (and
// {partition}) filled in, or arn:PARTITION:iam::ACCOUNT:role/NAME.
func RoleARN(r spec.Role, partition, account string) string {
	if r.ARNTemplate != "" {
		return strings.NewReplacer("{account}", account, "{partition}", partition).Replace(r.ARNTemplate)
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + strings.Trim(r.Name, "/")
}

// Limit fixes the rate of service ("SESv2": the SDK's service ID) in account
// — "" is the caller's own — to a quota the account reports or AWS
// documents, whatever the options say: SES's maximum send rate, Identity
// Center's request limit.
func (f *Factory) Limit(account, service string, perSecond float64, burst int) {
	f.callerMu.Lock()
	own := account == "" || (f.caller != nil && account == f.caller.Account)
	f.callerMu.Unlock()
	if own {
		f.baseLimiter.fix(service, perSecond, burst)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limiterLocked(account).fix(service, perSecond, burst)
}

// Share makes services ("identitystore", "SSO Admin") in account ("": the
// caller's own) wait on one fixed limiter: a quota AWS counts across them.
func (f *Factory) Share(account string, services []string, perSecond float64, burst int) {
	f.callerMu.Lock()
	own := account == "" || (f.caller != nil && account == f.caller.Account)
	f.callerMu.Unlock()
	if own {
		f.baseLimiter.share(services, perSecond, burst)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limiterLocked(account).share(services, perSecond, burst)
}
