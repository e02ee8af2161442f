package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// DeliverOptions are `gatehouse deliver`'s options.
type DeliverOptions struct {
	IO *IO
	// Settings are the journal, pace, AWS access and sandbox flags every
	// lifecycle command shares.
	runenv.Settings
	File  string // -f: the spec that lists the people; "-" is standard input
	Flags spec.Flags
	// Resend issues a fresh password and delivers it (required: the only
	// action so far).
	Resend bool
	// Users are the user names or e-mail addresses given as arguments.
	Users []string

	NoResetRequired bool
	Output          string
	DryRun          bool

	// Args is the command line as typed, for the journal and the resume hint.
	Args []string
}

// NewCmdDeliver builds `gatehouse deliver`.
func NewCmdDeliver(streams *IO, runF func(context.Context, *DeliverOptions) error) *cobra.Command {
	opts := &DeliverOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "deliver --resend [-f FILE] USER...",
		Short: "Issue a fresh password to existing users and deliver it again",
		Long: `Deliver again: for each named user that gatehouse created, in each selected
account, set a fresh password (meeting the account's password policy, reset at
first sign-in) and deliver it through the person's channel. Nothing else about
the user changes, and users that do not exist or that gatehouse did not create
are left alone and reported.

Name people by e-mail address, with --account and --deliver as for onboard; or
by user name or e-mail address together with the spec (-f) that lists them,
which supplies their accounts, channels, languages and public keys.

Exit codes: 0 everyone got a fresh password, 1 someone did not, 2 bad input.`,
		Example: `  # A new password for Alice in one account, mailed through SES
  gatehouse deliver --resend alice@example.com --account 222222222222 --from it@example.com

  # Bob lost his claim link: a new one, with the spec's channel settings
  gatehouse deliver --resend -f team.yaml bob@example.com`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users = args
			opts.Flags.MarkChanged(cmd.Flags().Changed)
			if opts.NoResetRequired {
				opts.Flags.ResetRequired = spec.Set(false)
			}
			opts.Args = commandLine(cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDeliver(cmd.Context(), opts)
		},
	}
	addFileFlag(cmd, &opts.File, &opts.Flags, "YAML, JSON or CSV")
	addAccountFlags(cmd, &opts.Flags, "deliver in")
	addChannelFlags(cmd, &opts.Flags, "")
	addPasswordFlags(cmd, &opts.Flags, &opts.NoResetRequired)
	addOutputFlag(cmd, &opts.Output, onboard.Formats, "report")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	addRunFlags(cmd, &opts.Settings, "(person, account) pairs")
	cmd.Flags().BoolVar(&opts.Resend, "resend", false, "issue a fresh password and deliver it")
	return cmd
}

func runDeliver(ctx context.Context, opts *DeliverOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	in, err := readInput(opts.IO, opts.File, opts.Flags, func() (*spec.Input, error) { return spec.FromArgs(opts.Users, opts.Flags) })
	if err != nil {
		return err
	}
	if opts.File != "" {
		if in.People, err = pickPeople(in.People, opts.Users); err != nil {
			return &UsageError{Err: err}
		}
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	run := onboarding{io: opts.IO, rt: rt, output: opts.Output, dryRun: opts.DryRun, resend: true, args: opts.Args}
	return errors.Join(run.run(ctx, in), rt.Close())
}

// check reports what is missing or contradictory before anything is read.
func (o *DeliverOptions) check() error {
	var problems []string
	if !o.Resend {
		problems = append(problems, "say what to do: --resend issues a fresh password and delivers it")
	}
	if len(o.Users) == 0 {
		problems = append(problems, "name the users to deliver to again (user names or e-mail addresses)")
	} else {
		run := o.Settings.Problems()
		if p := outputProblem(o.Output, onboard.Formats); p != "" {
			run = append([]string{p}, run...)
		}
		if len(run) > 0 {
			problems = append(problems, strings.Join(run, "; "))
		}
	}
	if len(problems) > 0 {
		return usageErrorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// pickPeople keeps the spec's people that names match, by user name or
// e-mail address (ignoring case), in the spec's order; a name that matches
// no one is an error.
func pickPeople(people []spec.Person, names []string) ([]spec.Person, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = false
	}
	var picked []spec.Person
	for _, p := range people {
		u, e := strings.ToLower(p.UserName), strings.ToLower(p.Email)
		_, byName := want[u]
		_, byEmail := want[e]
		if !byName && !byEmail {
			continue
		}
		picked = append(picked, p)
		if byName {
			want[u] = true
		}
		if byEmail {
			want[e] = true
		}
	}
	var missing []string
	for _, n := range names {
		if !want[strings.ToLower(n)] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not in the spec: %s; name people by the user name or e-mail address the spec gives them", strings.Join(missing, ", "))
	}
	return picked, nil
}
