package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// runbookRow is one side-by-side measurement: who removed the users, how.
type runbookRow struct {
	who      string
	users    int
	rate     float64 // the account's rate limit in the sandbox (0: none)
	run      *measure.Process
	inScript time.Duration // the script's own timing (without Python's start-up)
	calls    int
}

// versusRunbook removes the same users with runbook.py and with gatehouse,
// each against a fresh sandbox built from the same fixture with the same
// latency: one user alone (the latency-bound case), then all of them.
// gatehouse runs at its defaults (no --rate-limit, no --concurrency) unless a
// row says otherwise.
func versusRunbook(ctx context.Context, o options, dir string, out, log io.Writer) error {
	everyone := peopleOf(o.rbUsers, "leaver")
	fixtureAll, err := writeWorld(dir, "runbook-all.yaml", nil, []string{management}, everyone, runbookable)
	if err != nil {
		return err
	}
	fixtureOne, err := writeWorld(dir, "runbook-one.yaml", nil, []string{management}, everyone[:1], runbookable)
	if err != nil {
		return err
	}
	var rows []runbookRow
	add := func(r runbookRow, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "runbook: %s, %d users, account rate limit %g: wall %v, %d calls\n", r.who, r.users, r.rate, ms(r.run.Wall), r.calls)
		rows = append(rows, r)
		return nil
	}
	type step func() (runbookRow, error)
	one, all := everyone[:1], everyone
	steps := []step{
		func() (runbookRow, error) { return runbookRun(ctx, o, dir, fixtureOne, 1, false) },
		func() (runbookRow, error) { return gatehouseRun(ctx, o, dir, fixtureOne, one, 0, 0) },
		func() (runbookRow, error) { return gatehouseRun(ctx, o, dir, fixtureOne, one, 0, 1000) },
		func() (runbookRow, error) { return runbookRun(ctx, o, dir, fixtureAll, len(all), false) },
	}
	if o.rbSleep {
		steps = append(steps, func() (runbookRow, error) { return runbookRun(ctx, o, dir, fixtureAll, len(all), true) })
	}
	steps = append(steps,
		// The main row: gatehouse at its defaults (unless -runbook-gatehouse-rate)
		// in an account limited to the scale run's rate; then at its defaults in
		// an account limited to 20/s, well under the adaptive limit's start of
		// 100/s, so it must back off; then with no limits at all.
		func() (runbookRow, error) { return gatehouseRun(ctx, o, dir, fixtureAll, all, o.rate, o.rbRate) },
		func() (runbookRow, error) { return gatehouseRun(ctx, o, dir, fixtureAll, all, 20, 0) },
		func() (runbookRow, error) { return gatehouseRun(ctx, o, dir, fixtureAll, all, 0, 1000) },
	)
	for _, s := range steps {
		if err := add(s()); err != nil {
			return err
		}
	}
	writeRunbook(out, o, rows)
	return nil
}

// runbookRun runs runbook.py on every user of the fixture, by user ID (the
// runbook's input), in the fixture's order.
func runbookRun(ctx context.Context, o options, dir, fixture string, n int, sleep bool) (runbookRow, error) {
	r := runbookRow{who: "runbook.py", users: n}
	if sleep {
		r.who = "runbook.py --sleep"
	}
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String())
	if err != nil {
		return r, err
	}
	defer sb.stop()
	var w world
	if err := sb.get("state", &w); err != nil {
		return r, err
	}
	var ids []string
	for _, u := range w.Accounts[management].Users {
		ids = append(ids, u.Name+"\t"+u.ID)
	}
	slices.Sort(ids)
	for i := range ids {
		_, ids[i], _ = strings.Cut(ids[i], "\t")
	}
	home, err := os.MkdirTemp(dir, "runbook-")
	if err != nil {
		return r, err
	}
	idsFile := filepath.Join(home, "ids.txt")
	if err := os.WriteFile(idsFile, []byte(strings.Join(ids, "\n")+"\n"), 0o600); err != nil {
		return r, err
	}
	args := []string{o.runbook, "--endpoint-url", sb.url, "--ids", idsFile}
	if sleep {
		args = append(args, "--sleep")
	}
	r.run, err = measure.Run(ctx, gatehouseEnv(home), o.python, args...)
	if err != nil {
		return r, err
	}
	if err := r.run.MustSucceed("runbook.py"); err != nil {
		return r, err
	}
	var res struct {
		Users, Calls int
		Seconds      float64
		Failures     int `json:"non_virtual_mfa_failures"`
	}
	if err := json.Unmarshal(r.run.Stdout.Bytes(), &res); err != nil {
		return r, fmt.Errorf("reading runbook.py's output %q: %w", r.run.Stdout.String(), err)
	}
	if res.Failures > 0 {
		return r, fmt.Errorf("runbook.py met %d non-virtual MFA devices: the fixture should have none", res.Failures)
	}
	r.calls, r.inScript = res.Calls, time.Duration(res.Seconds*float64(time.Second))
	return r, checkAllGone(sb)
}

// gatehouseRun offboards everyone from the management account (the caller's
// own), found by e-mail address as an onboarding spec names them.
// sandboxRate is the account's rate limit in the sandbox (0: none), ghRate
// gatehouse's --rate-limit (0: left out, its adaptive default).
func gatehouseRun(ctx context.Context, o options, dir, fixture string, everyone []person, sandboxRate, ghRate float64) (runbookRow, error) {
	r := runbookRow{who: "gatehouse", users: len(everyone), rate: sandboxRate}
	flags := []string{"--latency", o.latency.String()}
	if sandboxRate > 0 {
		flags = append(flags, "--rate-limit", fmt.Sprint(sandboxRate))
	}
	sb, err := startSandbox(o.gatehouse, fixture, flags...)
	if err != nil {
		return r, err
	}
	defer sb.stop()
	home, err := os.MkdirTemp(dir, "gatehouse-")
	if err != nil {
		return r, err
	}
	peopleFile, err := writePeople(home, "people.csv", everyone)
	if err != nil {
		return r, err
	}
	args := []string{"offboard", "-f", peopleFile, "--account", management, "--yes", "--endpoint-url", sb.url,
		"--journal", filepath.Join(home, "journal.db"), "--archive", filepath.Join(home, "archive")}
	if flags := gatehouseflags.Flags(ghRate, 0); len(flags) > 0 {
		args = append(args, flags...)
		r.who = "gatehouse " + strings.Join(flags, " ")
	}
	r.run, err = measure.Run(ctx, gatehouseEnv(home), o.gatehouse, args...)
	if err != nil {
		return r, err
	}
	if err := r.run.MustSucceed("gatehouse offboard"); err != nil {
		return r, err
	}
	var c counts
	if err := sb.get("requests", &c); err != nil {
		return r, err
	}
	r.calls = c.Total
	return r, checkAllGone(sb)
}

func checkAllGone(sb *sandbox) error {
	var w world
	if err := sb.get("state", &w); err != nil {
		return err
	}
	if users, devices := w.remaining([]string{management}); users != 0 || devices != 0 {
		return fmt.Errorf("%d users and %d virtual MFA devices left", users, devices)
	}
	return nil
}

func writeRunbook(w io.Writer, o options, rows []runbookRow) {
	fmt.Fprintf(w, "#### 3. Side by side with AWS's runbook (seed 002)\n\n")
	fmt.Fprintf(w, "The same users removed by `bench/offboard/runbook.py` — a boto3 script making AWSConfigRemediation-DeleteIAMUser's "+
		"calls one after another as its six steps do (find the user name by paging ListUsers for the ID, five listings, three "+
		"listings, each delete, DeleteUser, GetUser) — and by `gatehouse offboard -f people.csv --account %s --yes`, each against "+
		"a fresh sandbox from the same fixture with %v latency per call. Each user has a login profile, two access keys, an SSH key, a "+
		"signing certificate, a CodeCommit credential, an enabled virtual MFA device (virtual only: the runbook fails on hardware "+
		"tokens and passkeys), two groups, an inline and a managed policy. The script reuses one boto3 client and leaves out SSM's "+
		"per-step start-up, both in the runbook's favour; `--sleep` keeps the runbook's 50 ms `THROTTLE_PERIOD` after every listing "+
		"page. Wall times are whole processes; for the script, its own timing is in brackets (Python and boto3 take about a second "+
		"to start) and the ratios use that, in the runbook's favour. gatehouse also "+
		"archives each user (reading inline policy documents, keys' last use and SSH key bodies), hence more calls. "+
		"`gatehouse` without flags runs at its defaults, `--concurrency %d` for the one account. %s\n\n",
		management, o.latency, concurrency().Default(1), concurrency().DefaultsText())
	fmt.Fprintln(w, "| users | who | account rate limit (sandbox) | wall time | calls | gatehouse faster by (its wall time against the script's own time) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	runbook := map[string]map[int]time.Duration{} // who → users → the script's own time
	for _, r := range rows {
		if strings.HasPrefix(r.who, "runbook") {
			if runbook[r.who] == nil {
				runbook[r.who] = map[int]time.Duration{}
			}
			runbook[r.who][r.users] = r.inScript
		}
	}
	for _, r := range rows {
		rate, wall := "none", fmt.Sprintf("%.2f s", r.run.Wall.Seconds())
		if r.rate > 0 {
			rate = fmt.Sprintf("%g/s", r.rate)
		}
		var faster []string
		if strings.HasPrefix(r.who, "gatehouse") {
			for _, who := range []string{"runbook.py", "runbook.py --sleep"} {
				if base, ok := runbook[who][r.users]; ok {
					faster = append(faster, fmt.Sprintf("**%.1f×** vs `%s`", base.Seconds()/r.run.Wall.Seconds(), who))
				}
			}
		} else {
			wall += fmt.Sprintf(" (%.2f s)", r.inScript.Seconds())
		}
		fmt.Fprintf(w, "| %d | `%s` | %s | %s | %d | %s |\n", r.users, r.who, rate, wall, r.calls, strings.Join(faster, ", "))
	}
	fmt.Fprintln(w)
}
