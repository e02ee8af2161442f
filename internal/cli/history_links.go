package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/runenv"
)

// linkStates lists the claim links a run sent, asking gatehouse serve what
// became of those the journal still has as sent (with GATEHOUSE_CLAIM_TOKEN,
// when the server answers) and journaling what it learns. An unreachable
// server leaves the journal's word.
func linkStates(ctx context.Context, opts *HistoryOptions, j *journal.Journal, runID int64) ([]journal.Link, error) {
	links, err := j.RunLinks(ctx, runID)
	if err != nil || len(links) == 0 {
		return links, err
	}
	client := runenv.New(opts.Settings, opts.IO.Err, opts.IO.Getenv).ClaimLinks()
	if client == nil {
		return links, nil
	}
	asked := map[string]claim.StateBody{}
	for i, l := range links {
		if l.State != journal.LinkSent {
			continue
		}
		st, ok := asked[l.ID]
		if !ok {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			st, err = client.Status(ctx, l.BaseURL, l.ID)
			cancel()
			var apiErr *claim.APIError
			if err != nil && !(errors.As(err, &apiErr) && apiErr.Code == "not_found") {
				fmt.Fprintf(opts.IO.Err, "Asking %s about claim link %s: %v\n", l.BaseURL, l.ID, err)
				continue
			}
			asked[l.ID] = st
		}
		state, at := linkState(st)
		if state == journal.LinkSent {
			continue
		}
		if err := j.MarkLink(ctx, l.ID, state, at); err != nil {
			return nil, err
		}
		links[i].State, links[i].StateAt = state, at
	}
	return links, nil
}

// linkState maps the server's answer to the journal's states.
func linkState(st claim.StateBody) (string, time.Time) {
	at := time.Time{}
	if st.At != nil {
		at = *st.At
	}
	switch st.State {
	case "claimed":
		return journal.LinkClaimed, at
	case "withdrawn":
		return journal.LinkWithdrawn, at
	case "expired", "":
		return journal.LinkExpired, at
	}
	return journal.LinkSent, at
}

// writeLinks lists a run's claim links under its steps.
func writeLinks(w io.Writer, links []journal.Link) error {
	if len(links) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nClaim links:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range links {
		what := l.State
		switch {
		case l.State == journal.LinkSent:
			what = "not claimed yet"
		case !l.StateAt.IsZero():
			what += " " + l.StateAt.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintln(tw, strings.Join([]string{"  " + l.ID, l.Account, l.UserName, what}, "\t"))
	}
	return tw.Flush()
}
