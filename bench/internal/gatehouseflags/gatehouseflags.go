// Package gatehouseflags builds and labels the --rate-limit and --concurrency
// flags the benchmark programs pass to gatehouse. A value of 0 leaves the flag
// out, so gatehouse runs at its default: an adaptive rate limit and a
// concurrency that grows with the accounts. The constants come from gatehouse
// itself so the labels stay true when the defaults change.
package gatehouseflags

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// Concurrency is a command's default concurrency: Min pairs at least,
// PerAccount per account; Pair names what a pair is ("(person, account)").
type Concurrency struct {
	Min, PerAccount int
	Pair            string
}

// Flags is --rate-limit and --concurrency for a run, each left out at 0.
func Flags(rateLimit float64, concurrency int) []string {
	var flags []string
	if rateLimit > 0 {
		flags = append(flags, "--rate-limit", strconv.FormatFloat(rateLimit, 'g', -1, 64))
	}
	if concurrency > 0 {
		flags = append(flags, "--concurrency", strconv.Itoa(concurrency))
	}
	return flags
}

// RateLabel names a --rate-limit value for a table.
func RateLabel(rateLimit float64) string {
	if rateLimit <= 0 {
		return fmt.Sprintf("default (adaptive, burst %d)", awsx.DefaultBurst)
	}
	return fmt.Sprintf("%g (fixed, burst %d)", rateLimit, max(awsx.DefaultBurst, int(rateLimit)))
}

// RateFlagText is the --rate-limit flag as a command line in a report shows it.
func RateFlagText(rateLimit float64) string {
	if rateLimit <= 0 {
		return ""
	}
	return fmt.Sprintf(" --rate-limit %g", rateLimit)
}

// Default is the --concurrency gatehouse uses over accounts when it is left out.
func (c Concurrency) Default(accounts int) int { return max(c.Min, c.PerAccount*accounts) }

// Label names a --concurrency value for a run over accounts.
func (c Concurrency) Label(concurrency, accounts int) string {
	switch {
	case concurrency > 0:
		return strconv.Itoa(concurrency)
	case c.PerAccount*accounts < c.Min:
		return fmt.Sprintf("default (%d: %d per account, at least %d)", c.Default(accounts), c.PerAccount, c.Min)
	}
	return fmt.Sprintf("default (%d = %d × %d accounts)", c.Default(accounts), c.PerAccount, accounts)
}

// DefaultsText explains gatehouse's defaults and an explicit --rate-limit, for a report.
func (c Concurrency) DefaultsText() string {
	return fmt.Sprintf("Without `--rate-limit` gatehouse's per-account limit is adaptive: it starts at %d requests/s with a bucket of %d calls, "+
		"halves on each throttling answer (at most once a second; the bucket shrinks to half a second's worth with it) and regains 5%% of that ceiling per second without one; "+
		"an explicit `--rate-limit R` is fixed, with a bucket of max(%d, R) calls. Without `--concurrency` gatehouse works on "+
		"%d %s pairs per account at once, at least %d.",
		awsx.AdaptiveCeiling, awsx.DefaultBurst, awsx.DefaultBurst, c.PerAccount, c.Pair, c.Min)
}

// ParseList reads a comma-separated -concurrency list (0: gatehouse's default).
func ParseList(list string) ([]int, error) {
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
