package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// OffboardOptions are `gatehouse offboard`'s options.
type OffboardOptions struct {
	IO    *IO
	File  string   // -f: a spec, CSV or seed JSON (the onboarding input works); "-" is standard input
	Users []string // user names or e-mail addresses given as arguments
	Flags spec.Flags
	Tags  []string // --tag KEY=VALUE

	Yes       bool
	Suspend   bool
	Reinstate bool
	Archive   string // "" = "archive" next to the journal
	Config    string // "" = ./gatehouse.yaml or $XDG_CONFIG_HOME/gatehouse/config.yaml when there

	Output      string
	Journal     string
	Concurrency int
	RateLimit   float64
	EndpointURL string
	Region      string
	Profile     string
	Sandbox     bool
	SandboxDir  string
	MailDir     string
	Verbose     bool

	// Args is the command line as typed, for the journal and the hints.
	Args []string
}

// NewCmdOffboard builds `gatehouse offboard`.
func NewCmdOffboard(streams *IO, runF func(context.Context, *OffboardOptions) error) *cobra.Command {
	opts := &OffboardOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "offboard [-f FILE] [USER|EMAIL...]",
		Short: "Remove people's IAM users from one or many accounts completely, planned and archived",
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
	f.StringVarP(&opts.File, "file", "f", "", "read people from `FILE` (the onboarding spec, YAML, JSON or CSV; - for standard input)")
	f.StringSliceVar(&fl.Accounts.Value, spec.FlagAccount, nil, "offboard from account `ID` (repeat or comma-separate)")
	f.BoolVar(&fl.AllAccounts.Value, spec.FlagAllAccounts, false, "offboard from every active account of the organisation")
	f.StringSliceVar(&fl.OUs.Value, spec.FlagOU, nil, "offboard from every account under organisational unit `ID`")
	f.StringArrayVar(&opts.Tags, "tag", nil, "select users carrying tag `KEY=VALUE` (repeat: all of them); with people given, narrows")
	f.StringVar(&fl.Role.Value, spec.FlagRole, "", "role to assume in each account: `NAME` or an ARN template with {account} (default "+onboard.DefaultRole+")")
	f.StringVar(&fl.ExternalID.Value, spec.FlagExternalID, "", "external ID for assuming the role")
	f.StringVar(&fl.SessionName.Value, spec.FlagSessionName, "", "session name for assuming the role (default gatehouse)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "do it (without: print the plan and change nothing)")
	f.BoolVar(&opts.Suspend, "suspend", false, "suspend instead: delete the password, deactivate credentials, tag the user")
	f.BoolVar(&opts.Reinstate, "reinstate", false, "undo a suspension: reactivate what it deactivated, issue a new password")
	f.StringVar(&fl.Deliver.Value, spec.FlagDeliver, "", "with --reinstate: deliver the new password by `CHANNEL`: ses, smtp, slack, claim or none (in this output)")
	f.StringVar(&fl.From.Value, spec.FlagFrom, "", "with --reinstate: sender `ADDRESS` for ses")
	f.StringVar(&fl.Language.Value, spec.FlagLanguage, "", "with --reinstate: language of the mail: en or ja")
	addDeliveryFlags(cmd, fl)
	f.StringVar(&opts.Archive, "archive", "", "write archive records to `DIR` (default: archive/ next to the journal)")
	f.StringVar(&opts.Config, "config", "", "gatehouse configuration `FILE` (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	f.StringVarP(&opts.Output, "output", "o", offboard.FormatTable, "plan and report `FORMAT`: table or json")
	f.StringVar(&opts.Journal, "journal", "", "journal `PATH` (default $XDG_STATE_HOME/gatehouse/journal.db)")
	f.IntVar(&opts.Concurrency, "concurrency", 0, "(user, account) pairs worked on at once (default: 8 per account, at least 16)")
	f.Float64Var(&opts.RateLimit, "rate-limit", 0, "AWS requests per second per account, fixed (default: adaptive, up to 100/s, halved whenever AWS throttles)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "send every AWS request to `URL` (such as a sandbox)")
	f.StringVar(&opts.Region, "region", "", "AWS region (default: AWS_REGION or the profile's, else us-east-1)")
	f.StringVar(&opts.Profile, "profile", "", "AWS shared config profile")
	f.BoolVar(&opts.Sandbox, "sandbox", false, "run against the embedded sandbox instead of AWS")
	f.StringVar(&opts.SandboxDir, "sandbox-dir", DefaultSandboxDir, "keep the embedded sandbox's state in `DIR`")
	f.StringVar(&opts.MailDir, "mail-dir", DefaultMailDir, "save the embedded sandbox's sent mail as .eml files in `DIR`")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log every step to standard error")
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
	if !slices.Contains(offboard.Formats, o.Output) {
		p = append(p, fmt.Sprintf("--output %q: use one of %s", o.Output, strings.Join(offboard.Formats, ", ")))
	}
	if o.Concurrency < 0 {
		p = append(p, "--concurrency must be at least 1 (or 0 for the default)")
	}
	if o.RateLimit < 0 {
		p = append(p, "--rate-limit must be more than 0 requests per second (or 0 for adaptive)")
	}
	if o.Suspend && o.Reinstate {
		p = append(p, "--suspend with --reinstate: choose one")
	}
	switch {
	case o.File != "" && len(o.Users) > 0:
		p = append(p, "give either -f FILE or user names and e-mail addresses, not both")
	case o.File == "" && len(o.Users) == 0 && len(o.Tags) == 0:
		p = append(p, "nobody to offboard: give user names or e-mail addresses, -f FILE, or --tag KEY=VALUE (see gatehouse offboard --help)")
	}
	for _, name := range reinstateFlags {
		if o.flagSet(name) && !o.Reinstate {
			p = append(p, "--"+name+" is for --reinstate (the new password's delivery); drop it")
		}
	}
	if o.Sandbox && (o.EndpointURL != "" || o.Profile != "") {
		p = append(p, "--sandbox starts its own endpoint with its own credentials; drop --endpoint-url and --profile")
	}
	_, tagProblems := parseTags(o.Tags)
	return append(p, tagProblems...)
}

// reinstateFlags are the flags only --reinstate uses: how the new password
// is delivered.
var reinstateFlags = []string{spec.FlagDeliver, spec.FlagFrom, spec.FlagLanguage, spec.FlagSMTPAddr, spec.FlagSMTPUser,
	spec.FlagSMTPTLS, spec.FlagClaimURL, spec.FlagClaimVia, spec.FlagClaimTTL, spec.FlagFileDir}

func (o *OffboardOptions) flagSet(name string) bool {
	f := &o.Flags
	return map[string]bool{
		spec.FlagDeliver: f.Deliver.Set, spec.FlagFrom: f.From.Set, spec.FlagLanguage: f.Language.Set,
		spec.FlagSMTPAddr: f.SMTPAddr.Set, spec.FlagSMTPUser: f.SMTPUser.Set, spec.FlagSMTPTLS: f.SMTPTLS.Set,
		spec.FlagClaimURL: f.ClaimURL.Set, spec.FlagClaimVia: f.ClaimVia.Set, spec.FlagClaimTTL: f.ClaimTTL.Set,
		spec.FlagFileDir: f.FileDir.Set,
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

// onboardOptions are the options onboarding's shared helpers (embedded
// sandbox, journal, AWS access, logger) take, from these.
func (o *OffboardOptions) onboardOptions() *OnboardOptions {
	return &OnboardOptions{IO: o.IO, File: o.File, Flags: o.Flags, Output: o.Output, DryRun: true, Journal: o.Journal,
		Concurrency: o.Concurrency, RateLimit: o.RateLimit, EndpointURL: o.EndpointURL, Region: o.Region, Profile: o.Profile,
		Sandbox: o.Sandbox, SandboxDir: o.SandboxDir, MailDir: o.MailDir, Verbose: o.Verbose, Args: o.Args}
}
