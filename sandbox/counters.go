package sandbox

import (
	"sort"
	"sync"
)

// requestKey identifies a counter row.
type requestKey struct {
	Account, Service, Action string
}

// RequestCount is one row of GET /_sandbox/requests.
type RequestCount struct {
	Account  string `json:"account"`
	Service  string `json:"service"`
	Action   string `json:"action"`
	Mutating bool   `json:"mutating"`
	Count    int    `json:"count"`
	Errors   int    `json:"errors"`
}

// RequestCounts is the body of GET /_sandbox/requests.
type RequestCounts struct {
	Total    int            `json:"total"`
	Mutating int            `json:"mutating"`
	Errors   int            `json:"errors"`
	Counts   []RequestCount `json:"counts"`
}

// counters counts API requests per account, service and action.
type counters struct {
	mu   sync.Mutex
	rows map[requestKey]*RequestCount
}

func newCounters() *counters { return &counters{rows: map[requestKey]*RequestCount{}} }

func (c *counters) add(account, service, action string, mutating, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := requestKey{account, service, action}
	row, ok := c.rows[k]
	if !ok {
		row = &RequestCount{Account: account, Service: service, Action: action, Mutating: mutating}
		c.rows[k] = row
	}
	row.Count++
	if failed {
		row.Errors++
	}
}

func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rows = map[requestKey]*RequestCount{}
}

// snapshot returns the rows matching the filters (empty filter: any).
func (c *counters) snapshot(account, service string) RequestCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out RequestCounts
	out.Counts = []RequestCount{}
	for _, row := range c.rows {
		if (account != "" && row.Account != account) || (service != "" && row.Service != service) {
			continue
		}
		out.Counts = append(out.Counts, *row)
		out.Total += row.Count
		out.Errors += row.Errors
		if row.Mutating {
			out.Mutating += row.Count
		}
	}
	sort.Slice(out.Counts, func(i, j int) bool {
		a, b := out.Counts[i], out.Counts[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Action < b.Action
	})
	return out
}
