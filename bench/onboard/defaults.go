package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// A --rate-limit or --concurrency of 0 in this program leaves the flag out,
// so gatehouse runs at its default: an adaptive rate limit and a concurrency
// that grows with the accounts. The constants come from gatehouse itself so
// the labels stay true when the defaults change.

// gatehouseFlags is --rate-limit and --concurrency for a run, each left out at 0.
func gatehouseFlags(rateLimit float64, concurrency int) []string {
	var flags []string
	if rateLimit > 0 {
		flags = append(flags, "--rate-limit", strconv.FormatFloat(rateLimit, 'g', -1, 64))
	}
	if concurrency > 0 {
		flags = append(flags, "--concurrency", strconv.Itoa(concurrency))
	}
	return flags
}

// rateLabel names a gatehouse --rate-limit value for a table.
func rateLabel(rateLimit float64) string {
	if rateLimit <= 0 {
		return fmt.Sprintf("default (adaptive, burst %d)", awsx.DefaultBurst)
	}
	return fmt.Sprintf("%g (fixed, burst %d)", rateLimit, max(awsx.DefaultBurst, int(rateLimit)))
}

// defaultConcurrency is gatehouse's --concurrency when it is left out.
func defaultConcurrency(accounts int) int {
	return max(onboard.DefaultConcurrency, onboard.ConcurrencyPerAccount*accounts)
}

// concurrencyLabel names a gatehouse --concurrency value for a run over accounts.
func concurrencyLabel(concurrency, accounts int) string {
	if concurrency > 0 {
		return strconv.Itoa(concurrency)
	}
	if onboard.ConcurrencyPerAccount*accounts < onboard.DefaultConcurrency {
		return fmt.Sprintf("default (%d: %d per account, at least %d)", defaultConcurrency(accounts), onboard.ConcurrencyPerAccount, onboard.DefaultConcurrency)
	}
	return fmt.Sprintf("default (%d = %d × %d accounts)", defaultConcurrency(accounts), onboard.ConcurrencyPerAccount, accounts)
}

// defaultsText explains gatehouse's defaults and an explicit --rate-limit, for the report.
func defaultsText() string {
	return fmt.Sprintf("Without `--rate-limit` gatehouse's per-account limit is adaptive: it starts at %d requests/s with a bucket of %d calls, "+
		"halves on each throttling answer (at most once a second) and regains 5%% of that ceiling per second without one; "+
		"an explicit `--rate-limit R` is fixed, with a bucket of max(%d, R) calls. Without `--concurrency` gatehouse works on "+
		"%d (person, account) pairs per account at once, at least %d.",
		awsx.AdaptiveCeiling, awsx.DefaultBurst, awsx.DefaultBurst, onboard.ConcurrencyPerAccount, onboard.DefaultConcurrency)
}

// parseConcurrencies reads a comma-separated -concurrency list (0: gatehouse's default).
func parseConcurrencies(list string) ([]int, error) {
	var out []int
	for _, c := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("-concurrency %q: give whole numbers, 0 for gatehouse's default", list)
		}
		out = append(out, n)
	}
	return out, nil
}

// rateFlagText is the --rate-limit flag as a command line in the report shows it.
func rateFlagText(rateLimit float64) string {
	if rateLimit <= 0 {
		return ""
	}
	return fmt.Sprintf(" --rate-limit %g", rateLimit)
}
