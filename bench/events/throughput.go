package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/time/rate"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// throughputResult is one throughput run.
type throughputResult struct {
	watchers, users int
	wall            time.Duration // the watchers' start → the last mail
	firstMail       time.Duration
	perAccount      map[string]accountCalls
	busiest         string        // the account with the most calls per event (calibrated)
	needed          int           // the calls the events need there: calls per event × events
	bound           time.Duration // (needed − the sandbox's first burst) ÷ rate
	verdicts        []map[string]int
	peakRSSKB       []int64
}

func (r throughputResult) perSecond() float64 { return float64(r.users) / r.wall.Seconds() }
func (r throughputResult) ratio() float64     { return r.wall.Seconds() / r.bound.Seconds() }

func throughput(ctx context.Context, o options, dir string, watchers int, cal calibration) (throughputResult, error) {
	r := throughputResult{watchers: watchers, users: o.users}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return r, err
	}
	fixturePath, configPath, err := writeFiles(dir)
	if err != nil {
		return r, err
	}
	sb, err := startSandbox(o.gatehouse, fixturePath, filepath.Join(dir, "sandbox.log"), sandboxFlags(o)...)
	if err != nil {
		return r, err
	}
	defer sb.stop()
	c := newClients(sb.url)
	names := make([]string, o.users)
	for i := range names {
		names[i] = userName("t", i)
	}
	if _, err := createUsers(ctx, c, names, 0.8*o.rate); err != nil {
		return r, err
	}
	if n, err := c.depth(ctx, sb.url, queueName); err != nil || n != o.users {
		return r, fmt.Errorf("%d messages in the queue after creating %d users (%v)", n, o.users, err)
	}
	if err := sb.inspect(http.MethodDelete, "requests", nil); err != nil {
		return r, err
	}
	// The sandbox's buckets refill while the watchers start: the run begins
	// with each account's burst in hand, which the bound allows for.
	time.Sleep(time.Second)

	journal := filepath.Join(dir, "journal.db")
	start := time.Now()
	ws := make([]*watcher, watchers)
	var wg sync.WaitGroup
	errs := make([]error, watchers)
	for i := range ws {
		wg.Go(func() {
			ws[i], errs[i] = startWatcher(o.gatehouse, filepath.Join(dir, fmt.Sprintf("home-%d", i)), watchArgs(o, sb, configPath, journal)...)
		})
	}
	wg.Wait()
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.stop()
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			return r, err
		}
	}
	first, err := waitForMails(ctx, sb, c, names, 30*time.Minute)
	if err != nil {
		return r, err
	}
	var last time.Time
	firstAt := first[names[0]]
	for _, at := range first {
		if at.After(last) {
			last = at
		}
		if at.Before(firstAt) {
			firstAt = at
		}
	}
	r.wall, r.firstMail = last.Sub(start), firstAt.Sub(start)
	for _, w := range ws {
		r.peakRSSKB = append(r.peakRSSKB, w.peakRSSKB())
	}
	var cs counts
	if err := sb.inspect(http.MethodGet, "requests", &cs); err != nil {
		return r, err
	}
	r.perAccount = cs.perAccount()
	for account, perEvent := range cal.perEvent {
		if need := int(perEvent*float64(o.users) + 0.5); need > r.needed {
			r.busiest, r.needed = account, need
		}
	}
	r.bound = time.Duration(float64(r.needed-burstOf(o.rate)) / o.rate * float64(time.Second))
	for _, w := range ws {
		w.stop()
		r.verdicts = append(r.verdicts, w.verdicts())
	}
	return r, nil
}

// calibration is what one event costs, measured where nothing is
// throttled: calls per event per account, and the member's per action.
type calibration struct {
	events   int
	perEvent map[string]float64
	actions  []actionCalls
}

type actionCalls struct {
	account, service, action string
	perEvent                 float64
	errors                   float64 // answered with an error (NoSuchEntity where a read finds nothing)
}

// calibrate completes a few events with one watcher against a sandbox with
// the latency but no rate limit, and counts the calls each event took.
func calibrate(ctx context.Context, o options, dir string, events int) (calibration, error) {
	cal := calibration{events: events, perEvent: map[string]float64{}}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cal, err
	}
	fixturePath, configPath, err := writeFiles(dir)
	if err != nil {
		return cal, err
	}
	sb, err := startSandbox(o.gatehouse, fixturePath, filepath.Join(dir, "sandbox.log"), "--latency", o.latency.String())
	if err != nil {
		return cal, err
	}
	defer sb.stop()
	c := newClients(sb.url)
	names := make([]string, events)
	for i := range names {
		names[i] = userName("c", i)
	}
	if _, err := createUsers(ctx, c, names, 1000); err != nil {
		return cal, err
	}
	w, err := startWatcher(o.gatehouse, filepath.Join(dir, "home"), watchArgs(o, sb, configPath, filepath.Join(dir, "journal.db"))...)
	if err != nil {
		return cal, err
	}
	_, err = waitForMails(ctx, sb, c, names, 10*time.Minute)
	w.stop()
	if err != nil {
		return cal, err
	}
	var cs counts
	if err := sb.inspect(http.MethodGet, "requests", &cs); err != nil {
		return cal, err
	}
	for _, row := range cs.gatehouse() {
		calls := row.Count
		if row.Account == member && row.Action == "CreateUser" {
			calls -= events // the benchmark's own
		}
		if calls == 0 {
			continue
		}
		cal.perEvent[row.Account] += float64(calls) / float64(events)
		cal.actions = append(cal.actions, actionCalls{account: row.Account, service: row.Service, action: row.Action,
			perEvent: float64(calls) / float64(events), errors: float64(row.Errors) / float64(events)})
	}
	sort.Slice(cal.actions, func(i, j int) bool {
		a, b := cal.actions[i], cal.actions[j]
		return a.account > b.account || a.account == b.account && a.perEvent > b.perEvent
	})
	return cal, nil
}

// createUsers creates the users in the member account, sixteen at a time
// at most perSecond a second, and returns when each CreateUser's answer
// came back.
func createUsers(ctx context.Context, c clients, names []string, perSecond float64) (map[string]time.Time, error) {
	lim := rate.NewLimiter(rate.Limit(perSecond), 1)
	var (
		mu       sync.Mutex
		answered = map[string]time.Time{}
		firstErr error
	)
	work := make(chan string)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for name := range work {
				if err := lim.Wait(ctx); err != nil {
					return
				}
				_, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
				at := time.Now()
				mu.Lock()
				answered[name] = at
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("creating %s: %w", name, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()
	return answered, firstErr
}

// waitForMails polls until every user has had a mail and the queue is
// empty, and returns when each user's first mail was sent.
func waitForMails(ctx context.Context, sb *sandbox, c clients, names []string, within time.Duration) (map[string]time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		first, _, err := sb.mails()
		if err != nil {
			return nil, err
		}
		done := true
		for _, n := range names {
			if _, ok := first[n]; !ok {
				done = false
				break
			}
		}
		if done {
			if n, err := c.depth(ctx, sb.url, queueName); err == nil && n == 0 {
				return first, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("%d of %d users mailed after %v", len(first), len(names), within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func writeThroughput(w io.Writer, o options, cal calibration, results []throughputResult) {
	fmt.Fprintf(w, "#### Throughput: %d events, %v latency, %g requests/s per account\n\n", o.users, o.latency, o.rate)
	fmt.Fprintf(w, "`gatehouse watch --queue URL --config watch.yaml --journal J%s` (one process per watcher, one journal "+
		"file) against `gatehouse sandbox serve --latency %v --rate-limit %g` (a token bucket per account, burst one second's worth; "+
		"calls over it are answered with the real throttling error), a fresh sandbox per row. gatehouse's own rate limit is its "+
		"default: adaptive, starting at %d requests/s per account with a bucket of %d and halving on throttling — in each process. "+
		"The %d CreateUser events wait in the queue when the watchers start. Calls per event are counted first with one watcher "+
		"and %d events against the same sandbox without a rate limit (below). Bound = the busiest account's calls per event × %d "+
		"events, less the sandbox's first burst of %d, ÷ %g/s: the least time any client making those calls can take.\n\n",
		inFlightText(o), o.latency, o.rate, awsx.AdaptiveCeiling, awsx.DefaultBurst, o.users, cal.events, o.users, burstOf(o.rate), o.rate)
	fmt.Fprintln(w, "| watchers | events/s | wall time (start → last mail) | first mail | bound (busiest account) | ratio | calls there: needed + throttled and retried | completed by each | peak RSS each |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---|---:|---:|---|---|")
	for _, r := range results {
		var done, rss []string
		for i, v := range r.verdicts {
			done = append(done, fmt.Sprint(v["completed"]))
			rss = append(rss, fmt.Sprintf("%d MiB", r.peakRSSKB[i]/1024))
		}
		fmt.Fprintf(w, "| %d | **%.2f** | %.1f s | %.1f s | %.1f s (%s) | **%.3f×** | %d + %d | %s | %s |\n",
			r.watchers, r.perSecond(), r.wall.Seconds(), r.firstMail.Seconds(), r.bound.Seconds(), r.busiest, r.ratio(),
			r.needed, r.perAccount[r.busiest].calls-r.needed, strings.Join(done, ", "), strings.Join(rss, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Calls per event (%d events, one watcher, no rate limit):\n\n", cal.events)
	fmt.Fprintln(w, "| account | call | per event | of which errors |")
	fmt.Fprintln(w, "|---|---|---:|---:|")
	for _, a := range cal.actions {
		fmt.Fprintf(w, "| %s | %s %s | %.2f | %.2f |\n", a.account, a.service, a.action, a.perEvent, a.errors)
	}
	var accounts []string
	for a := range cal.perEvent {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	var parts []string
	for _, a := range accounts {
		parts = append(parts, fmt.Sprintf("%s %.2f", a, cal.perEvent[a]))
	}
	fmt.Fprintf(w, "\nIn all, per event: %s. ReceiveMessage is shared by the events a receive returns; the errors are reads "+
		"answered NoSuchEntity (no login profile yet, no password policy).\n\n", strings.Join(parts, ", "))
}

func inFlightText(o options) string {
	if o.inFlight > 0 {
		return fmt.Sprintf(" --in-flight %d", o.inFlight)
	}
	return ""
}
