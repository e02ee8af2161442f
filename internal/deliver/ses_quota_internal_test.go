package deliver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// fakeAccount answers GetAccount and ListEmailIdentities and records the calls.
type fakeAccount struct {
	account    *sesv2.GetAccountOutput
	accountErr error
	identities []types.IdentityInfo // listed two to a page
	calls      []string
}

func (f *fakeAccount) GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error) {
	f.calls = append(f.calls, "GetAccount")
	return f.account, f.accountErr
}

func (f *fakeAccount) ListEmailIdentities(_ context.Context, in *sesv2.ListEmailIdentitiesInput, _ ...func(*sesv2.Options)) (*sesv2.ListEmailIdentitiesOutput, error) {
	f.calls = append(f.calls, "ListEmailIdentities")
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(start+2, len(f.identities))
	out := &sesv2.ListEmailIdentitiesOutput{EmailIdentities: f.identities[start:end]}
	if end < len(f.identities) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func account(production bool, rate, daily, sent float64) *sesv2.GetAccountOutput {
	return &sesv2.GetAccountOutput{SendingEnabled: true, ProductionAccessEnabled: production,
		SendQuota: &types.SendQuota{MaxSendRate: rate, Max24HourSend: daily, SentLast24Hours: sent}}
}

func identity(name string, status types.VerificationStatus) types.IdentityInfo {
	return types.IdentityInfo{IdentityName: aws.String(name), VerificationStatus: status, SendingEnabled: status == types.VerificationStatusSuccess}
}

// limitCall is one call of Deps.Limit.
type limitCall struct {
	service string
	rate    float64
	burst   int
}

func quotaChannel(t *testing.T, fake *fakeAccount) (*sesChannel, *[]limitCall) {
	t.Helper()
	var calls []limitCall
	ch, _ := newFakeSES(t, Deps{From: "ops@example.com", Limit: func(service string, perSecond float64, burst int) {
		calls = append(calls, limitCall{service, perSecond, burst})
	}}, nil)
	ch.account = fake
	return ch, &calls
}

// The preflight reads the quota once and fixes SES's limiter at the
// account's send rate with a burst of one.
func TestSESQuotaPacesTheAccountsSESLimiter(t *testing.T) {
	t.Parallel()
	fake := &fakeAccount{account: account(true, 14, 50000, 0)}
	ch, limits := quotaChannel(t, fake)
	ctx := context.Background()
	if err := ch.readQuota(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []limitCall{{"SESv2", 14, 1}}; !slices.Equal(*limits, want) {
		t.Errorf("Limit calls %v, want %v", *limits, want)
	}
	if ch.window == nil || cap(ch.window.places) != 14 {
		t.Errorf("send window %+v, want 14 places", ch.window)
	}
	if _, err := ch.Screen(ctx, []string{"a@example.com"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fake.calls, []string{"GetAccount"}) {
		t.Errorf("calls %v: a fresh reading is used, and production access needs no identities", fake.calls)
	}
}

func TestSESScreensQuotaAndSendingSandbox(t *testing.T) {
	t.Parallel()
	ids := []types.IdentityInfo{
		identity("ops@example.com", types.VerificationStatusSuccess),
		identity("Verified.Example", types.VerificationStatusSuccess),
		identity("pending.example", types.VerificationStatusPending),
		identity("carol@pending.example", types.VerificationStatusSuccess),
		identity("failed@example.org", types.VerificationStatusFailed),
	}
	recipients := []string{"ops@example.com", "bob@verified.example", "Carol@pending.example", "dave@pending.example",
		"failed@example.org", "success@simulator.amazonses.com", "dave@pending.example"}
	for _, tt := range []struct {
		name       string
		account    *sesv2.GetAccountOutput
		unverified []string
		daily      string
	}{
		{"production access", account(true, 14, 50000, 100), nil, ""},
		{"production access, no daily quota", account(true, 14, -1, 1e9), nil, ""},
		{"production access, over the day", account(true, 14, 100, 94), nil, "would send 7 message(s) through SES in eu-west-1, and the sending account's daily quota takes 6 more (Max24HourSend 100, SentLast24Hours 94)"},
		{"sending sandbox", account(false, 1, 200, 0), []string{"dave@pending.example", "failed@example.org"}, ""},
		{"sending sandbox, over the day", account(false, 1, 200, 199), []string{"dave@pending.example", "failed@example.org"}, "takes 1 more (Max24HourSend 200, SentLast24Hours 199)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, _ := quotaChannel(t, &fakeAccount{account: tt.account, identities: ids})
			refusals, err := ch.Screen(context.Background(), recipients)
			if err != nil {
				t.Fatal(err)
			}
			var unverified []string
			daily := ""
			for _, r := range refusals {
				switch {
				case r.Recipient == "":
					daily = r.Reason
				case !strings.Contains(r.Reason, "aws sesv2 create-email-identity --email-identity "+r.Recipient+" --region eu-west-1") ||
					!strings.Contains(r.Reason, "production access"):
					t.Errorf("refusal of %s does not say how to fix it: %s", r.Recipient, r.Reason)
					fallthrough
				default:
					unverified = append(unverified, r.Recipient)
				}
			}
			if !slices.Equal(unverified, tt.unverified) {
				t.Errorf("unverified recipients %v, want %v", unverified, tt.unverified)
			}
			if (tt.daily == "") != (daily == "") || !strings.Contains(daily, tt.daily) {
				t.Errorf("daily quota refusal %q, want one with %q", daily, tt.daily)
			}
		})
	}
}

// A caller that may not read the quota sends unpaced and unscreened; an
// account whose sending is paused stops the run.
func TestSESQuotaUnreadableOrPaused(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ses:GetAccount"}
	ch, limits := quotaChannel(t, &fakeAccount{accountErr: denied})
	if err := ch.readQuota(context.Background()); err != nil || len(*limits) != 0 || ch.window != nil {
		t.Errorf("access denied: err %v, limits %v, window %v; want nothing", err, *limits, ch.window)
	}
	if refusals, err := ch.Screen(context.Background(), []string{"x@example.com"}); err != nil || len(refusals) != 0 {
		t.Errorf("access denied: Screen = %v, %v; want nothing", refusals, err)
	}

	paused := account(true, 14, 50000, 0)
	paused.SendingEnabled, paused.EnforcementStatus = false, aws.String("SHUTDOWN")
	ch, _ = quotaChannel(t, &fakeAccount{account: paused})
	err := ch.readQuota(context.Background())
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "SendingEnabled is false") || !strings.Contains(err.Error(), "SHUTDOWN") {
		t.Errorf("paused sending: %v", err)
	}

	broken := errors.New("connection refused")
	ch, _ = quotaChannel(t, &fakeAccount{accountErr: broken})
	if err := ch.readQuota(context.Background()); !errors.Is(err, broken) || errors.Is(err, ErrRejected) {
		t.Errorf("unreachable SES: %v, want the error, retryable", err)
	}
}

// The daily quota is final; the rate is not: SDK's retryer retries the one
// and not the other, and the channel rejects only the first.
func TestSESQuotaErrors(t *testing.T) {
	t.Parallel()
	daily := &types.LimitExceededException{Message: aws.String("Daily message quota exceeded.")}
	rate := &types.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}
	retryer := dailyQuotaIsFinal{aws.NopRetryer{}}
	if retryer.IsErrorRetryable(daily) {
		t.Error("the daily quota is retried")
	}
	for _, tt := range []struct {
		err      error
		rejected bool
		want     string
	}{
		{daily, true, "daily SES quota (Max24HourSend) in eu-west-1 is used up"},
		{rate, false, "another sender is using the account's sending rate"},
	} {
		ch, _ := newFakeSES(t, Deps{From: "ops@example.com"}, func(*sesv2.SendEmailInput) (*sesv2.SendEmailOutput, error) { return nil, tt.err })
		_, err := ch.Deliver(context.Background(), testCredential(""))
		if errors.Is(err, ErrRejected) != tt.rejected || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: %v (rejected %v), want rejected %v with %q", tt.err, err, errors.Is(err, ErrRejected), tt.rejected, tt.want)
		}
	}
}

// However late each message arrives between being sent and answered, no
// second of arrivals holds more than the rate.
func TestSendWindowKeepsEverySecondWithinTheRate(t *testing.T) {
	t.Parallel()
	const rate, messages = 20, 60
	w := newSendWindow(rate)
	var (
		mu       sync.Mutex
		arrivals []time.Time
		wg       sync.WaitGroup
	)
	start := time.Now()
	for i := range messages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.enter(context.Background()); err != nil {
				t.Error(err)
				return
			}
			defer w.leave()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			// Leaves after up to 200 ms, arrives somewhere in the call, is answered up to 100 ms later.
			time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
		}()
	}
	wg.Wait()
	if n := busiestSecond(arrivals); n > rate {
		t.Errorf("%d arrivals within one second, want at most %d", n, rate)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("%d messages at %d a second took %v", messages, rate, took)
	}
}

// busiestSecond is the most times that fall within one second of each other.
func busiestSecond(ts []time.Time) int {
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

func TestNewSendWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rate   float64
		places int
		hold   time.Duration
	}{
		{14, 14, time.Second}, {1, 1, time.Second}, {2.5, 2, time.Second}, {0.5, 1, 2 * time.Second},
	} {
		w := newSendWindow(tt.rate)
		if cap(w.places) != tt.places || w.hold != tt.hold+sendHoldMargin {
			t.Errorf("rate %v: %d places held %v, want %d held %v", tt.rate, cap(w.places), w.hold, tt.places, tt.hold+sendHoldMargin)
		}
	}
}
