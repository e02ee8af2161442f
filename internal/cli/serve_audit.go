package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/claim"
)

// ServeAuditOptions are `gatehouse serve audit`'s options.
type ServeAuditOptions struct {
	IO      *IO
	DataDir string
	ClaimID string
	Output  string // table | json
}

// NewCmdServeAudit builds `gatehouse serve audit`: the claim server's audit
// trail, read from its store.
func NewCmdServeAudit(streams *IO, runF func(context.Context, *ServeAuditOptions) error) *cobra.Command {
	opts := &ServeAuditOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "audit [--data DIR] [--claim ID] [--output table|json]",
		Short: "Show who claimed which link, when and from where",
		Long: `Print the claim server's audit trail from its store: every link created,
claimed (with the browser's address and user agent), refused (a wrong key),
withdrawn or expired, oldest first. It never holds a password or a key.`,
		Example: `  gatehouse serve audit --data /var/lib/gatehouse-serve
  gatehouse serve audit --claim 3q2-7wEAAAB1Wb8fZ1Xk -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServeAudit(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.DataDir, "data", DefaultServeData, "the claim store's `DIR` (as given to gatehouse serve)")
	f.StringVar(&opts.ClaimID, "claim", "", "only the events of claim `ID` (the last part of a link's path)")
	f.StringVarP(&opts.Output, "output", "o", "table", "`FORMAT`: table or json")
	return cmd
}

func runServeAudit(ctx context.Context, opts *ServeAuditOptions) error {
	if opts.Output != "table" && opts.Output != "json" {
		return usageErrorf("--output %q: use table or json", opts.Output)
	}
	// Opening a store creates it; an audit of a folder that has none is a mistake.
	if _, err := os.Stat(filepath.Join(opts.DataDir, claim.StoreFile)); err != nil {
		return usageErrorf("reading the claim audit trail: no claim store in %s (give gatehouse serve's --data)", opts.DataDir)
	}
	store, err := claim.OpenStore(ctx, opts.DataDir, nil)
	if err != nil {
		return err
	}
	events, err := store.Events(ctx, opts.ClaimID)
	err = errors.Join(err, store.Close())
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct{ Events []claim.Event }{events})
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tCLAIM\tUSER\tACCOUNT\tFROM\tUSER AGENT")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Event, e.ClaimID, e.UserName,
			e.Account, dashIfEmpty(e.Addr), dashIfEmpty(e.UserAgent))
	}
	return tw.Flush()
}
