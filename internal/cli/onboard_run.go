package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

func runOnboard(ctx context.Context, opts *OnboardOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	in, err := readInput(opts.IO, opts.File, opts.Flags, func() (*spec.Input, error) { return spec.FromArgs(opts.Emails, opts.Flags) })
	if err != nil {
		return err
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	run := onboarding{io: opts.IO, rt: rt, output: opts.Output, dryRun: opts.DryRun, adopt: opts.Adopt, args: opts.Args}
	return errors.Join(run.run(ctx, in), rt.Close())
}

// onboarding is one run of the onboarding lifecycle as a command starts it:
// gatehouse onboard, or gatehouse deliver --resend.
type onboarding struct {
	io     *IO
	rt     *runenv.Factory
	output string
	dryRun bool
	adopt  bool
	resend bool
	args   []string
}

// run plans, then prints the plan (dry run) or applies it and reports.
func (o onboarding) run(ctx context.Context, in *spec.Input) error {
	dir, err := o.rt.Directory(ctx, in)
	if err != nil {
		return err
	}
	j, err := o.rt.Journal(ctx)
	if err != nil {
		return err
	}
	deps := onboard.Deps{Directory: dir, Journal: j, Logger: o.rt.Logger(), Concurrency: o.rt.Settings.Concurrency,
		Adopt: o.adopt, Resend: o.resend, Args: o.args}
	if links := o.rt.ClaimLinks(); links != nil {
		deps.Links = links
	}
	// The channels are built and their setup checked in a dry run too: a
	// dry run passes only what the real run would.
	chans, err := o.rt.Channels(ctx, in)
	if err != nil {
		return err
	}
	deps.Channel = chans.Get
	plan, err := onboard.MakePlan(ctx, deps, in)
	var probs spec.Problems
	if errors.As(err, &probs) {
		return &UsageError{Err: planProblems(probs)}
	}
	if err != nil {
		return fmt.Errorf("planning: %w", err)
	}
	if o.dryRun {
		return onboard.WritePlan(o.io.Out, o.output, plan)
	}
	if err := markMail(o.rt); err != nil {
		return err
	}
	bar := newProgress(o.io, "onboarding", &deps.Progress)
	rep, err := onboard.Apply(ctx, deps, plan)
	bar.finish()
	if rep == nil {
		return err
	}
	return errors.Join(err, o.report(ctx, rep))
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
func (o onboarding) report(ctx context.Context, rep *onboard.Report) error {
	if err := onboard.WriteReport(o.io.Out, o.output, rep); err != nil {
		return err // unconfirmed: the next run issues fresh passwords
	}
	if err := rep.Confirm(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	if err := saveMail(o.io, o.rt); err != nil {
		return err
	}
	fmt.Fprintf(o.io.Err, "Run %d is in the journal; %s shows its steps.\n", rep.RunID, historyCommand(o.rt.Settings, rep.RunID))
	switch {
	case rep.Interrupted:
		fmt.Fprintf(o.io.Err, "Interrupted: %d not started. Run the same command again to resume:\n  %s\n",
			rep.Count(onboard.StatusNotStarted), shell.Line(append([]string{"gatehouse"}, o.args...)))
		return errors.New("interrupted; nothing was left half-done")
	case !rep.OK():
		bad := len(rep.Rows) - rep.Count(onboard.StatusCreated) - rep.Count(onboard.StatusUpdated) -
			rep.Count(onboard.StatusAdopted) - rep.Count(onboard.StatusUnchanged)
		return fmt.Errorf("%d of %d not onboarded (see the report); fix what it says and run the same command again", bad, len(rep.Rows))
	}
	return nil
}

// markMail remembers the embedded sandbox's mail so far, so saveMail saves
// only this run's.
func markMail(rt *runenv.Factory) error {
	sb, err := rt.Sandbox()
	if err != nil || sb == nil {
		return err
	}
	return sb.MarkMail()
}

// saveMail saves the mail the embedded sandbox sent in this run as .eml files.
func saveMail(streams *IO, rt *runenv.Factory) error {
	sb, err := rt.Sandbox()
	if err != nil || sb == nil {
		return err
	}
	return sb.SaveMail(streams.Err, rt.Settings.MailDir)
}

// historyCommand is the history command that shows run id of this journal.
func historyCommand(s runenv.Settings, id int64) string {
	words := []string{"gatehouse", "history"}
	switch {
	case s.Journal != "":
		words = append(words, "--journal", s.Journal)
	case s.Sandbox && s.SandboxDir != DefaultSandboxDir:
		words = append(words, "--sandbox", "--sandbox-dir", s.SandboxDir)
	case s.Sandbox:
		words = append(words, "--sandbox")
	}
	return shell.Line(append(words, strconv.FormatInt(id, 10)))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
