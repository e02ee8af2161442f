package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

func runOffboard(ctx context.Context, opts *OffboardOptions) error {
	req, protect, err := readOffboardRequest(opts)
	if err != nil {
		return err
	}
	rt := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv)
	err = offboardWith(ctx, opts, rt, req, protect)
	return errors.Join(err, rt.Close())
}

// readOffboardRequest reads and checks everything given — options, the
// people, the tags, the configuration — before any AWS call; every problem
// comes back together as one UsageError.
func readOffboardRequest(opts *OffboardOptions) (offboard.Request, config.Protect, error) {
	problems := opts.problems()
	in, err := readOffboardInput(opts)
	problems = appendProblems(problems, err)
	cfg, err := loadConfig(opts.Config)
	problems = appendProblems(problems, err)
	if opts.Yes && opts.Archive != "" {
		if err := checkArchiveDir(opts.Archive); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return offboard.Request{}, config.Protect{}, &UsageError{Err: problemList(problems)}
	}
	tags, _ := parseTags(opts.Tags)
	return offboard.Request{Action: opts.action(), Input: in, Tags: tags}, cfg.Protect, nil
}

// checkArchiveDir says, before anything is read, whether dir can hold the
// archive: a folder, or a path whose first existing ancestor is a folder (it
// is created 0700 at the first record). /dev/null is not one.
func checkArchiveDir(dir string) error {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return nil
		case err == nil:
			return fmt.Errorf("--archive %s: %s is not a folder; give a folder the records can be written to", dir, p)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return fmt.Errorf("--archive %s: %w", dir, err)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// appendProblems adds what err says is wrong — each of a spec's problems on
// a line of its own — to problems.
func appendProblems(problems []string, err error) []string {
	var probs spec.Problems
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			problems = append(problems, p.String())
		}
	case err != nil:
		problems = append(problems, err.Error())
	}
	return problems
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
	if !opts.Reinstate { // only a reinstatement delivers: its plan checks the delivery as its run does
		flags.Deliver, flags.From, flags.Language = spec.Set(spec.ChannelNone), spec.Opt[string]{}, spec.Opt[string]{}
	}
	switch {
	case opts.File != "":
		data, err := readInputFile(opts.IO, opts.File)
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
func offboardWith(ctx context.Context, opts *OffboardOptions, rt *runenv.Factory, req offboard.Request, protect config.Protect) error {
	dir, err := rt.Directory(ctx, req.Input)
	if err != nil {
		return err
	}
	j, err := rt.Journal(ctx)
	if err != nil {
		return err
	}
	deps := offboard.Deps{Directory: dir, Journal: j, ArchiveDir: archiveDir(opts.Archive, j.Path()), Protect: protect,
		Logger: rt.Logger(), Concurrency: opts.Concurrency, Args: opts.Args}
	if links := rt.ClaimLinks(); links != nil {
		deps.Links = links
	}
	if req.Action == offboard.ActionReinstate {
		// The channel the new passwords go through, checked before anything
		// is reactivated — and in the plan, which passes only what the real
		// run would.
		if req.Input.Delivery.Channel == spec.ChannelFile {
			return usageErrorf("--reinstate cannot deliver by file: it knows no one's public key; " +
				"use another channel, or --deliver none and gatehouse deliver --resend -f SPEC afterwards")
		}
		probe := &spec.Input{Role: req.Input.Role, Delivery: req.Input.Delivery, People: []spec.Person{{Deliver: req.Input.Delivery.Channel}}}
		chans, err := rt.Channels(ctx, probe)
		if err != nil {
			return err
		}
		deps.Channel = chans.Get
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
	if err := markMail(rt); err != nil {
		return err
	}
	bar := newProgress(opts.IO, map[offboard.Action]string{offboard.ActionRemove: "offboarding",
		offboard.ActionSuspend: "suspending", offboard.ActionReinstate: "reinstating"}[req.Action], &deps.Progress)
	rep, err := offboard.Apply(ctx, deps, plan)
	bar.finish()
	if rep == nil {
		return err
	}
	return errors.Join(err, offboardReport(ctx, opts, rt, rep, deps.ArchiveDir))
}

// archiveDir is --archive, else archive/ next to the journal (the state folder).
func archiveDir(explicit, journalPath string) string {
	if explicit != "" {
		return explicit
	}
	return filepath.Join(filepath.Dir(journalPath), "archive")
}

// unreadable is the plan's outcome: users that could not be read are an
// error (exit 1); everything else is a plan.
func unreadable(plan *offboard.Plan) error {
	n := 0
	for _, pl := range plan.Placements {
		if pl.Err != "" {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d could not be read (see the plan); fix what it says and run the same command again", n, len(plan.Placements))
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
	why := "no " + engine.TagManagedBy + " tag"
	if plan.Directory() == engine.DirectoryIdentityCenter {
		why = "not in gatehouse's journal: Identity Center users carry no mark"
	}
	fmt.Fprintf(w, "%d of the users to remove were not created by gatehouse (%s):\n", len(foreign), why)
	for _, pl := range foreign {
		fmt.Fprintf(w, "  %s  %s\n", pl.Scope.ID, pl.UserName)
	}
	fmt.Fprint(w, "Remove them too? Type yes to confirm: ")
	line, err := bufio.NewReader(opts.IO.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(w)
	}
	if strings.TrimSpace(strings.ToLower(line)) == "yes" {
		return nil
	}
	for _, pl := range foreign {
		pl.Declined = "not created by gatehouse, and its removal was not confirmed"
	}
	fmt.Fprintln(w, "Leaving them alone.")
	return nil
}

// offboardReport writes the report, confirms the new passwords it carries
// (a reinstatement's, channel none), saves the sandbox's mail, and says how
// the run ended.
func offboardReport(ctx context.Context, opts *OffboardOptions, rt *runenv.Factory, rep *offboard.Report, archive string) error {
	if err := offboard.WriteReport(opts.IO.Out, opts.Output, rep); err != nil {
		return err // passwords unconfirmed: the next onboarding issues fresh ones
	}
	if err := rep.Confirm(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	if rep.Issued() {
		if err := saveMail(opts.IO, rt); err != nil {
			return err
		}
	}
	fmt.Fprintf(opts.IO.Err, "Run %d is in the journal; %s shows its steps. Archives: %s\n", rep.RunID,
		historyCommand(opts.Settings, rep.RunID), archive)
	switch {
	case rep.Interrupted:
		fmt.Fprintf(opts.IO.Err, "Interrupted: %d not started. Run the same command again to resume:\n  %s\n",
			rep.Count(offboard.StatusNotStarted), shell.Line(append([]string{"gatehouse"}, opts.Args...)))
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
