package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/bench/internal/measure"
	"github.com/gatehouse/gatehouse/internal/awsx"
)

// cliRun is one side of the comparison.
type cliRun struct {
	name  string
	flags string
	run   *measure.Process
	calls int
}

// versusCLI onboards the same people into one account (the caller's own, as
// in seed 000) with the AWS CLI shell loop and with gatehouse — at its
// defaults, then with its limits out of the way — each against a fresh
// sandbox with the same latency and no rate limit, and checks that both did
// the whole job.
func versusCLI(ctx context.Context, o options, dir string, out, log io.Writer) error {
	aws, version := o.aws, ""
	if aws == "" {
		var err error
		if aws, version, err = findAWSCLIv2(); err != nil {
			return err
		}
	}
	fixture, err := writeFixture(dir, 0)
	if err != nil {
		return err
	}
	people, err := writePeople(dir, o.cliPeople)
	if err != nil {
		return err
	}
	spec, err := writeSpec(dir, o.cliPeople, nil, "ses")
	if err != nil {
		return err
	}
	loop, err := filepath.Abs(o.loop)
	if err != nil {
		return err
	}
	var runs []cliRun
	fmt.Fprintf(log, "cli: %d people with %s (%s)\n", o.cliPeople, aws, version)
	r, err := cliSide(ctx, o, dir, fixture, "AWS CLI v2 shell loop", "", "bash", loop, aws, "{url}", people)
	if err != nil {
		return err
	}
	runs = append(runs, r)
	// gatehouse at its defaults (0: the flag left out), then with the limits out of the way.
	for i, g := range []struct {
		rate float64
		conc int
	}{{0, 0}, {1000, 100}} {
		flags := strings.Join(gatehouseflags.Flags(g.rate, g.conc), " ")
		if flags == "" {
			// One account: the caller's own.
			flags = fmt.Sprintf("none (the defaults: adaptive rate limit, burst %d; --concurrency %d)", awsx.DefaultBurst, concurrency().Default(1))
		}
		fmt.Fprintf(log, "cli: %d people with gatehouse %s\n", o.cliPeople, flags)
		args := append([]string{"onboard", "-f", spec, "--journal", filepath.Join(dir, fmt.Sprintf("journal-cli-%d.db", i)),
			"--endpoint-url", "{url}"}, gatehouseflags.Flags(g.rate, g.conc)...)
		r, err := cliSide(ctx, o, dir, fixture, "gatehouse onboard", flags, o.gatehouse, args...)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	fmt.Fprintf(out, "#### %d people into one account, %v latency, no rate limit in the sandbox\n\n", o.cliPeople, o.latency)
	fmt.Fprintf(out, "%s, `bench/onboard/cli-loop.sh`: one `aws` process per call, one person after another. %s\n\n", version, concurrency().DefaultsText())
	fmt.Fprintln(out, "| tool | flags | wall time | AWS calls | per person | speed-up over the CLI loop | peak RSS |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|")
	for _, r := range runs {
		fmt.Fprintf(out, "| %s | %s | %.2f s | %d | %.0f ms | **%.1f×** | %d MiB |\n", r.name, r.flags, r.run.Wall.Seconds(), r.calls,
			float64(r.run.Wall.Milliseconds())/float64(o.cliPeople), runs[0].run.Wall.Seconds()/r.run.Wall.Seconds(), r.run.MaxRSSKB/1024)
	}
	fmt.Fprintln(out)
	return nil
}

// cliSide runs one tool against a fresh sandbox ({url} in args is its URL)
// and checks that every person got a user, a login profile, the group and a mail.
func cliSide(ctx context.Context, o options, dir, fixture, name, flags, bin string, args ...string) (cliRun, error) {
	r := cliRun{name: name, flags: flags}
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String())
	if err != nil {
		return r, err
	}
	defer sb.stop()
	for i, a := range args {
		if a == "{url}" {
			args[i] = sb.url
		}
	}
	home, err := os.MkdirTemp(dir, "home-")
	if err != nil {
		return r, err
	}
	if r.run, err = measure.Run(ctx, gatehouseEnv(home), bin, args...); err != nil {
		return r, err
	}
	if r.run.Code != 0 {
		return r, fmt.Errorf("%s exited with %d:\n%s", name, r.run.Code, measure.Tail(r.run.Stderr.String(), 20))
	}
	var c counts
	if err := sb.get("requests", &c); err != nil {
		return r, err
	}
	r.calls = c.Total
	for _, action := range []string{"CreateUser", "CreateLoginProfile", "AttachUserPolicy", "AddUserToGroup", "SendEmail"} {
		if calls, failed := c.action(action); calls-failed != o.cliPeople {
			return r, fmt.Errorf("%s: %d successful %s calls, want %d", name, calls-failed, action, o.cliPeople)
		}
	}
	fmt.Fprintf(os.Stderr, "  %s: %v, %d calls\n", name, r.run.Wall.Round(time.Millisecond), r.calls)
	return r, nil
}
