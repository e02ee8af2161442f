package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// OnboardOptions are `gatehouse onboard`'s options.
type OnboardOptions struct {
	IO *IO
	// Settings are the journal, pace, AWS access and sandbox flags every
	// lifecycle command shares.
	runenv.Settings
	File   string   // -f: a spec, CSV or seed JSON; "-" is standard input
	Emails []string // e-mail addresses given as arguments
	Flags  spec.Flags

	NoResetRequired bool
	Adopt           bool
	Output          string
	DryRun          bool

	// Args is the command line as typed, for the journal and the resume hint.
	Args []string
}

// NewCmdOnboard builds `gatehouse onboard`.
func NewCmdOnboard(streams *IO, runF func(context.Context, *OnboardOptions) error) *cobra.Command {
	opts := &OnboardOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "onboard [-f FILE] [EMAIL...]",
		Short: "Create people's IAM users in one or many accounts (or Identity Center users) and deliver their credentials",
		Long: `Onboard people: per account, an IAM user tagged as gatehouse's, its groups and
policies, a password that meets the account's password policy (reset at first
sign-in), and delivery of the password by SES mail or in this command's output.

The input is a gatehouse spec (YAML or JSON), a CSV with an email column, the
execution input of the Step Functions workflows gatehouse replaces, or e-mail
addresses as arguments. Everything is checked before the first AWS call; then
the plan checks that every group, policy and role exists before any user is
created. Every step is journaled: running the same command again finishes what
is missing, and a completed run changes nothing.

Exit codes: 0 everyone is ready, 1 someone failed or was skipped, 2 bad input.`,
		Example: `  # Try it on the embedded sandbox: no AWS account needed
  gatehouse onboard --sandbox -f examples/onboard/team.yaml

  # Plan only, then onboard, into two member accounts
  gatehouse onboard -f team.yaml --dry-run
  gatehouse onboard -f team.yaml

  # Two people, one group, the passwords in a JSON report (seed 001's shape)
  gatehouse onboard alice@example.com bob@example.com --account 222222222222 \
      --group developers --deliver none --output json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Emails = args
			opts.Flags.MarkChanged(cmd.Flags().Changed)
			if opts.NoResetRequired {
				opts.Flags.ResetRequired = spec.Set(false)
			}
			opts.Args = commandLine(cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runOnboard(cmd.Context(), opts)
		},
	}
	addOnboardFlags(cmd, opts)
	return cmd
}

func addOnboardFlags(cmd *cobra.Command, opts *OnboardOptions) {
	f, fl := cmd.Flags(), &opts.Flags
	addFileFlag(cmd, &opts.File, fl, "YAML, JSON or CSV")
	addAccountFlags(cmd, fl, "onboard into")
	f.StringArrayVar(&fl.Groups.Value, spec.FlagGroup, nil, "add everyone to group `NAME` (repeat for more)")
	f.StringArrayVar(&fl.Policies.Value, spec.FlagPolicy, nil, "attach managed policy `ARN` (or an AWS managed policy's name) to everyone")
	f.StringVar(&fl.Boundary.Value, spec.FlagBoundary, "", "permissions boundary policy `ARN` for everyone")
	addChannelFlags(cmd, fl, "")
	addPasswordFlags(cmd, fl, &opts.NoResetRequired)
	f.BoolVar(&opts.Adopt, "adopt", false, "take over users that exist but were not created by gatehouse")
	addOutputFlag(cmd, &opts.Output, onboard.Formats, "report")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	addRunFlags(cmd, &opts.Settings, "(person, account) pairs")
}

// check reports options that contradict each other or make no sense.
func (o *OnboardOptions) check() error {
	problems := o.Settings.Problems()
	if p := outputProblem(o.Output, onboard.Formats); p != "" {
		problems = append([]string{p}, problems...)
	}
	switch {
	case o.File != "" && len(o.Emails) > 0:
		problems = append(problems, "give either -f FILE or e-mail addresses, not both")
	case o.File == "" && len(o.Emails) == 0:
		problems = append(problems, "nobody to onboard: give -f FILE or e-mail addresses (see gatehouse onboard --help)")
	}
	if len(problems) > 0 {
		return &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}
