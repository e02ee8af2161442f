package deliver_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// sesAccount sets the sandbox's SES sending status of account.
func sesAccount(t *testing.T, sb *sandboxtest.Sandbox, settings map[string]any) {
	t.Helper()
	settings["account"] = account
	sb.Post(t, "ses/account", settings, nil)
}

// factoryFor is gatehouse's AWS access to the sandbox as account's root:
// its retryer, and a limiter per service that Deps.Limit can fix.
func factoryFor(t *testing.T, sb *sandboxtest.Sandbox) *awsx.Factory {
	t.Helper()
	f, err := awsx.New(context.Background(), awsx.Options{Endpoint: sb.URL, Region: "us-east-1", RequestsPerSecond: -1,
		Credentials: credentials.NewStaticCredentialsProvider(account, "sandbox-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// timedMail is a sent message with the time SES accepted it.
type timedMail struct {
	Destinations []string  `json:"destinations"`
	Timestamp    time.Time `json:"timestamp"`
}

// busiestSecond is the most messages SES accepted within one second.
func busiestSecond(t *testing.T, sb *sandboxtest.Sandbox) int {
	t.Helper()
	var v struct{ Messages []timedMail }
	sb.Get(t, "ses/messages", &v)
	ts := make([]time.Time, len(v.Messages))
	for i, m := range v.Messages {
		ts[i] = m.Timestamp
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

func sendEmailCalls(t *testing.T, sb *sandboxtest.Sandbox) (calls, failed int) {
	t.Helper()
	for _, row := range sb.Requests(t, account).Counts {
		if row.Action == "SendEmail" {
			calls, failed = calls+row.Count, failed+row.Errors
		}
	}
	return calls, failed
}

// deliverAll delivers n credentials, to n people, from workers goroutines.
func deliverAll(t *testing.T, ch deliver.Channel, n, workers int) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := japaneseCredential()
				c.Email = fmt.Sprintf("person%02d@example.com", i)
				_, errs[i] = ch.Deliver(context.Background(), c)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// With the account's quota read at preflight, many deliveries at once keep
// to SES's maximum send rate in every second, and SES throttles none.
func TestSESKeepsToTheAccountsSendRate(t *testing.T) {
	t.Parallel()
	const rate, people = 10, 30
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, sender)
	sesAccount(t, sb, map[string]any{"max_send_rate": rate})
	f := factoryFor(t, sb)
	var fixed []string
	ch, err := deliver.New("ses", deliver.Deps{AWS: f.Base(), From: sender, Limit: func(service string, perSecond float64, burst int) {
		fixed = append(fixed, fmt.Sprintf("%s %g/s burst %d", service, perSecond, burst))
		f.Limit("", service, perSecond, burst)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if err := deliver.Preflight(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	if want := []string{"SESv2 10/s burst 1"}; !slices.Equal(fixed, want) {
		t.Errorf("limits fixed: %v, want %v", fixed, want)
	}
	start := time.Now()
	for i, err := range deliverAll(t, ch, people, 12) {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	took := time.Since(start)
	calls, throttled := sendEmailCalls(t, sb)
	if calls != people || throttled != 0 {
		t.Errorf("%d SendEmail calls, %d refused; want %d, none refused", calls, throttled, people)
	}
	if n := busiestSecond(t, sb); n > rate {
		t.Errorf("SES accepted %d messages within one second; the quota is %d", n, rate)
	}
	if min := time.Duration(people/rate-1) * time.Second; took < min {
		t.Errorf("%d messages at %d a second took %v, less than %v", people, rate, took, min)
	}
}

// Throttling that still happens (here: a channel never preflighted, so
// unpaced) is retried until the message goes; the daily quota is not.
func TestSESRetriesTheRateButNotTheDailyQuota(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, sender)
	sesAccount(t, sb, map[string]any{"max_send_rate": 3, "max_24_hour_send": 5})
	ch, err := deliver.New("ses", deliver.Deps{AWS: factoryFor(t, sb).Base(), From: sender})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	for i, err := range deliverAll(t, ch, 5, 5) {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	calls, throttled := sendEmailCalls(t, sb)
	if throttled == 0 || calls != 5+throttled {
		t.Errorf("%d SendEmail calls, %d throttled; want 5 that went and some throttled first", calls, throttled)
	}

	_, err = ch.Deliver(context.Background(), japaneseCredential())
	if !errors.Is(err, deliver.ErrRejected) || !strings.Contains(err.Error(), "Daily message quota exceeded") {
		t.Errorf("over the daily quota: %v, want a rejection", err)
	}
	if again, _ := sendEmailCalls(t, sb); again != calls+1 {
		t.Errorf("over the daily quota: %d SendEmail calls, want 1 (not retried)", again-calls)
	}
}

// In SES's sending sandbox the screen refuses exactly the recipients SES
// would: neither they nor their domain are verified, and they are not SES's
// mailbox simulator.
func TestSESScreensTheSendingSandbox(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, sender)
	verify(t, sb, "verified.example")
	sesAccount(t, sb, map[string]any{"production_access": false})
	ch, err := deliver.New("ses", deliver.Deps{AWS: factoryFor(t, sb).Base(), From: sender})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	ctx := context.Background()
	if err := deliver.Preflight(ctx, ch); err != nil {
		t.Fatal(err)
	}
	recipients := []string{sender, "anyone@verified.example", "stranger@elsewhere.test", "success@simulator.amazonses.com"}
	refusals, err := deliver.Screen(ctx, ch, recipients)
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, r := range refusals {
		refused = append(refused, r.Recipient)
	}
	if !slices.Equal(refused, []string{"stranger@elsewhere.test"}) {
		t.Fatalf("refused %v, want the stranger alone", refusals)
	}
	if !strings.Contains(refusals[0].Reason, "aws sesv2 create-email-identity --email-identity stranger@elsewhere.test --region us-east-1") {
		t.Errorf("the refusal does not say how to verify the address: %s", refusals[0].Reason)
	}
	for _, to := range recipients {
		c := japaneseCredential()
		c.Email = to
		_, err := ch.Deliver(ctx, c)
		if refused := slices.Contains(refused, to); refused != (err != nil) {
			t.Errorf("to %s: screened as refused %v, yet SES says %v", to, refused, err)
		}
	}
	// The sending sandbox's day is 200 recipients, none sent when the
	// preflight read it.
	many := slices.Repeat([]string{sender}, 201)
	if refusals, err := deliver.Screen(ctx, ch, many); err != nil || len(refusals) != 1 || !strings.Contains(refusals[0].Reason, "takes 200 more") {
		t.Errorf("201 messages on a day with 200 left: %v, %v", refusals, err)
	}
}
