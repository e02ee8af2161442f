package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/doctor"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// DoctorOptions are `gatehouse doctor`'s options.
type DoctorOptions struct {
	IO *IO
	// Settings are the AWS access, pace and sandbox flags the commands share.
	runenv.Settings
	File  string // -f: a spec, CSV or seed JSON; "-" is standard input; "" checks the flags' setup
	Flags spec.Flags

	NoResetRequired bool
	Features        []string // --for: whose permissions are simulated
	Output          string

	featuresChanged bool // --for was given; else an Identity Center spec simulates identity-center
}

// NewCmdDoctor builds `gatehouse doctor`.
func NewCmdDoctor(streams *IO, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "doctor [-f FILE] [--account ID…|--all-accounts|--ou ID…] [--role NAME|ARN-TEMPLATE]",
		Short: "Check, per account, everything a run needs, with a fix for each finding",
		Long: `Check, before a run and without changing anything, what it needs in each
selected account: who gatehouse runs as and whether it (and the role it
enters each account through) may do what the features need, simulated with
IAM's policy simulator; whom that role trusts (Principal "*", the whole member
account or the management account, a missing external ID condition); SES's
sender, sending sandbox and quota; the password policy and the reset at first
sign-in; the account alias in the sign-in URL; and that the spec's groups
exist and, where its checks section asks, deny IAM changes.

Each finding is an error (a run would fail, or the setup is unsafe), a
warning, or ok (shown with -v and in JSON), with a fix: a command or a policy.

Exit codes: 0 no error (warnings allowed), 1 an error finding, 2 bad input.`,
		Example: `  # The embedded sandbox's world, every check listed
  gatehouse doctor --sandbox -f examples/onboard/team.yaml -v

  # Before onboarding a team into two member accounts
  gatehouse doctor -f team.yaml

  # A setup without a spec yet: the role, trust, policies and SES sender
  gatehouse doctor --all-accounts --role Provisioner --deliver ses --from it@example.com -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Flags.MarkChanged(cmd.Flags().Changed)
			opts.featuresChanged = cmd.Flags().Changed("for")
			if opts.NoResetRequired {
				opts.Flags.ResetRequired = spec.Set(false)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDoctor(cmd.Context(), opts)
		},
	}
	f, fl := cmd.Flags(), &opts.Flags
	addFileFlag(cmd, &opts.File, fl, "the spec, CSV or seed JSON a run would read")
	addAccountFlags(cmd, fl, "check")
	addChannelFlags(cmd, fl, "")
	addPasswordFlags(cmd, fl, &opts.NoResetRequired)
	f.StringSliceVar(&opts.Features, "for", []string{policy.Onboard}, "simulate the permissions of the `FEATURE`s in use: "+
		strings.Join(policy.Features, ", "))
	addOutputFlag(cmd, &opts.Output, doctor.Formats, "report")
	addSandboxFlags(cmd, &opts.Settings, "check the embedded sandbox instead of AWS")
	addPaceFlags(cmd, &opts.Settings, "accounts checked at once (default 8)")
	addEndpointFlags(cmd, &opts.Settings)
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "list the checks that passed too")
	return cmd
}

// check reports options that make no sense.
func (o *DoctorOptions) check() error {
	problems := o.Settings.Problems()
	if p := outputProblem(o.Output, doctor.Formats); p != "" {
		problems = append([]string{p}, problems...)
	}
	for _, f := range o.Features {
		if !slices.Contains(policy.Features, f) {
			problems = append(problems, fmt.Sprintf("--for %q: choose from %s", f, strings.Join(policy.Features, ", ")))
		}
	}
	if len(problems) > 0 {
		return &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}

func runDoctor(ctx context.Context, opts *DoctorOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	in, err := readInput(opts.IO, opts.File, opts.Flags, func() (*spec.Input, error) { return spec.SetupFromFlags(opts.Flags) })
	if err != nil {
		return err
	}
	features := opts.Features
	if in.Directory == spec.DirectoryIdentityCenter && !opts.featuresChanged {
		features = []string{policy.IdentityCenter}
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	rep, err := diagnose(ctx, rt, in, features)
	err = errors.Join(err, rt.Close())
	if rep == nil {
		return err
	}
	if werr := doctor.Write(opts.IO.Out, opts.Output, rep, opts.Verbose); werr != nil {
		return errors.Join(err, werr)
	}
	if err != nil {
		return err
	}
	if n := rep.Count(doctor.Error); n > 0 {
		return fmt.Errorf("the doctor found %s: a run would fail or be unsafe (see the report)", report.Plural(n, "error", "errors"))
	}
	return nil
}

// diagnose runs the doctor with the runtime's AWS access and channels.
func diagnose(ctx context.Context, rt *runenv.Factory, in *spec.Input, features []string) (*doctor.Report, error) {
	a, err := rt.AWS(ctx, in.Role)
	if err != nil {
		return nil, err
	}
	deps := doctor.Deps{AWS: a, Features: features, Concurrency: rt.Settings.Concurrency,
		Channels: func(ctx context.Context, in *spec.Input) error {
			_, err := rt.Channels(ctx, in)
			return err
		}}
	if in.Directory == spec.DirectoryIdentityCenter {
		return doctor.RunIdentityCenter(ctx, deps, in)
	}
	return doctor.Run(ctx, deps, in)
}
