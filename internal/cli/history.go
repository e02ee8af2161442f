package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/shell"
)

// HistoryOptions are `gatehouse history`'s options.
type HistoryOptions struct {
	IO    *IO
	RunID int64 // 0: list runs
	// Settings say where the journal is (--journal, --sandbox, --sandbox-dir).
	runenv.Settings
	Output string // table | json
	Limit  int
}

// NewCmdHistory builds `gatehouse history`.
func NewCmdHistory(streams *IO, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "history [RUN-ID]",
		Short: "List past runs and their outcome, or show one run's steps",
		Example: `  gatehouse history
  gatehouse history 3
  gatehouse history --sandbox --output json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || id < 1 {
					return usageErrorf("run ID %q: give the number from the RUN column of gatehouse history", args[0])
				}
				opts.RunID = id
			}
			if opts.Output != "table" && opts.Output != "json" {
				return usageErrorf("--output %q: use table or json", opts.Output)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHistory(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	addJournalFlags(cmd, &opts.Settings, "read the embedded sandbox's journal")
	f.StringVarP(&opts.Output, "output", "o", "table", "`FORMAT`: table or json")
	f.IntVar(&opts.Limit, "limit", 20, "list at most `N` runs (0: all)")
	return cmd
}

func runHistory(ctx context.Context, opts *HistoryOptions) error {
	path, err := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv).JournalPath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		_, err := fmt.Fprintf(opts.IO.Err, "No runs yet: there is no journal at %s.\n", path)
		return err
	}
	j, err := journal.Open(ctx, path)
	if err != nil {
		return err
	}
	defer j.Close()
	if opts.RunID != 0 {
		return showRun(ctx, opts, j)
	}
	runs, err := j.Runs(ctx, opts.Limit)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		return writeJSONTo(opts.IO.Out, runsJSON(runs))
	}
	return writeRuns(opts.IO.Out, runs)
}

func showRun(ctx context.Context, opts *HistoryOptions, j *journal.Journal) error {
	run, ok, err := j.Run(ctx, opts.RunID)
	if err != nil {
		return err
	}
	if !ok {
		return usageErrorf("there is no run %d in the journal %s; gatehouse history lists the runs", opts.RunID, j.Path())
	}
	steps, err := j.Steps(ctx, run.ID)
	if err != nil {
		return err
	}
	links, err := linkStates(ctx, opts, j, run.ID)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		return writeJSONTo(opts.IO.Out, struct {
			Run   runJSON
			Steps []journal.Step
			Links []journal.Link `json:",omitempty"`
		}{runsJSON([]journal.Run{run})[0], steps, links})
	}
	if err := writeRunSteps(opts.IO.Out, run, steps); err != nil {
		return err
	}
	return writeLinks(opts.IO.Out, links)
}

// runJSON is a run in `history --output json`.
type runJSON struct {
	journal.Run
	DurationSeconds float64 `json:",omitempty"`
}

func runsJSON(runs []journal.Run) []runJSON {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		row := runJSON{Run: r}
		if !r.FinishedAt.IsZero() {
			row.DurationSeconds = r.FinishedAt.Sub(r.StartedAt).Seconds()
		}
		out = append(out, row)
	}
	return out
}

func writeRuns(w io.Writer, runs []journal.Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCOMMAND\tSOURCE\tSTARTED\tDURATION\tOUTCOME\tPEOPLE\tACCOUNTS\tOK\tFAILED\tSKIPPED\tDELIVERED")
	for _, r := range runs {
		s := r.Summary
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", r.ID, r.Command, dashIfEmpty(r.Source),
			r.StartedAt.Local().Format("2006-01-02 15:04:05"), duration(r), outcome(r),
			s.People, s.Accounts, s.Succeeded, s.Failed, s.Skipped, s.Delivered)
	}
	return tw.Flush()
}

func writeRunSteps(w io.Writer, r journal.Run, steps []journal.Step) error {
	s := r.Summary
	fmt.Fprintf(w, "Run %d: %s from %s, started %s, took %s, %s\n  %s\n  %d people, %d accounts: %d ok, %d failed, %d skipped, %d delivered\n\n",
		r.ID, r.Command, dashIfEmpty(r.Source), r.StartedAt.Local().Format("2006-01-02 15:04:05"), duration(r), outcome(r),
		shell.Line(append([]string{"gatehouse"}, r.Args...)), s.People, s.Accounts, s.Succeeded, s.Failed, s.Skipped, s.Delivered)
	if len(steps) == 0 {
		_, err := fmt.Fprintln(w, "No steps: there was nothing to do.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACCOUNT\tUSER\tSTEP\tSTATUS\tDETAIL")
	for _, st := range steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", st.At.Local().Format("15:04:05.000"), st.Account, st.UserName,
			st.Step, st.Status, strings.ReplaceAll(st.Detail, "\n", " "))
	}
	return tw.Flush()
}

func duration(r journal.Run) string {
	if r.FinishedAt.IsZero() {
		return "-"
	}
	return r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
}

// outcome is the run's status; a run still "running" with no end either
// runs now or died (kill -9, power loss).
func outcome(r journal.Run) string {
	if r.Status == journal.RunRunning {
		return "running or died"
	}
	return r.Status
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
