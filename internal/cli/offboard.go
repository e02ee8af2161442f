package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// OffboardOptions are `gatehouse offboard`'s options.
type OffboardOptions struct {
	IO *IO
	// Settings are the journal, pace, AWS access and sandbox flags every
	// lifecycle command shares.
	runenv.Settings
	File  string   // -f: a spec, CSV or seed JSON (the onboarding input works); "-" is standard input
	Users []string // user names or e-mail addresses given as arguments
	Flags spec.Flags
	Tags  []string // --tag KEY=VALUE

	Yes       bool
	Suspend   bool
	Reinstate bool
	Archive   string // "" = "archive" next to the journal
	Config    string // "" = ./gatehouse.yaml or $XDG_CONFIG_HOME/gatehouse/config.yaml when there
	Output    string

	// Args is the command line as typed, for the journal and the hints.
	Args []string
}

// NewCmdOffboard builds `gatehouse offboard`.
func NewCmdOffboard(streams *IO, runF func(context.Context, *OffboardOptions) error) *cobra.Command {
	opts := &OffboardOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "offboard [-f FILE] [USER|EMAIL...]",
		Short: "Remove people's IAM users (or Identity Center users) from every account completely, planned and archived",
		Long: `Offboard people: find their IAM users (by user name, or by e-mail address
through the gatehouse:email tag), discover everything attached to each — login
profile, access keys and their last use, SSH keys, signing certificates,
service-specific credentials of every service, MFA devices of every kind,
groups, inline policies with their documents, managed policies, permissions
boundary, tags — and print the plan. Nothing changes without --yes.

With --yes each user is archived first (one JSON record per user and account,
in the journal and in --archive), then everything attached is removed at once:
every MFA device deactivated (and only virtual ones deleted), the rest deleted,
detached or left; then the user is deleted and checked gone. Run the same
command again after a failure: what is gone counts as done.

--suspend is the reversible form: the console password is deleted, access keys,
SSH keys, certificates and service-specific credentials deactivated, and the
user tagged gatehouse:suspended. --reinstate reactivates exactly what the
suspension deactivated and issues a new password through onboarding's delivery.

Users protected by the configuration (protect: users, patterns, tags) and the
identity gatehouse runs as are never touched. Users gatehouse did not create
are removed only after a confirmation on a terminal, or with --yes elsewhere.

Exit codes: 0 everything is done (or there was nothing to do), 1 something is
left, 2 bad input.`,
		Example: `  # The plan: what alice has in every account, changing nothing
  gatehouse offboard alice@example.com --all-accounts

  # Remove her, archiving everything first
  gatehouse offboard alice@example.com --all-accounts --yes

  # Everyone in the onboarding spec, from two accounts, the report as JSON
  gatehouse offboard -f team.yaml --account 222222222222,333333333333 --yes -o json

  # Suspend for an investigation, later reinstate (a new password by SES)
  gatehouse offboard bob --suspend --yes
  gatehouse offboard bob --reinstate --yes --from it@example.com`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users = args
			opts.Flags.MarkChanged(cmd.Flags().Changed)
			opts.Args = commandLine(cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runOffboard(cmd.Context(), opts)
		},
	}
	addOffboardFlags(cmd, opts)
	return cmd
}

func addOffboardFlags(cmd *cobra.Command, opts *OffboardOptions) {
	f, fl := cmd.Flags(), &opts.Flags
	addFileFlag(cmd, &opts.File, fl, "the onboarding spec, YAML, JSON or CSV")
	addAccountFlags(cmd, fl, "offboard from")
	f.StringArrayVar(&opts.Tags, "tag", nil, "select users carrying tag `KEY=VALUE` (repeat: all of them); with people given, narrows")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "do it (without: print the plan and change nothing)")
	f.BoolVar(&opts.Suspend, "suspend", false, "suspend instead: delete the password, deactivate credentials, tag the user")
	f.BoolVar(&opts.Reinstate, "reinstate", false, "undo a suspension: reactivate what it deactivated, issue a new password")
	addChannelFlags(cmd, fl, "with --reinstate: ")
	f.StringVar(&opts.Archive, "archive", "", "write archive records to `DIR` (default: archive/ next to the journal)")
	f.StringSliceVar(&opts.Unchecked, "unchecked", nil, "do not list `KIND` (the backend lacks it, as moto lacks service-specific-credentials); "+
		"plans and reports say it was not checked")
	f.StringVar(&opts.Config, "config", "", "gatehouse configuration `FILE` (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	addOutputFlag(cmd, &opts.Output, offboard.Formats, "plan and report")
	addRunFlags(cmd, &opts.Settings, "(user, account) pairs")
}

// action is what the options ask for.
func (o *OffboardOptions) action() offboard.Action {
	switch {
	case o.Suspend:
		return offboard.ActionSuspend
	case o.Reinstate:
		return offboard.ActionReinstate
	}
	return offboard.ActionRemove
}

// problems lists the options that contradict each other or make no sense.
func (o *OffboardOptions) problems() []string {
	var p []string
	if msg := outputProblem(o.Output, offboard.Formats); msg != "" {
		p = append(p, msg)
	}
	p = append(p, o.Settings.Problems()...)
	if o.Suspend && o.Reinstate {
		p = append(p, "--suspend with --reinstate: choose one")
	}
	switch {
	case o.File != "" && len(o.Users) > 0:
		p = append(p, "give either -f FILE or user names and e-mail addresses, not both")
	case o.File == "" && len(o.Users) == 0 && len(o.Tags) == 0:
		p = append(p, "nobody to offboard: give user names or e-mail addresses, -f FILE, or --tag KEY=VALUE (see gatehouse offboard --help)")
	}
	for _, name := range channelFlags {
		if o.flagSet(name) && !o.Reinstate {
			p = append(p, "--"+name+" is for --reinstate (the new password's delivery); drop it")
		}
	}
	_, tagProblems := parseTags(o.Tags)
	return append(p, tagProblems...)
}

func (o *OffboardOptions) flagSet(name string) bool {
	f := &o.Flags
	return map[string]bool{
		spec.FlagDeliver: f.Deliver.Set, spec.FlagFrom: f.From.Set, spec.FlagLanguage: f.Language.Set,
		spec.FlagSMTPAddr: f.SMTPAddr.Set, spec.FlagSMTPUser: f.SMTPUser.Set, spec.FlagSMTPTLS: f.SMTPTLS.Set,
		spec.FlagClaimURL: f.ClaimURL.Set, spec.FlagClaimVia: f.ClaimVia.Set, spec.FlagClaimTTL: f.ClaimTTL.Set,
		spec.FlagFileDir: f.FileDir.Set, spec.FlagPerAccount: f.PerAccount.Set,
	}[name]
}

// parseTags reads --tag KEY=VALUE filters.
func parseTags(args []string) (map[string]string, []string) {
	var problems []string
	tags := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		switch {
		case !ok || k == "":
			problems = append(problems, fmt.Sprintf("--tag %q: write KEY=VALUE, e.g. --tag team=platform", a))
		case len(k) > 128 || len(v) > 256:
			problems = append(problems, fmt.Sprintf("--tag %q: IAM tag keys are at most 128 characters and values 256", a))
		default:
			if old, dup := tags[k]; dup && old != v {
				problems = append(problems, fmt.Sprintf("--tag %q: key %s is given twice with different values; a user has one value per key", a, k))
			}
			tags[k] = v
		}
	}
	return tags, problems
}
