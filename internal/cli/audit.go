package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// AuditOptions are `gatehouse audit`'s options.
type AuditOptions struct {
	IO *IO
	// Settings are the journal, pace, AWS access and sandbox flags every
	// lifecycle command shares.
	runenv.Settings
	File  string // -f: the spec, whose people are the users that should exist
	Flags spec.Flags

	UnusedDays     int
	RotationDays   int
	Candidates     []string // kinds of finding that make an offboarding candidate
	OffboardFile   string   // write the candidates as an offboarding input here
	FailOnFindings bool
	Config         string // "" = ./gatehouse.yaml or $XDG_CONFIG_HOME/gatehouse/config.yaml when there
	Output         string
}

// NewCmdAudit builds `gatehouse audit`.
func NewCmdAudit(streams *IO, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "audit [-f SPEC]",
		Args:  cobra.NoArgs,
		Short: "Report stale credentials, missing MFA and unmanaged users, and write the offboarding candidates",
		Long: `Audit the IAM users of every selected account, from IAM's credential report
(which AWS makes at most every four hours) and each user's tags and policies —
or, with --directory identity-center, the users of the Identity Center
instance's store (not-in-spec and unmanaged only: Identity Center keeps no
password or key to judge):

  password-no-mfa      a console password and no MFA device
  password-never-used  a console password set --unused-days ago or more, never used
  password-unused      a console password last used --unused-days ago or more
  key-not-rotated      an active access key older than --rotation-days
  key-unused           an active access key last used --unused-days ago or more
  key-never-used       an active access key made --unused-days ago or more, never used
  two-active-keys      both access keys active
  direct-policies      managed or inline policies attached to the user, not a group
  not-in-spec          with -f SPEC: no person of the spec is this user
  unmanaged            gatehouse did not create it (no gatehouse:managed-by tag, and
                       the journal does not say gatehouse made or adopted it)

The thresholds default to the CIS AWS Foundations Benchmark's (45 and 90 days).
Nothing is changed. --offboard-file writes the users whose findings are among
--candidates as an input for gatehouse offboard -f, one person per user with
the accounts where it is a candidate; users the configuration protects and the
identity gatehouse runs as are never in it.

Exit codes: 0 the audit ran (findings are data), 1 an account could not be
audited, 2 bad input, 3 findings with --fail-on-findings.`,
		Example: `  # Every account of the organisation, findings as a table
  gatehouse audit --all-accounts

  # Against the spec: users it does not list are findings too; candidates to a file
  gatehouse audit -f team.yaml --offboard-file candidates.yaml
  gatehouse offboard -f candidates.yaml          # the plan
  gatehouse offboard -f candidates.yaml --yes    # remove them, archived first

  # In CI: stricter thresholds, exit 3 when anything is found
  gatehouse audit --account 222222222222 --unused-days 30 --rotation-days 60 --fail-on-findings -o csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flags.MarkChanged(cmd.Flags().Changed)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAudit(cmd.Context(), opts)
		},
	}
	addAuditFlags(cmd, opts)
	return cmd
}

func addAuditFlags(cmd *cobra.Command, opts *AuditOptions) {
	f, fl := cmd.Flags(), &opts.Flags
	addFileFlag(cmd, &opts.File, fl, "the spec: the people who should have users, YAML, JSON or CSV")
	addAccountFlags(cmd, fl, "audit")
	f.IntVar(&opts.UnusedDays, "unused-days", audit.DefaultUnusedDays, "a password or access key unused (or never used) for `N` days or more is a finding")
	f.IntVar(&opts.RotationDays, "rotation-days", audit.DefaultRotationDays, "an active access key older than `N` days is a finding")
	f.StringSliceVar(&opts.Candidates, "candidates", audit.DefaultCandidates, "`KIND`s of finding that make a user an offboarding candidate (all: every kind)")
	f.StringVar(&opts.OffboardFile, "offboard-file", "", "write the offboarding candidates to `FILE`, an input for gatehouse offboard -f")
	f.BoolVar(&opts.FailOnFindings, "fail-on-findings", false, "exit with code 3 when there is any finding (for CI)")
	f.StringVar(&opts.Config, "config", "", "gatehouse configuration `FILE` naming protected users (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	addOutputFlag(cmd, &opts.Output, audit.Formats, "report")
	addRunFlags(cmd, &opts.Settings, "accounts")
}

// problems lists the options that make no sense.
func (o *AuditOptions) problems() []string {
	var p []string
	if msg := outputProblem(o.Output, audit.Formats); msg != "" {
		p = append(p, msg)
	}
	p = append(p, o.Settings.Problems()...)
	if o.UnusedDays < 1 {
		p = append(p, fmt.Sprintf("--unused-days %d: give a number of days, 1 or more (CIS: %d)", o.UnusedDays, audit.DefaultUnusedDays))
	}
	if o.RotationDays < 1 {
		p = append(p, fmt.Sprintf("--rotation-days %d: give a number of days, 1 or more (CIS: %d)", o.RotationDays, audit.DefaultRotationDays))
	}
	if _, msg := audit.KindsProblem(o.Candidates); msg != "" {
		p = append(p, "--candidates "+msg)
	}
	if o.OffboardFile != "" {
		if fi, err := os.Stat(filepath.Dir(o.OffboardFile)); err != nil || !fi.IsDir() {
			p = append(p, fmt.Sprintf("--offboard-file %s: its folder does not exist; create it first", o.OffboardFile))
		} else if fi, err := os.Stat(o.OffboardFile); err == nil && !fi.Mode().IsRegular() {
			p = append(p, fmt.Sprintf("--offboard-file %s: not a regular file", o.OffboardFile))
		}
	}
	return p
}

func runAudit(ctx context.Context, opts *AuditOptions) error {
	req, protect, err := readAuditRequest(opts)
	if err != nil {
		return err
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	err = auditWith(ctx, opts, rt, req, protect)
	return errors.Join(err, rt.Close())
}

// readAuditRequest reads and checks everything given before any AWS call;
// every problem comes back together as one UsageError.
func readAuditRequest(opts *AuditOptions) (audit.Request, config.Protect, error) {
	problems := opts.problems()
	in, err := readAuditInput(opts)
	problems = appendProblems(problems, err)
	cfg, err := loadConfig(opts.Config)
	problems = appendProblems(problems, err)
	if len(problems) > 0 {
		return audit.Request{}, config.Protect{}, &UsageError{Err: problemList(problems)}
	}
	kinds, _ := audit.KindsProblem(opts.Candidates)
	req := audit.Request{Input: in, Spec: opts.File != "", Candidates: kinds,
		Thresholds: audit.Thresholds{UnusedDays: opts.UnusedDays, RotationDays: opts.RotationDays}}
	return req, cfg.Protect, nil
}

// readAuditInput reads the spec (its people, accounts and role), or only
// the flags. Nothing is delivered, so the spec's delivery settings are not
// checked.
func readAuditInput(opts *AuditOptions) (*spec.Input, error) {
	flags := opts.Flags
	flags.Deliver, flags.From, flags.Language = spec.Set(spec.ChannelNone), spec.Opt[string]{}, spec.Opt[string]{}
	if opts.File == "" {
		return spec.FromFlags(flags)
	}
	data, err := readInputFile(opts.IO, opts.File)
	if err != nil {
		return nil, err
	}
	return spec.Parse(inputName(opts.File), data, flags)
}

// auditWith runs the audit, writes the report and the offboarding file, and
// says how it ended.
func auditWith(ctx context.Context, opts *AuditOptions, rt *runenv.Factory, req audit.Request, protect config.Protect) error {
	dir, err := rt.Directory(ctx, req.Input)
	if err != nil {
		return err
	}
	auditor, ok := dir.(engine.Auditing)
	if !ok {
		return usageErrorf("the %s directory cannot be audited", dir.Kind())
	}
	j, err := rt.Journal(ctx)
	if err != nil {
		return err
	}
	rep, err := audit.Run(ctx, audit.Deps{Directory: auditor, Journal: j, Protect: protect, Concurrency: opts.Concurrency}, req)
	if err != nil {
		return fmt.Errorf("auditing: %w", err)
	}
	if err := audit.Write(opts.IO.Out, opts.Output, rep); err != nil {
		return err
	}
	if opts.OffboardFile != "" {
		n, err := audit.WriteOffboardFile(opts.OffboardFile, rep, req.Input, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Err, "Wrote %s to %s: review it, then see the plan with\n  %s\nand add --yes to remove them.\n",
			report.Plural(n, "offboarding candidate", "offboarding candidates"), opts.OffboardFile, offboardCommand(opts))
	}
	switch {
	case rep.Failed() > 0:
		return fmt.Errorf("%d of %d %ss could not be audited (see the report)", rep.Failed(), len(rep.Scopes), rep.Scopes[0].Noun)
	case opts.FailOnFindings && rep.Findings() > 0:
		return &ExitError{Code: ExitFindings, Msg: fmt.Sprintf("%s on %s (--fail-on-findings)",
			report.Plural(rep.Findings(), "finding", "findings"), report.Plural(len(rep.Users), "user", "users"))}
	}
	return nil
}

// offboardCommand is the offboarding of the candidates' file, against what
// the audit ran against.
func offboardCommand(opts *AuditOptions) string {
	words := []string{"gatehouse", "offboard", "-f", opts.OffboardFile}
	s := opts.Settings
	switch {
	case s.Sandbox && s.SandboxDir != DefaultSandboxDir:
		words = append(words, "--sandbox", "--sandbox-dir", s.SandboxDir)
	case s.Sandbox:
		words = append(words, "--sandbox")
	case s.EndpointURL != "":
		words = append(words, "--endpoint-url", s.EndpointURL)
	}
	if s.Journal != "" {
		words = append(words, "--journal", s.Journal)
	}
	if opts.Config != "" {
		words = append(words, "--config", opts.Config)
	}
	return shell.Line(words)
}
