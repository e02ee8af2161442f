package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/reconcile"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// ReconcileOptions are the options of `gatehouse plan` and `gatehouse apply`.
type ReconcileOptions struct {
	IO *IO
	runenv.Settings
	File  string // -f: the spec, the desired state
	Flags spec.Flags

	NoResetRequired bool
	Output          string
	Archive         string // "" = archive/ next to the journal
	Config          string

	Apply            bool // apply; else plan
	AllowRemoval     bool // apply: remove the managed users the spec no longer lists
	DetailedExitCode bool // plan: exit 3 when changes are pending

	Args []string
}

// NewCmdPlan builds `gatehouse plan`.
func NewCmdPlan(streams *IO, runF func(context.Context, *ReconcileOptions) error) *cobra.Command {
	opts := &ReconcileOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "plan -f SPEC [--detailed-exitcode] [--output table|json]",
		Short: "Show what apply would change to make the accounts match the spec",
		Long: `Compare the spec — the desired state of the people gatehouse manages — with the
selected accounts (or the identity store) and print, per person and account, what
gatehouse apply would do and why: create, update (groups, policies, boundary,
tags, path; for Identity Center names, e-mail, memberships, assignments), suspend,
reinstate, remove. Changes made outside gatehouse to its users (a group added in
the console, a policy detached) show as updates that undo them. Users gatehouse
did not create are listed, never changed. It changes nothing.

--output json prints the plan as data (format gatehouse-plan/1, see
docs/reconcile.md) for a pull-request bot.

Exit codes: 0 no changes, 1 error, 2 bad input; with --detailed-exitcode,
3 when changes are pending (0 still means none).`,
		Example: `  gatehouse plan --sandbox -f examples/reconcile/team.yaml
  gatehouse plan -f team.yaml --detailed-exitcode -o json > plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return startReconcile(cmd, args, opts, runF)
		},
	}
	addReconcileFlags(cmd, opts)
	cmd.Flags().BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "exit 3 when changes are pending, 0 when there are none")
	return cmd
}

// NewCmdApply builds `gatehouse apply`.
func NewCmdApply(streams *IO, runF func(context.Context, *ReconcileOptions) error) *cobra.Command {
	opts := &ReconcileOptions{IO: streams, Apply: true}
	cmd := &cobra.Command{
		Use:   "apply -f SPEC [--allow-removal]",
		Short: "Make the accounts match the spec: create, update, suspend, remove",
		Long: `Plan as gatehouse plan does, print the plan, then carry it out: onboard the people
who are missing (passwords delivered as gatehouse onboard delivers them), take
back what was changed outside gatehouse on its users, suspend and reinstate, and
remove the users gatehouse created that the spec no longer lists — each archived
first, through the offboarding engine. Removal needs --allow-removal, or a
confirmation typed on a terminal; without either, apply changes nothing and says
so. A user whose password was removed outside gatehouse is reported, never given
a new one silently.

Exit codes: 0 the accounts match the spec, 1 something failed, 2 bad input or
removal not allowed.`,
		Example: `  gatehouse apply --sandbox -f examples/reconcile/team.yaml
  gatehouse apply -f team.yaml --allow-removal --archive /srv/gatehouse/archive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return startReconcile(cmd, args, opts, runF)
		},
	}
	addReconcileFlags(cmd, opts)
	cmd.Flags().BoolVar(&opts.AllowRemoval, "allow-removal", false, "remove the users gatehouse created that the spec no longer lists")
	cmd.Flags().StringVar(&opts.Archive, "archive", "", "write removed and suspended users' archive records to `DIR` (default: archive/ next to the journal)")
	return cmd
}

func startReconcile(cmd *cobra.Command, args []string, opts *ReconcileOptions, runF func(context.Context, *ReconcileOptions) error) error {
	opts.Flags.MarkChanged(cmd.Flags().Changed)
	if opts.NoResetRequired {
		opts.Flags.ResetRequired = spec.Set(false)
	}
	opts.Args = commandLine(cmd, args)
	if runF != nil {
		return runF(cmd.Context(), opts)
	}
	return runReconcile(cmd.Context(), opts)
}

func addReconcileFlags(cmd *cobra.Command, opts *ReconcileOptions) {
	fl := &opts.Flags
	addFileFlag(cmd, &opts.File, fl, "the spec: YAML or JSON")
	addAccountFlags(cmd, fl, "reconcile")
	addChannelFlags(cmd, fl, "new users' passwords: ")
	addPasswordFlags(cmd, fl, &opts.NoResetRequired)
	cmd.Flags().StringVar(&opts.Config, "config", "", "gatehouse configuration `FILE`: the users no command touches (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	addOutputFlag(cmd, &opts.Output, reconcile.Formats, "plan")
	addRunFlags(cmd, &opts.Settings, "(person, account) pairs")
}

// check reports options that make no sense, before anything is read.
func (o *ReconcileOptions) check() error {
	problems := o.Settings.Problems()
	if p := outputProblem(o.Output, reconcile.Formats); p != "" {
		problems = append([]string{p}, problems...)
	}
	if o.File == "" {
		problems = append(problems, "no spec: give -f SPEC, the file that lists everyone gatehouse manages")
	}
	if o.Archive != "" {
		if err := checkArchiveDir(o.Archive); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}

func runReconcile(ctx context.Context, opts *ReconcileOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	in, err := readInput(opts.IO, opts.File, opts.Flags, nil)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(opts.Config)
	if err != nil {
		return &UsageError{Err: err}
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	deps, err := reconcileDeps(ctx, opts, rt, in)
	if err == nil {
		deps.Offboard.Protect = cfg.Protect
		err = reconcileWith(ctx, opts, rt, deps, in)
	}
	return errors.Join(err, rt.Close())
}

// reconcileDeps builds both lifecycles' dependencies over one directory,
// journal and set of channels — checked, in a plan too: a plan passes only
// what apply would.
func reconcileDeps(ctx context.Context, opts *ReconcileOptions, rt *runenv.Factory, in *spec.Input) (reconcile.Deps, error) {
	dir, err := rt.Directory(ctx, in)
	if err != nil {
		return reconcile.Deps{}, err
	}
	j, err := rt.Journal(ctx)
	if err != nil {
		return reconcile.Deps{}, err
	}
	chans, err := rt.Channels(ctx, in)
	if err != nil {
		return reconcile.Deps{}, err
	}
	deps := reconcile.Deps{
		Journal: j,
		Onboard: onboard.Deps{Directory: dir, Journal: j, Channel: chans.Get, Logger: rt.Logger(),
			Concurrency: rt.Settings.Concurrency, Args: opts.Args},
		Offboard: offboard.Deps{Directory: dir, Journal: j, Channel: chans.Get, ArchiveDir: archiveDir(opts.Archive, j.Path()),
			Logger: rt.Logger(), Concurrency: rt.Settings.Concurrency, Args: opts.Args},
	}
	if links := rt.ClaimLinks(); links != nil {
		deps.Onboard.Links, deps.Offboard.Links = links, links
	}
	return deps, nil
}

// reconcileWith plans, prints the plan, and — for apply — carries it out.
func reconcileWith(ctx context.Context, opts *ReconcileOptions, rt *runenv.Factory, deps reconcile.Deps, in *spec.Input) error {
	plan, err := reconcile.MakePlan(ctx, deps, in)
	var probs spec.Problems
	if errors.As(err, &probs) {
		return &UsageError{Err: planProblems(probs)}
	}
	if err != nil {
		return fmt.Errorf("planning: %w", err)
	}
	planOut := opts.IO.Out
	if opts.Apply && opts.Output == reconcile.FormatJSON {
		planOut = opts.IO.Err // stdout carries the report alone
	}
	if err := reconcile.WritePlan(planOut, opts.Output, plan); err != nil {
		return err
	}
	if err := unreadableNotices(plan); err != nil {
		return err
	}
	changes := plan.Changes()
	if !opts.Apply {
		if opts.DetailedExitCode && len(changes) > 0 {
			return &ExitError{Code: ExitChanges}
		}
		return nil
	}
	if len(changes) == 0 {
		return nil
	}
	allowed, err := allowRemoval(opts, plan)
	if err != nil {
		return err
	}
	if err := markMail(rt); err != nil {
		return err
	}
	rep, err := reconcile.Apply(ctx, deps, plan, allowed)
	if errors.Is(err, reconcile.ErrRemovalNotAllowed) {
		return &UsageError{Err: fmt.Errorf("nothing was changed: %w", err)}
	}
	if rep == nil {
		return err
	}
	return errors.Join(err, reconcileReport(ctx, opts, rt, rep))
}

// unreadableNotices fails a plan that could not read a user it would act on.
func unreadableNotices(plan *reconcile.Plan) error {
	n := 0
	for _, notice := range plan.Notices() {
		if notice.Error {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d user(s) could not be read (see the plan); fix what it says and run the same command again", n)
	}
	return nil
}

// allowRemoval says whether the plan's removals may go ahead: --allow-removal,
// or the count typed back on a terminal.
func allowRemoval(opts *ReconcileOptions, plan *reconcile.Plan) (bool, error) {
	n := plan.Removals()
	if n == 0 || opts.AllowRemoval {
		return true, nil
	}
	if !opts.IO.IsTerminal {
		return false, nil
	}
	fmt.Fprintf(opts.IO.Err, "The plan removes %d user(s) gatehouse created (archived first). Type %d to confirm: ", n, n)
	line, err := bufio.NewReader(opts.IO.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(opts.IO.Err)
	}
	return strings.TrimSpace(line) == fmt.Sprint(n), nil
}

// reconcileReport writes each part's report, confirms the passwords they
// carry, saves the sandbox's mail and says how the run ended.
func reconcileReport(ctx context.Context, opts *ReconcileOptions, rt *runenv.Factory, rep *reconcile.Report) error {
	if err := reconcile.WriteReport(opts.IO.Out, opts.Output, rep); err != nil {
		return err
	}
	if rep.Onboard != nil {
		if err := rep.Onboard.Confirm(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	for _, r := range rep.Reports() {
		if err := r.Confirm(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	if err := saveMail(opts.IO, rt); err != nil {
		return err
	}
	for _, id := range rep.RunIDs() {
		fmt.Fprintf(opts.IO.Err, "Run %d is in the journal; %s shows its steps.\n", id, historyCommand(opts.Settings, id))
	}
	if !rep.OK() {
		return errors.New("not everything was done (see the report): fix what it says and run gatehouse apply again")
	}
	return nil
}
