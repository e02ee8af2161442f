package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

func runOnboard(ctx context.Context, opts *OnboardOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	in, err := readOnboardInput(opts)
	if err != nil {
		return err
	}
	env, err := openOnboardEnv(ctx, opts, in)
	if err != nil {
		return err
	}
	err = onboardWith(ctx, opts, env, in)
	return errors.Join(err, env.close())
}

// onboardWith plans, then prints the plan (dry run) or applies it and
// reports.
func onboardWith(ctx context.Context, opts *OnboardOptions, env *onboardEnv, in *spec.Input) error {
	deps := onboard.Deps{
		AWS: env.aws, Journal: env.journal, Channel: env.channels.get,
		Logger: newLogger(opts), Concurrency: opts.Concurrency, Adopt: opts.Adopt, Resend: opts.Resend, Args: opts.Args,
	}
	plan, err := onboard.MakePlan(ctx, deps, in)
	var probs spec.Problems
	if errors.As(err, &probs) {
		return &UsageError{Err: planProblems(probs)}
	}
	if err != nil {
		return fmt.Errorf("planning: %w", err)
	}
	if opts.DryRun {
		return onboard.WritePlan(opts.IO.Out, opts.Output, plan)
	}
	if env.sandbox != nil {
		if err := env.sandbox.markMail(); err != nil {
			return err
		}
	}
	var bar *progressBar
	if opts.IO.IsTerminal {
		bar = newProgressBar(opts.IO.Err, "onboarding")
		deps.Progress = bar.update
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	bar.finish()
	if rep == nil {
		return err
	}
	return errors.Join(err, report(ctx, opts, env, rep))
}

// planProblems words what the plan found missing in the accounts.
func planProblems(probs spec.Problems) error {
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = "  " + p.String()
	}
	return fmt.Errorf("nothing was changed: the plan found %d problem(s) in the accounts:\n%s", len(probs), strings.Join(lines, "\n"))
}

// report writes the report, then confirms the passwords it carries as
// delivered, saves the sandbox's mail, and says how the run ended.
func report(ctx context.Context, opts *OnboardOptions, env *onboardEnv, rep *onboard.Report) error {
	if err := onboard.WriteReport(opts.IO.Out, opts.Output, rep); err != nil {
		return err // unconfirmed: the next run issues fresh passwords
	}
	if err := rep.Confirm(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	if env.sandbox != nil {
		if err := env.sandbox.saveMail(opts.IO.Err, opts.MailDir); err != nil {
			return err
		}
	}
	fmt.Fprintf(opts.IO.Err, "Run %d is in the journal; %s shows its steps.\n", rep.RunID, historyCommand(opts, rep.RunID))
	switch {
	case rep.Interrupted:
		fmt.Fprintf(opts.IO.Err, "Interrupted: %d not started. Run the same command again to resume:\n  %s\n",
			rep.Count(onboard.StatusNotStarted), shellLine(append([]string{"gatehouse"}, opts.Args...)))
		return errors.New("interrupted; nothing was left half-done")
	case !rep.OK():
		bad := len(rep.Rows) - rep.Count(onboard.StatusCreated) - rep.Count(onboard.StatusUpdated) -
			rep.Count(onboard.StatusAdopted) - rep.Count(onboard.StatusUnchanged)
		return fmt.Errorf("%d of %d not onboarded (see the report); fix what it says and run the same command again", bad, len(rep.Rows))
	}
	return nil
}

// historyCommand is the history command that shows run id of this journal.
func historyCommand(opts *OnboardOptions, id int64) string {
	words := []string{"gatehouse", "history"}
	switch {
	case opts.Journal != "":
		words = append(words, "--journal", opts.Journal)
	case opts.Sandbox && opts.SandboxDir != DefaultSandboxDir:
		words = append(words, "--sandbox", "--sandbox-dir", opts.SandboxDir)
	case opts.Sandbox:
		words = append(words, "--sandbox")
	}
	return shellLine(append(words, strconv.FormatInt(id, 10)))
}

// onboardEnv is what a run has open: the embedded sandbox when asked for,
// the journal and AWS access.
type onboardEnv struct {
	sandbox  *embeddedSandbox
	journal  *journal.Journal
	aws      *awsx.Factory
	channels channels
}

func openOnboardEnv(ctx context.Context, opts *OnboardOptions, in *spec.Input) (env *onboardEnv, err error) {
	env = &onboardEnv{}
	defer func() {
		if err != nil {
			err = errors.Join(err, env.close())
		}
	}()
	awsOpts := awsx.Options{Profile: opts.Profile, Region: opts.Region, Endpoint: opts.EndpointURL,
		Role: roleOf(in), RequestsPerSecond: opts.RateLimit}
	journalPath := opts.Journal
	if opts.Sandbox {
		if env.sandbox, err = startEmbeddedSandbox(opts.SandboxDir); err != nil {
			return env, err
		}
		awsOpts.Endpoint, awsOpts.Region, awsOpts.Credentials = env.sandbox.URL, "us-east-1", sandboxCredentials
		journalPath = cmpOr(journalPath, filepath.Join(opts.SandboxDir, "journal.db"))
		fmt.Fprintf(opts.IO.Err, "Using the embedded sandbox (state in %s): no AWS account needed.\n", opts.SandboxDir)
	}
	if journalPath == "" {
		if journalPath, err = defaultJournalPath(); err != nil {
			return env, err
		}
	}
	if env.journal, err = journal.Open(ctx, journalPath); err != nil {
		return env, err
	}
	if env.aws, err = awsx.New(ctx, awsOpts); err != nil {
		return env, &UsageError{Err: err}
	}
	if !opts.DryRun {
		if env.channels, err = newChannels(opts.IO, env.aws, in); err != nil {
			return env, err
		}
		err = env.channels.preflight(ctx)
	}
	return env, err
}

func (e *onboardEnv) close() error {
	errs := []error{e.channels.close()}
	if e.journal != nil {
		errs = append(errs, e.journal.Close())
	}
	if e.sandbox != nil {
		errs = append(errs, e.sandbox.stop())
	}
	return errors.Join(errs...)
}

// roleOf is the role to enter accounts other than the caller's: the input's,
// else OrganizationAccountAccessRole.
func roleOf(in *spec.Input) spec.Role {
	r := in.Role
	if r.Name == "" && r.ARNTemplate == "" {
		r.Name = onboard.DefaultRole
	}
	return r
}

// defaultJournalPath is $XDG_STATE_HOME/gatehouse/journal.db, or
// ~/.local/state/gatehouse/journal.db.
func defaultJournalPath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "gatehouse", "journal.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the journal: %w (set XDG_STATE_HOME or --journal)", err)
	}
	return filepath.Join(home, ".local", "state", "gatehouse", "journal.db"), nil
}

func newLogger(opts *OnboardOptions) *slog.Logger {
	level := slog.LevelWarn
	if opts.Verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(opts.IO.Err, &slog.HandlerOptions{Level: level}))
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

// shellLine quotes words for a POSIX shell where needed.
func shellLine(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && !strings.ContainsFunc(w, func(r rune) bool { return !strings.ContainsRune(shellSafe, r) }) {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:@%+"

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
