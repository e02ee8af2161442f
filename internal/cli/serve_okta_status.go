package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/runenv"
)

// ServeOktaStatusOptions are `gatehouse serve okta-status`'s options.
type ServeOktaStatusOptions struct {
	IO *IO
	// Settings say where the journal is (--journal, --sandbox).
	runenv.Settings
	All    bool     // every event, not only those not applied
	Retry  []string // event uuids to try again, or "all"
	Limit  int
	Output string // table | json
}

// NewCmdServeOktaStatus builds `gatehouse serve okta-status`: the Okta
// hook's queue, read from the journal.
func NewCmdServeOktaStatus(streams *IO, runF func(context.Context, *ServeOktaStatusOptions) error) *cobra.Command {
	opts := &ServeOktaStatusOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "okta-status [--all] [--retry UUID|all]",
		Short: "List the Okta events not applied (pending, left alone, failed), and retry them",
		Long: `List the events the Okta hook stored that are not applied: pending (waiting,
or between retries), skipped (left alone on purpose: a user gatehouse did not
create, a profile Identity Center cannot take) and failed (retried until given
up). Nothing is ever dropped: an event stays listed until a retry, or a later
event's reconcile of the same person, applies it. --all lists every event.

--retry makes failed and skipped events pending again; a running gatehouse
serve takes them within a second. The exit code is 1 while any event is failed.`,
		Example: `  gatehouse serve okta-status
  gatehouse serve okta-status --all -o json
  gatehouse serve okta-status --retry all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Output != "table" && opts.Output != "json" {
				return usageErrorf("--output %q: use table or json", opts.Output)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServeOktaStatus(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	addJournalFlags(cmd, &opts.Settings, "read the embedded sandbox's journal")
	f.BoolVar(&opts.All, "all", false, "list every event, applied or not")
	f.StringSliceVar(&opts.Retry, "retry", nil, "make failed and skipped event `UUID`s pending again (all: every one)")
	f.IntVar(&opts.Limit, "limit", 100, "list at most `N` events, newest first (0: all)")
	f.StringVarP(&opts.Output, "output", "o", "table", "`FORMAT`: table or json")
	return cmd
}

func runServeOktaStatus(ctx context.Context, opts *ServeOktaStatusOptions) error {
	path, err := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv).JournalPath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return usageErrorf("no journal at %s: give gatehouse serve's --journal (or --sandbox)", path)
	}
	j, err := journal.Open(ctx, path)
	if err != nil {
		return err
	}
	defer j.Close()
	if len(opts.Retry) > 0 {
		ids := opts.Retry
		if len(ids) == 1 && ids[0] == "all" {
			ids = nil
		}
		n, err := j.RetryOktaEvents(ctx, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Err, "%d event(s) pending again; a running gatehouse serve applies them shortly.\n", n)
	}
	filter := journal.OktaFilter{Limit: opts.Limit}
	if !opts.All {
		filter.States = []string{journal.OktaPending, journal.OktaSkipped, journal.OktaFailed}
	}
	events, err := j.OktaEvents(ctx, filter)
	if err != nil {
		return err
	}
	counts, err := j.OktaCounts(ctx)
	if err != nil {
		return err
	}
	if err := writeOktaStatus(opts, events, counts); err != nil {
		return err
	}
	if counts[journal.OktaFailed] > 0 {
		return fmt.Errorf("%d Okta event(s) failed: see their detail, fix the cause, then gatehouse serve okta-status --retry all", counts[journal.OktaFailed])
	}
	return nil
}

func writeOktaStatus(opts *ServeOktaStatusOptions, events []journal.OktaEventRecord, counts map[string]int) error {
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Counts map[string]int
			Events []journal.OktaEventRecord
		}{counts, nonNilEvents(events)})
	}
	var parts []string
	for _, s := range []string{journal.OktaDone, journal.OktaIgnored, journal.OktaPending, journal.OktaSkipped, journal.OktaFailed} {
		parts = append(parts, fmt.Sprintf("%s %d", s, counts[s]))
	}
	fmt.Fprintln(opts.IO.Out, "Okta events: "+strings.Join(parts, ", "))
	if len(events) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tEVENT\tTYPE\tLOGIN\tSTATE\tATTEMPTS\tDETAIL")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", e.ReceivedAt.UTC().Format(time.RFC3339), e.UUID, e.Type,
			dashIfEmpty(e.Login), e.State, e.Attempts, dashIfEmpty(e.Detail))
	}
	return tw.Flush()
}

func nonNilEvents(e []journal.OktaEventRecord) []journal.OktaEventRecord {
	if e == nil {
		return []journal.OktaEventRecord{}
	}
	return e
}
