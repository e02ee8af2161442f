package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

func runOffboard(ctx context.Context, opts *OffboardOptions) error {
	req, protect, err := readOffboardRequest(opts)
	if err != nil {
		return err
	}
	oo := opts.onboardOptions()
	env, err := openOnboardEnv(ctx, oo, req.Input)
	if err != nil {
		return err
	}
	err = offboardWith(ctx, opts, env, req, protect)
	return errors.Join(err, env.close())
}

// readOffboardRequest reads and checks everything given — options, the
// people, the tags, the configuration — before any AWS call; every problem
// comes back together as one UsageError.
func readOffboardRequest(opts *OffboardOptions) (offboard.Request, config.Protect, error) {
	problems := opts.problems()
	in, err := readOffboardInput(opts)
	var probs spec.Problems
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			problems = append(problems, p.String())
		}
	case err != nil:
		problems = append(problems, err.Error())
	}
	cfg, err := loadConfig(opts.Config)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return offboard.Request{}, config.Protect{}, &UsageError{Err: problemList(problems)}
	}
	tags, _ := parseTags(opts.Tags)
	return offboard.Request{Action: opts.action(), Input: in, Tags: tags}, cfg.Protect, nil
}

func problemList(problems []string) error {
	if len(problems) == 1 {
		return errors.New(problems[0])
	}
	return fmt.Errorf("%d problems; nothing was changed:\n  %s", len(problems), strings.Join(problems, "\n  "))
}

// readOffboardInput reads who to offboard: the -f file, the arguments, or
// nobody (--tag selects alone), with the flags over them. Delivery settings
// matter only to a reinstatement that issues passwords.
func readOffboardInput(opts *OffboardOptions) (*spec.Input, error) {
	flags := opts.Flags
	if !opts.Reinstate || !opts.Yes {
		flags.Deliver, flags.From, flags.Language = spec.Set(spec.ChannelNone), spec.Opt[string]{}, spec.Opt[string]{}
	}
	switch {
	case opts.File != "":
		data, err := readInputFile(opts.onboardOptions())
		if err != nil {
			return nil, err
		}
		return spec.Parse(inputName(opts.File), data, flags)
	case len(opts.Users) > 0:
		return spec.FromNames(opts.Users, flags)
	}
	return spec.FromFlags(flags)
}

// loadConfig reads the configuration file: the one named, else the default
// places; none at all protects nobody.
func loadConfig(explicit string) (*config.Config, error) {
	path, err := config.Find(explicit)
	if err != nil {
		return nil, err
	}
	return config.Load(path)
}

// offboardWith plans, then prints the plan, or applies it and reports.
func offboardWith(ctx context.Context, opts *OffboardOptions, env *onboardEnv, req offboard.Request, protect config.Protect) error {
	deps := offboard.Deps{AWS: env.aws, Journal: env.journal, ArchiveDir: archiveDir(opts, env), Protect: protect,
		Logger: newLogger(opts.onboardOptions()), Concurrency: opts.Concurrency, Args: opts.Args}
	var chans channels
	if req.Action == offboard.ActionReinstate && opts.Yes {
		var err error
		if chans, err = reinstateChannels(opts.IO, env, req.Input); err != nil {
			return err
		}
		defer chans.close()
		if err := chans.preflight(ctx); err != nil {
			return err
		}
	}
	plan, err := offboard.MakePlan(ctx, deps, req)
	if err != nil {
		return fmt.Errorf("planning: %w", err)
	}
	if !opts.Yes {
		if err := offboard.WritePlan(opts.IO.Out, opts.Output, plan); err != nil {
			return err
		}
		return unreadable(plan)
	}
	if err := confirmForeign(opts, plan); err != nil {
		return err
	}
	var bar *progressBar
	if opts.IO.IsTerminal {
		bar = newProgressBar(opts.IO.Err, map[offboard.Action]string{offboard.ActionRemove: "offboarding",
			offboard.ActionSuspend: "suspending", offboard.ActionReinstate: "reinstating"}[req.Action])
		deps.Progress = bar.update
	}
	rep, err := offboard.Apply(ctx, deps, plan)
	bar.finish()
	if rep == nil {
		return err
	}
	return errors.Join(err, offboardReport(ctx, opts, env, req, rep, chans))
}

// archiveDir is --archive, else archive/ next to the journal (the state folder).
func archiveDir(opts *OffboardOptions, env *onboardEnv) string {
	if opts.Archive != "" {
		return opts.Archive
	}
	return filepath.Join(filepath.Dir(env.journal.Path()), "archive")
}

// unreadable is the plan's outcome: users that could not be read are an
// error (exit 1); everything else is a plan.
func unreadable(plan *offboard.Plan) error {
	n := 0
	for _, t := range plan.Targets {
		if t.Err != "" {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d could not be read (see the plan); fix what it says and run the same command again", n, len(plan.Targets))
	}
	return nil
}

// confirmForeign asks, on a terminal, before removing users gatehouse did not
// create; declined ones are left alone. Elsewhere --yes is the confirmation.
func confirmForeign(opts *OffboardOptions, plan *offboard.Plan) error {
	foreign := plan.Foreign()
	if plan.Action != offboard.ActionRemove || len(foreign) == 0 || !opts.IO.IsTerminal {
		return nil
	}
	w := opts.IO.Err
	fmt.Fprintf(w, "%d of the users to remove were not created by gatehouse (no %s tag):\n", len(foreign), offboard.TagManagedBy)
	for _, t := range foreign {
		fmt.Fprintf(w, "  %s  %s\n", t.Account.ID, t.UserName)
	}
	fmt.Fprint(w, "Remove them too? Type yes to confirm: ")
	line, err := bufio.NewReader(opts.IO.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(w)
	}
	if strings.TrimSpace(strings.ToLower(line)) == "yes" {
		return nil
	}
	for _, t := range foreign {
		t.Declined = "not created by gatehouse, and its removal was not confirmed"
	}
	fmt.Fprintln(w, "Leaving them alone.")
	return nil
}

// offboardReport issues the passwords a reinstatement needs, writes the
// report, confirms the passwords it carries, and says how the run ended.
func offboardReport(ctx context.Context, opts *OffboardOptions, env *onboardEnv, req offboard.Request, rep *offboard.Report, chans channels) error {
	var issued *passwordRun
	if req.Action == offboard.ActionReinstate {
		var err error
		if issued, err = issuePasswords(ctx, opts, env, req.Input, rep, chans); err != nil {
			return err
		}
	}
	if err := offboard.WriteReport(opts.IO.Out, opts.Output, rep); err != nil {
		return err // passwords unconfirmed: the next onboarding issues fresh ones
	}
	if err := issued.confirm(ctx, opts); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Err, "Run %d is in the journal; %s shows its steps. Archives: %s\n", rep.RunID,
		historyCommand(opts.onboardOptions(), rep.RunID), archiveDir(opts, env))
	switch {
	case rep.Interrupted:
		fmt.Fprintf(opts.IO.Err, "Interrupted: %d not started. Run the same command again to resume:\n  %s\n",
			rep.Count(offboard.StatusNotStarted), shellLine(append([]string{"gatehouse"}, opts.Args...)))
		return errors.New("interrupted; nothing was left half-done")
	case !rep.OK():
		left := 0
		for _, row := range rep.Rows {
			if !row.Status.OK() {
				left++
			}
		}
		return fmt.Errorf("%d of %d not done (see the report): fix what it says and run the same command again", left, len(rep.Rows))
	}
	return nil
}
