package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// startup is the start-up time of `gatehouse sandbox serve` in one configuration.
type startup struct {
	config           string
	runs             int
	min, median, max time.Duration
}

// measureStartups times start-up with an empty world, with -fixture and with a
// generated fixture of -fixture-users users.
func measureStartups(ctx context.Context, o options) ([]startup, error) {
	configs := []struct {
		name string
		args []string
	}{{"empty world", nil}}
	if o.fixture != "" {
		configs = append(configs, struct {
			name string
			args []string
		}{"`--fixture " + o.fixture + "`", []string{"--fixture", o.fixture}})
	}
	if o.fixtureUsers > 0 {
		dir, err := os.MkdirTemp("", "gatehouse-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "users.yaml")
		if err := os.WriteFile(path, []byte(generatedFixture(o.fixtureUsers)), 0o600); err != nil {
			return nil, err
		}
		configs = append(configs, struct {
			name string
			args []string
		}{fmt.Sprintf("generated fixture: %d users with a path and two tags", o.fixtureUsers), []string{"--fixture", path}})
	}
	var out []startup
	for _, c := range configs {
		s, err := measureStartup(ctx, o.gatehouse, c.args, o.startupRuns)
		if err != nil {
			return nil, fmt.Errorf("measuring start-up (%s): %w", c.name, err)
		}
		s.config = c.name
		out = append(out, s)
	}
	return out, nil
}

// generatedFixture is a fixture with n users in one account.
func generatedFixture(n int) string {
	var b strings.Builder
	b.WriteString("accounts:\n  \"444444444444\":\n    users:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - name: user-%06d@example.com\n        path: /staff/\n        tags: {team: team-%d, cost-centre: cc-%04d}\n", i, i%50, i%1000)
	}
	return b.String()
}

// measureStartup starts the binary runs times and times process start → first 200
// from /_sandbox/health (polled every millisecond).
func measureStartup(ctx context.Context, bin string, args []string, runs int) (startup, error) {
	var times []time.Duration
	for range runs {
		addr, err := freeAddr()
		if err != nil {
			return startup{}, err
		}
		s := &server{name: "gatehouse sandbox serve"}
		s.cmd = exec.Command(bin, append([]string{"sandbox", "serve", "--addr", addr}, args...)...)
		s.cmd.Stderr = s
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		t0 := time.Now()
		if err := s.cmd.Start(); err != nil {
			return startup{}, fmt.Errorf("starting %s: %w", bin, err)
		}
		healthy, err := waitHealthy(ctx, "http://"+addr+"/_sandbox/health", 60*time.Second)
		s.stop()
		if err != nil {
			return startup{}, fmt.Errorf("%w\n%s", err, s.logs())
		}
		times = append(times, healthy.Sub(t0))
	}
	slices.Sort(times)
	return startup{runs: runs, min: times[0], median: times[len(times)/2], max: times[len(times)-1]}, nil
}
