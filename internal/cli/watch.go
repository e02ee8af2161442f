package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/runenv"
)

// WatchOptions are `gatehouse watch`'s options.
type WatchOptions struct {
	IO *IO
	// Settings are the journal, pace, AWS access and sandbox flags every
	// lifecycle command shares.
	runenv.Settings
	Queue      string
	Config     string // the watcher's configuration (default $GATEHOUSE_CONFIG)
	Protect    string // gatehouse.yaml with the protected users (default: the usual places)
	Once       bool
	InFlight   int
	Visibility time.Duration
	Name       string // this watcher in leases (default host:pid)
}

// NewCmdWatch builds `gatehouse watch`.
func NewCmdWatch(streams *IO, runF func(context.Context, *WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "watch --queue URL [--config FILE]",
		Short: "Complete IAM users created elsewhere, from CloudTrail events on an SQS queue",
		Long: `Watch an SQS queue that an EventBridge rule (CloudTrail's CreateUser, in us-east-1)
feeds, directly or through SNS, and complete each IAM user created elsewhere —
by Terraform, CloudFormation or the console — with the onboarding engine: marked
as gatehouse's, the groups and policies the configuration's rules choose, a
password that meets the account's policy, delivered once through the channel.

A message is deleted only when the user is complete and the delivery confirmed,
or the user is one to leave alone (protected, created by gatehouse itself,
holding a console password already, without an address). One that failed comes
back after its visibility timeout and lands in the queue's dead-letter queue in
the end. A redelivered or duplicated event never issues a second password:
the journal records every event. Several watchers may share a queue and a
journal. SIGTERM finishes the messages in hand; --once drains the queue.

The configuration is the YAML onboard reads (role, password, delivery,
defaults), without people, plus an events section with the rules.`,
		Example: `  gatehouse watch --queue https://sqs.us-east-1.amazonaws.com/111111111111/iam-users --config watch.yaml
  GATEHOUSE_CONFIG=watch.yaml gatehouse watch --queue "$QUEUE_URL" --once`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runWatch(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Queue, "queue", "", "the SQS queue's `URL`")
	f.StringVar(&opts.Config, "config", "", "the watcher's configuration `FILE` (default $"+runenv.EnvConfig+")")
	f.StringVar(&opts.Protect, "protect", "", "gatehouse configuration `FILE` naming protected users (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	f.BoolVar(&opts.Once, "once", false, "drain the queue and exit (for cron and tests)")
	f.IntVar(&opts.InFlight, "in-flight", 4, "messages worked on at once")
	f.DurationVar(&opts.Visibility, "visibility", time.Minute, "how long a received message stays hidden; renewed while it is worked on")
	f.StringVar(&opts.Name, "name", "", "this watcher's name in the journal's leases (default host:pid)")
	addRunFlags(cmd, &opts.Settings, "messages")
	return cmd
}

func runWatch(ctx context.Context, opts *WatchOptions) error {
	problems := opts.Settings.Problems()
	if opts.Queue == "" {
		problems = append(problems, "give the queue: --queue URL")
	}
	if opts.InFlight < 1 {
		problems = append(problems, "--in-flight must be at least 1")
	}
	if opts.Visibility < 3*time.Second || opts.Visibility > 12*time.Hour {
		problems = append(problems, "--visibility must be between 3s and 12h (SQS's limits)")
	}
	if len(problems) > 0 {
		return &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	err := watchWith(ctx, opts, rt)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// SIGTERM (or Ctrl-C) while starting: nothing was in hand, so this
		// is the clean stop it asks for, not a failure a service manager
		// should report.
		fmt.Fprintf(opts.IO.Err, "gatehouse watch: stopped while starting (%v)\n", context.Cause(ctx))
		err = nil
	}
	return errors.Join(err, rt.Close())
}

func watchWith(ctx context.Context, opts *WatchOptions, rt *runenv.Factory) error {
	cfg, err := rt.ReadWatchConfig(opts.Config)
	if err != nil {
		return err
	}
	protect, err := loadConfig(opts.Protect)
	if err != nil {
		return &UsageError{Err: err}
	}
	owner := opts.Name
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	h, err := rt.Watcher(ctx, cfg, protect.Protect, owner, opts.Visibility)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(opts.IO.Err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h.Logger = log
	q, err := rt.SQS(ctx, cfg.Role)
	if err != nil {
		return err
	}
	w := &events.Worker{Handler: h, SQS: q, Queue: opts.Queue, InFlight: opts.InFlight, Visibility: opts.Visibility,
		Once: opts.Once, Logger: log}
	log.Info("watching", "queue", opts.Queue, "owner", owner, "in_flight", opts.InFlight)
	stats := w.Run(ctx)
	args := []any{"queue", opts.Queue}
	for v, n := range stats {
		args = append(args, string(v), n)
	}
	log.Info("stopped", args...)
	if stats[events.Failed] > 0 && opts.Once {
		return fmt.Errorf("%d message(s) failed and will come back (see the log)", stats[events.Failed])
	}
	return nil
}
