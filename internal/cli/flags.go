package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Defaults of the embedded sandbox's folders.
const (
	DefaultSandboxDir = runenv.DefaultSandboxDir
	DefaultMailDir    = runenv.DefaultMailDir
)

// The flag blocks below are declared once and shared by every command that
// takes them, so a flag means the same everywhere.

// addFileFlag binds -f FILE, and --key-dir for the public_key_file entries
// it may hold; what says what the file holds.
func addFileFlag(cmd *cobra.Command, file *string, fl *spec.Flags, what string) {
	cmd.Flags().StringVarP(file, "file", "f", "", "read people from `FILE` ("+what+"; - for standard input)")
	cmd.Flags().StringSliceVar(&fl.KeyDirs.Value, spec.FlagKeyDir, nil,
		"also read public_key_file from `DIR` (by default only the file's own directory)")
}

// addAccountFlags binds which accounts and how to enter them; verb says what
// happens in them ("onboard into").
func addAccountFlags(cmd *cobra.Command, fl *spec.Flags, verb string) {
	f := cmd.Flags()
	f.StringVar(&fl.Directory.Value, spec.FlagDirectory, "", "the kind of identity store: iam (default) or identity-center")
	f.StringSliceVar(&fl.Accounts.Value, spec.FlagAccount, nil, verb+" account `ID` (repeat or comma-separate)")
	f.BoolVar(&fl.AllAccounts.Value, spec.FlagAllAccounts, false, verb+" every active account of the organisation")
	f.StringSliceVar(&fl.OUs.Value, spec.FlagOU, nil, verb+" every account under organisational unit `ID`")
	f.StringVar(&fl.Role.Value, spec.FlagRole, "", "role to assume in each account: `NAME` or an ARN template with {account} (default "+iamuser.DefaultRole+")")
	f.StringVar(&fl.ExternalID.Value, spec.FlagExternalID, "", "external ID for assuming the role")
	f.StringVar(&fl.SessionName.Value, spec.FlagSessionName, "", "session name for assuming the role (default gatehouse)")
}

// addChannelFlags binds how credentials are delivered: the channel, the
// sender, the language and each channel's settings; prefix says when they
// apply ("" or "with --reinstate: ").
func addChannelFlags(cmd *cobra.Command, fl *spec.Flags, prefix string) {
	f := cmd.Flags()
	f.StringVar(&fl.Deliver.Value, spec.FlagDeliver, "", prefix+"deliver passwords by `CHANNEL`: ses, smtp, slack, claim, file or none (only in this command's output)")
	f.StringVar(&fl.From.Value, spec.FlagFrom, "", prefix+"sender `ADDRESS` for ses and smtp (for ses, verified in SES)")
	f.StringVar(&fl.SMTPAddr.Value, spec.FlagSMTPAddr, "", "smtp: the mail server's `HOST:PORT` (password in $"+spec.EnvSMTPPassword+")")
	f.StringVar(&fl.SMTPUser.Value, spec.FlagSMTPUser, "", "smtp: authenticate as `USER`")
	f.StringVar(&fl.SMTPTLS.Value, spec.FlagSMTPTLS, "", "smtp: `MODE` starttls (default), tls or none")
	f.StringVar(&fl.ClaimURL.Value, spec.FlagClaimURL, "", "claim: the public `BASE` address of gatehouse serve (token in $"+spec.EnvClaimToken+")")
	f.StringVar(&fl.ClaimVia.Value, spec.FlagClaimVia, "", "claim: send the link by `CHANNEL`: ses (default), smtp or slack")
	f.DurationVar(&fl.ClaimTTL.Value, spec.FlagClaimTTL, 0, "claim: how long a link works (default 72h)")
	f.StringVar(&fl.FileDir.Value, spec.FlagFileDir, "", "file: write the encrypted credentials under `DIR` (default credentials)")
	f.StringVar(&fl.Language.Value, spec.FlagLanguage, "", prefix+"language of the messages: en or ja")
	f.BoolVar(&fl.PerAccount.Value, spec.FlagPerAccount, false, prefix+"one message per account (default: one per person, listing every account)")
}

// channelFlags are the flags addChannelFlags binds.
var channelFlags = []string{spec.FlagDeliver, spec.FlagFrom, spec.FlagLanguage, spec.FlagSMTPAddr, spec.FlagSMTPUser,
	spec.FlagSMTPTLS, spec.FlagClaimURL, spec.FlagClaimVia, spec.FlagClaimTTL, spec.FlagFileDir, spec.FlagPerAccount}

// addPasswordFlags binds how passwords are made.
func addPasswordFlags(cmd *cobra.Command, fl *spec.Flags, noReset *bool) {
	f := cmd.Flags()
	f.StringVar(&fl.PasswordSource.Value, spec.FlagPasswordSource, "", "make passwords with crypto (default) or secretsmanager")
	f.IntVar(&fl.PasswordLength.Value, spec.FlagPasswordLength, 0, "password length, 20 to 128 (default 20; a longer policy minimum wins)")
	f.BoolVar(noReset, "no-reset-required", false, "do not make people choose a new password at first sign-in")
}

// addOutputFlag binds -o FORMAT, one of formats (the first is the default).
func addOutputFlag(cmd *cobra.Command, out *string, formats []string, what string) {
	cmd.Flags().StringVarP(out, "output", "o", formats[0], what+" `FORMAT`: "+orList(formats))
}

// outputProblem says what is wrong with -o FORMAT, or "".
func outputProblem(out string, formats []string) string {
	if slices.Contains(formats, out) {
		return ""
	}
	return fmt.Sprintf("--output %q: use one of %s", out, strings.Join(formats, ", "))
}

// addJournalFlags binds where the journal is: --journal, or the embedded
// sandbox's.
func addJournalFlags(cmd *cobra.Command, s *runenv.Settings, sandboxHelp string) {
	cmd.Flags().StringVar(&s.Journal, "journal", "", "journal `PATH` (default $XDG_STATE_HOME/gatehouse/journal.db)")
	addSandboxFlags(cmd, s, sandboxHelp)
}

// addSandboxFlags binds the embedded sandbox and where it keeps its state.
func addSandboxFlags(cmd *cobra.Command, s *runenv.Settings, sandboxHelp string) {
	f := cmd.Flags()
	f.BoolVar(&s.Sandbox, "sandbox", false, sandboxHelp)
	f.StringVar(&s.SandboxDir, "sandbox-dir", DefaultSandboxDir, "keep the embedded sandbox's state in `DIR`")
}

// addRunFlags binds the settings every lifecycle command shares: the
// journal, the pace, AWS access, the sandbox and verbosity; unit names what
// runs in parallel ("(person, account) pairs").
func addRunFlags(cmd *cobra.Command, s *runenv.Settings, unit string) {
	f := cmd.Flags()
	addJournalFlags(cmd, s, "run against the embedded sandbox instead of AWS")
	addPaceFlags(cmd, s, unit+" worked on at once (default: 8 per account, at least 16)")
	addAWSFlags(cmd, s)
	f.BoolVarP(&s.Verbose, "verbose", "v", false, "log every step to standard error")
}

// addPaceFlags binds how much runs at once and how fast AWS is called;
// concurrency says what --concurrency bounds.
func addPaceFlags(cmd *cobra.Command, s *runenv.Settings, concurrency string) {
	f := cmd.Flags()
	f.IntVar(&s.Concurrency, "concurrency", 0, concurrency)
	f.Float64Var(&s.RateLimit, "rate-limit", 0, "AWS requests per second per account, fixed (default: adaptive, up to 100/s, halved whenever AWS throttles)")
}

// addAWSFlags binds how AWS is reached: the endpoint, the region, the
// profile, and where the embedded sandbox's mail goes.
func addAWSFlags(cmd *cobra.Command, s *runenv.Settings) {
	addEndpointFlags(cmd, s)
	cmd.Flags().StringVar(&s.MailDir, "mail-dir", DefaultMailDir, "save the embedded sandbox's sent mail as .eml files in `DIR`")
}

// addEndpointFlags binds the endpoint, the region and the profile, for
// commands that send no mail.
func addEndpointFlags(cmd *cobra.Command, s *runenv.Settings) {
	f := cmd.Flags()
	f.StringVar(&s.EndpointURL, "endpoint-url", "", "send every AWS request to `URL` (such as a sandbox)")
	f.StringVar(&s.Region, "region", "", "AWS region (default: AWS_REGION or the profile's, else us-east-1)")
	f.StringVar(&s.Profile, "profile", "", "AWS shared config profile")
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// commandLine rebuilds the command as typed, flags first, for the journal
// and the resume hint.
func commandLine(cmd *cobra.Command, args []string) []string {
	out := []string{cmd.Name()}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		switch v := f.Value.(type) {
		case pflag.SliceValue:
			for _, item := range v.GetSlice() {
				out = append(out, "--"+f.Name+"="+item)
			}
		default:
			if f.Value.Type() == "bool" && f.Value.String() == "true" {
				out = append(out, "--"+f.Name)
			} else {
				out = append(out, "--"+f.Name+"="+f.Value.String())
			}
		}
	})
	return append(out, args...)
}
