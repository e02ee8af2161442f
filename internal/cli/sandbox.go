package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/sandbox"
)

// SandboxServeOptions are `gatehouse sandbox serve`'s options.
type SandboxServeOptions struct {
	IO         *IO
	Addr       string
	StateDir   string
	Fixture    string
	StrictAuth bool
	Latency    time.Duration
	Jitter     time.Duration
	RateLimit  float64
	Burst      int
	Throttle   float64
	ErrorRate  float64
	Seed       uint64
	Verbose    bool
}

// NewCmdSandbox builds `gatehouse sandbox` and its subcommands.
func NewCmdSandbox(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox: a local AWS (IAM, STS, SES, Organizations, Identity Center, SQS, SNS, EventBridge…)",
	}
	cmd.AddCommand(NewCmdSandboxServe(streams, nil))
	return cmd
}

// NewCmdSandboxServe builds `gatehouse sandbox serve`.
func NewCmdSandboxServe(streams *IO, runF func(context.Context, *SandboxServeOptions) error) *cobra.Command {
	opts := &SandboxServeOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox on one HTTP listener until interrupted",
		Long: `Serve the sandbox: IAM, STS, SES v1 and v2, Secrets Manager, Organizations, IAM Identity
Center (identitystore, sso-admin), SQS, SNS and EventBridge — IAM's calls reaching the
default event bus as CloudTrail events — on one listener, routed as real clients send
requests. Point any AWS client at it:

  aws --endpoint-url http://127.0.0.1:4566 iam list-users

A 12-digit access key ID acts in that account; any other key acts in 123456789012.
The inspection API lives under /_sandbox/ (health, reset, state, ses/messages,
faults, requests, clock, iam/mfa-devices, iam/check-password, iam/last-used,
iam/credential-report, ses/account, sso-admin/quotas, events, fixture; see
docs/sandbox.md).

With --strict-auth every inspection endpoint but health needs a bearer token:
` + sandbox.InspectTokenEnv + ` when set (it is then required without --strict-auth
too), else a random one printed at start. Listening beyond loopback is logged as
a warning, and as an error without --strict-auth.`,
		Example: `  gatehouse sandbox serve
  gatehouse sandbox serve --addr 127.0.0.1:4566 --state ./sandbox-state --fixture world.yaml
  gatehouse sandbox serve --latency 50ms --rate-limit 20 --error-rate 0.03 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSandboxServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:4566", "address to listen on (port 0 picks a free one)")
	f.StringVar(&opts.StateDir, "state", "", "keep the state in `DIR` across restarts (default: in memory)")
	f.StringVar(&opts.Fixture, "fixture", "", "YAML `FILE` that sets up accounts, users, policies… at start and on reset")
	f.BoolVar(&opts.StrictAuth, "strict-auth", false, "verify SigV4 signatures against known secrets and reject the rest")
	f.DurationVar(&opts.Latency, "latency", 0, "latency added to every AWS request")
	f.DurationVar(&opts.Jitter, "jitter", 0, "random extra latency, uniform between 0 and this")
	f.Float64Var(&opts.RateLimit, "rate-limit", 0, "requests per second allowed per account; more are throttled (0: unlimited)")
	f.IntVar(&opts.Burst, "burst", 0, "token bucket size for --rate-limit (default: the rate)")
	f.Float64Var(&opts.Throttle, "throttle-rate", 0, "fraction of requests answered with a throttling error")
	f.Float64Var(&opts.ErrorRate, "error-rate", 0, "fraction of requests answered with HTTP 500 or 503")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed for jitter and random faults (0: random)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log every request to stderr")
	return cmd
}

func runSandboxServe(ctx context.Context, opts *SandboxServeOptions) error {
	level := slog.LevelInfo
	if opts.Verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(opts.IO.Err, &slog.HandlerOptions{Level: level}))
	faults := sandbox.FaultConfig{
		LatencyMS: int(opts.Latency / time.Millisecond), JitterMS: int(opts.Jitter / time.Millisecond),
		RateLimit: opts.RateLimit, Burst: opts.Burst, ThrottleRate: opts.Throttle, ErrorRate: opts.ErrorRate, Seed: opts.Seed,
	}
	if err := faults.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	token := opts.IO.getenv(sandbox.InspectTokenEnv)
	srv, err := sandbox.New(sandbox.Options{
		StateDir: opts.StateDir, Fixture: opts.Fixture, StrictAuth: opts.StrictAuth, InspectToken: token, Faults: faults, Logger: logger,
	})
	if err != nil {
		return &UsageError{Err: err}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another sandbox running? choose another --addr)", opts.Addr, err)
	}
	if token == "" && srv.InspectToken() != "" {
		// Made for this run: printing it is the only way to learn it.
		fmt.Fprintf(opts.IO.Err, "inspection API token: %s (send 'Authorization: Bearer TOKEN' to /_sandbox/; set %s to choose it)\n",
			srv.InspectToken(), sandbox.InspectTokenEnv)
	}
	fmt.Fprintf(opts.IO.Err, "sandbox listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ctx, ln); err != nil {
		return fmt.Errorf("serving sandbox: %w", err)
	}
	fmt.Fprintln(opts.IO.Err, "sandbox stopped")
	return nil
}
