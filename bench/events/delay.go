package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// delays are one delay run's CreateUser → mail times.
type delays struct {
	users int
	d     []time.Duration // sorted
}

// percentile is the nearest-rank p-th percentile.
func (d delays) percentile(p float64) time.Duration {
	if len(d.d) == 0 {
		return 0
	}
	i := int(float64(len(d.d))*p/100+0.999999) - 1
	return d.d[min(max(i, 0), len(d.d)-1)]
}

// delay runs one watcher and measures CreateUser → mail for users created
// one at a time, then for a burst created at once.
func delay(ctx context.Context, o options, dir string) (paced, burst delays, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return paced, burst, err
	}
	fixturePath, configPath, err := writeFiles(dir)
	if err != nil {
		return paced, burst, err
	}
	sb, err := startSandbox(o.gatehouse, fixturePath, filepath.Join(dir, "sandbox.log"), sandboxFlags(o)...)
	if err != nil {
		return paced, burst, err
	}
	defer sb.stop()
	c := newClients(sb.url)
	w, err := startWatcher(o.gatehouse, filepath.Join(dir, "home"), watchArgs(o, sb, configPath, filepath.Join(dir, "journal.db"))...)
	if err != nil {
		return paced, burst, err
	}
	defer w.stop()

	answered := map[string]time.Time{}
	var pacedNames []string
	for i := range o.paced {
		name := userName("p", i)
		if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			return paced, burst, fmt.Errorf("creating %s: %w", name, err)
		}
		answered[name] = time.Now()
		pacedNames = append(pacedNames, name)
		time.Sleep(o.gap)
	}
	if paced, err = measureDelays(ctx, sb, c, pacedNames, answered); err != nil {
		return paced, burst, err
	}
	var burstNames []string
	for i := range o.burst {
		burstNames = append(burstNames, userName("b", i))
	}
	at, err := createUsers(ctx, c, burstNames, 1000)
	if err != nil {
		return paced, burst, err
	}
	burst, err = measureDelays(ctx, sb, c, burstNames, at)
	return paced, burst, err
}

func measureDelays(ctx context.Context, sb *sandbox, c clients, names []string, answered map[string]time.Time) (delays, error) {
	first, err := waitForMails(ctx, sb, c, names, 10*time.Minute)
	if err != nil {
		return delays{}, err
	}
	d := delays{users: len(names)}
	for _, n := range names {
		d.d = append(d.d, first[n].Sub(answered[n]))
	}
	slices.Sort(d.d)
	return d, nil
}

func writeDelay(w io.Writer, o options, paced, burst delays) {
	fmt.Fprintf(w, "#### Delay: CreateUser answered → mail sent, one watcher, %v latency, %g requests/s per account\n\n", o.latency, o.rate)
	fmt.Fprintf(w, "One `gatehouse watch%s` (its defaults) against `gatehouse sandbox serve --latency %v --rate-limit %g`, "+
		"long-polling the queue when the users are created: first %d users one at a time, %v apart (nothing queues), then %d "+
		"at once. A user's delay runs from the moment its CreateUser answer reached the creating client (the event is on the queue "+
		"by then: the sandbox delivers CloudTrail → EventBridge → SNS → SQS within the call) to the SES timestamp of its mail, "+
		"both on this machine's clock.\n\n", inFlightText(o), o.latency, o.rate, o.paced, o.gap, o.burst)
	fmt.Fprintln(w, "| users created | p50 | p90 | p99 | largest | p50 ÷ latency |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, row := range []struct {
		name string
		d    delays
	}{{fmt.Sprintf("%d, one at a time", paced.users), paced}, {fmt.Sprintf("%d at once", burst.users), burst}} {
		fmt.Fprintf(w, "| %s | **%s** | %s | **%s** | %s | %.1f |\n", row.name, ms(row.d.percentile(50)), ms(row.d.percentile(90)),
			ms(row.d.percentile(99)), ms(row.d.percentile(100)), float64(row.d.percentile(50))/float64(o.latency))
	}
	fmt.Fprintln(w)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}
