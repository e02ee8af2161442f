package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// OnboardOptions are `gatehouse onboard`'s options.
type OnboardOptions struct {
	IO     *IO
	File   string   // -f: a spec, CSV or seed JSON; "-" is standard input
	Emails []string // e-mail addresses given as arguments
	Flags  spec.Flags

	NoResetRequired bool
	Adopt           bool
	Output          string
	DryRun          bool
	Journal         string // "" = the default journal
	Concurrency     int
	RateLimit       float64
	EndpointURL     string
	Region          string
	Profile         string
	Sandbox         bool
	SandboxDir      string
	MailDir         string
	Verbose         bool
	// Resend gives existing users a fresh password and delivers it, and
	// does nothing else (gatehouse deliver --resend).
	Resend bool

	// Args is the command line as typed, for the journal and the resume hint.
	Args []string
}

// Defaults of the embedded sandbox's folders.
const (
	DefaultSandboxDir = ".gatehouse/sandbox"
	DefaultMailDir    = ".gatehouse/mail"
)

// NewCmdOnboard builds `gatehouse onboard`.
func NewCmdOnboard(streams *IO, runF func(context.Context, *OnboardOptions) error) *cobra.Command {
	opts := &OnboardOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "onboard [-f FILE] [EMAIL...]",
		Short: "Create IAM users for people in one or many accounts and deliver their passwords",
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
	addAccountFlags(cmd, opts, "onboard into")
	f.StringArrayVar(&fl.Groups.Value, spec.FlagGroup, nil, "add everyone to group `NAME` (repeat for more)")
	f.StringArrayVar(&fl.Policies.Value, spec.FlagPolicy, nil, "attach managed policy `ARN` (or an AWS managed policy's name) to everyone")
	f.StringVar(&fl.Boundary.Value, spec.FlagBoundary, "", "permissions boundary policy `ARN` for everyone")
	addCredentialFlags(cmd, opts)
	f.BoolVar(&opts.Adopt, "adopt", false, "take over users that exist but were not created by gatehouse")
	addRunFlags(cmd, opts)
}

// addAccountFlags binds the input and the accounts flags; verb says what
// happens in the accounts ("onboard into").
func addAccountFlags(cmd *cobra.Command, opts *OnboardOptions, verb string) {
	f, fl := cmd.Flags(), &opts.Flags
	f.StringVarP(&opts.File, "file", "f", "", "read people from `FILE` (YAML, JSON or CSV; - for standard input)")
	f.StringSliceVar(&fl.Accounts.Value, spec.FlagAccount, nil, verb+" account `ID` (repeat or comma-separate)")
	f.BoolVar(&fl.AllAccounts.Value, spec.FlagAllAccounts, false, verb+" every active account of the organisation")
	f.StringSliceVar(&fl.OUs.Value, spec.FlagOU, nil, verb+" every account under organisational unit `ID`")
	f.StringVar(&fl.Role.Value, spec.FlagRole, "", "role to assume in each account: `NAME` or an ARN template with {account} (default "+onboard.DefaultRole+")")
	f.StringVar(&fl.ExternalID.Value, spec.FlagExternalID, "", "external ID for assuming the role")
	f.StringVar(&fl.SessionName.Value, spec.FlagSessionName, "", "session name for assuming the role (default gatehouse)")
}

// addCredentialFlags binds how passwords are made and delivered.
func addCredentialFlags(cmd *cobra.Command, opts *OnboardOptions) {
	f, fl := cmd.Flags(), &opts.Flags
	f.StringVar(&fl.Deliver.Value, spec.FlagDeliver, "", "deliver passwords by `CHANNEL` to everyone: ses, smtp, slack, claim, file or none (only in this command's output)")
	f.StringVar(&fl.From.Value, spec.FlagFrom, "", "sender `ADDRESS` for ses and smtp (for ses, verified in SES)")
	addDeliveryFlags(cmd, fl)
	f.StringVar(&fl.Language.Value, spec.FlagLanguage, "", "language of the messages: en or ja")
	f.StringVar(&fl.PasswordSource.Value, spec.FlagPasswordSource, "", "make passwords with crypto (default) or secretsmanager")
	f.IntVar(&fl.PasswordLength.Value, spec.FlagPasswordLength, 0, "password length, 20 to 128 (default 20; a longer policy minimum wins)")
	f.BoolVar(&opts.NoResetRequired, "no-reset-required", false, "do not make people choose a new password at first sign-in")
}

// addRunFlags binds the output, journal, pace and AWS access flags.
func addRunFlags(cmd *cobra.Command, opts *OnboardOptions) {
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", onboard.FormatTable, "report `FORMAT`: table, json or csv")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	f.StringVar(&opts.Journal, "journal", "", "journal `PATH` (default $XDG_STATE_HOME/gatehouse/journal.db)")
	f.IntVar(&opts.Concurrency, "concurrency", 0, "(person, account) pairs worked on at once (default: 8 per account, at least 16)")
	f.Float64Var(&opts.RateLimit, "rate-limit", 0, "AWS requests per second per account, fixed (default: adaptive, up to 100/s, halved whenever AWS throttles)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "send every AWS request to `URL` (such as a sandbox)")
	f.StringVar(&opts.Region, "region", "", "AWS region (default: AWS_REGION or the profile's, else us-east-1)")
	f.StringVar(&opts.Profile, "profile", "", "AWS shared config profile")
	f.BoolVar(&opts.Sandbox, "sandbox", false, "run against the embedded sandbox instead of AWS")
	f.StringVar(&opts.SandboxDir, "sandbox-dir", DefaultSandboxDir, "keep the embedded sandbox's state in `DIR`")
	f.StringVar(&opts.MailDir, "mail-dir", DefaultMailDir, "save the embedded sandbox's sent mail as .eml files in `DIR`")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log every step to standard error")
}

// addDeliveryFlags binds the channels' settings. Their secrets come from the
// environment only: GATEHOUSE_SMTP_PASSWORD, GATEHOUSE_SLACK_TOKEN and
// GATEHOUSE_CLAIM_TOKEN.
func addDeliveryFlags(cmd *cobra.Command, fl *spec.Flags) {
	f := cmd.Flags()
	f.StringVar(&fl.SMTPAddr.Value, spec.FlagSMTPAddr, "", "smtp: the mail server's `HOST:PORT` (password in $"+spec.EnvSMTPPassword+")")
	f.StringVar(&fl.SMTPUser.Value, spec.FlagSMTPUser, "", "smtp: authenticate as `USER`")
	f.StringVar(&fl.SMTPTLS.Value, spec.FlagSMTPTLS, "", "smtp: `MODE` starttls (default), tls or none")
	f.StringVar(&fl.ClaimURL.Value, spec.FlagClaimURL, "", "claim: the public `BASE` address of gatehouse serve (token in $"+spec.EnvClaimToken+")")
	f.StringVar(&fl.ClaimVia.Value, spec.FlagClaimVia, "", "claim: send the link by `CHANNEL`: ses (default), smtp or slack")
	f.DurationVar(&fl.ClaimTTL.Value, spec.FlagClaimTTL, 0, "claim: how long a link works (default 72h)")
	f.StringVar(&fl.FileDir.Value, spec.FlagFileDir, "", "file: write the encrypted credentials under `DIR` (default credentials)")
}

// check reports options that contradict each other or make no sense.
func (o *OnboardOptions) check() error {
	var problems []string
	if !slices.Contains(onboard.Formats, o.Output) {
		problems = append(problems, fmt.Sprintf("--output %q: use one of %s", o.Output, strings.Join(onboard.Formats, ", ")))
	}
	if o.Concurrency < 0 {
		problems = append(problems, "--concurrency must be at least 1 (or 0 for the default)")
	}
	if o.RateLimit < 0 {
		problems = append(problems, "--rate-limit must be more than 0 requests per second (or 0 for adaptive)")
	}
	switch {
	case o.File != "" && len(o.Emails) > 0:
		problems = append(problems, "give either -f FILE or e-mail addresses, not both")
	case o.File == "" && len(o.Emails) == 0:
		problems = append(problems, "nobody to onboard: give -f FILE or e-mail addresses (see gatehouse onboard --help)")
	}
	if o.Sandbox && (o.EndpointURL != "" || o.Profile != "") {
		problems = append(problems, "--sandbox starts its own endpoint with its own credentials; drop --endpoint-url and --profile")
	}
	if len(problems) > 0 {
		return &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}
