package main

import (
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// sandbox is a `gatehouse sandbox serve` process.
type sandbox struct {
	url string
	cmd *exec.Cmd
}

// startSandbox runs the sandbox on a free port with a fixture and flags.
func startSandbox(bin, fixture string, flags ...string) (*sandbox, error) {
	url, cmd, err := measure.StartSandbox(bin, append([]string{"--fixture", fixture}, flags...), nil)
	if err != nil {
		return nil, err
	}
	return &sandbox{url: url, cmd: cmd}, nil
}

func (s *sandbox) stop() { measure.Stop(s.cmd, 10*time.Second) }

func (s *sandbox) get(path string, v any) error {
	return measure.Inspect(s.url, http.MethodGet, path, nil, v)
}

// counts is GET /_sandbox/requests.
type counts struct {
	Total    int `json:"total"`
	Mutating int `json:"mutating"`
	Errors   int `json:"errors"`
	Counts   []struct {
		Account  string `json:"account"`
		Service  string `json:"service"`
		Action   string `json:"action"`
		Mutating bool   `json:"mutating"`
		Count    int    `json:"count"`
		Errors   int    `json:"errors"`
	} `json:"counts"`
}

// accountCalls is what one account was asked.
type accountCalls struct {
	ok, mutating, refused int // answered, mutating among them, answered with an error (throttled above all)
}

func (c counts) perAccount() map[string]accountCalls {
	out := map[string]accountCalls{}
	for _, row := range c.Counts {
		a := out[row.Account]
		a.ok += row.Count - row.Errors
		a.refused += row.Errors
		if row.Mutating {
			a.mutating += row.Count - row.Errors
		}
		out[row.Account] = a
	}
	return out
}

// action sums one action's calls and failures over every account.
func (c counts) action(name string) (calls, failed int) {
	for _, row := range c.Counts {
		if row.Action == name {
			calls += row.Count
			failed += row.Errors
		}
	}
	return calls, failed
}

// sample is the sandbox's request counts at a moment of a run.
type sample struct {
	at       time.Duration
	total    int
	mutating int
	busiest  int // answered calls of the busiest account so far
}

// sampler polls /_sandbox/requests while a run goes on, so a report can say
// when the first change was made and how evenly the calls went out.
type sampler struct {
	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(s *sandbox, every time.Duration, busiest string) *sampler {
	sm := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(sm.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var c counts
			if err := s.get("requests", &c); err == nil {
				sm.mu.Lock()
				sm.samples = append(sm.samples, sample{at: time.Since(start), total: c.Total, mutating: c.Mutating, busiest: c.perAccount()[busiest].ok})
				sm.mu.Unlock()
			}
			select {
			case <-sm.stop:
				return
			case <-t.C:
			}
		}
	}()
	return sm
}

func (sm *sampler) finish() []sample {
	close(sm.stop)
	<-sm.done
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.samples
}

// firstChange is when the first mutating call was counted (the plan's end).
func firstChange(samples []sample) time.Duration {
	for _, s := range samples {
		if s.mutating > 0 {
			return s.at
		}
	}
	return 0
}

// lastCall is when the run's last AWS call was counted: what follows it is
// the report, the confirmations and the journal's close.
func lastCall(samples []sample) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	final := samples[len(samples)-1].total
	for _, s := range samples {
		if s.total == final {
			return s.at
		}
	}
	return 0
}
