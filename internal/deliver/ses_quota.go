package deliver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// SES's sending quota and its sending sandbox, as the ses channel meets
// them. The preflight reads the sending account's quota once (GetAccount)
// and paces SendEmail to its maximum send rate; a run's plan asks the
// channel (Screen) whether SES would take every message it is about to send:
// enough of the daily quota left, and, while the account is in SES's
// sending sandbox, only verified recipients.

// sendHoldMargin is added to the second a message holds its place in the
// send window (see sendWindow): timers fire late, never early, but the
// sender's and SES's clocks are two clocks.
const sendHoldMargin = 50 * time.Millisecond

// quotaMaxAge is how old a reading of the quota may be when a run is
// screened: a worker that runs for days sees its own mail, and others',
// move in and out of the last 24 hours.
const quotaMaxAge = time.Minute

// simulatorDomain is SES's mailbox simulator, which the sending sandbox
// lets anyone mail without verifying it.
const simulatorDomain = "simulator.amazonses.com"

// accountAPI is the part of SESv2 the quota and the sending sandbox's
// check call.
type accountAPI interface {
	GetAccount(ctx context.Context, in *sesv2.GetAccountInput, optFns ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
	ListEmailIdentities(ctx context.Context, in *sesv2.ListEmailIdentitiesInput, optFns ...func(*sesv2.Options)) (*sesv2.ListEmailIdentitiesOutput, error)
}

var _ accountAPI = (*sesv2.Client)(nil)

// sesQuota is the sending account's status in the channel's region.
type sesQuota struct {
	read        time.Time
	production  bool    // ProductionAccessEnabled: false is the sending sandbox
	maxSendRate float64 // recipients a second
	max24Hours  float64 // recipients in 24 hours; negative: no quota
	sent24Hours float64
}

// left is how many recipients the day's quota still takes; ok is false
// when there is no daily quota.
func (q *sesQuota) left() (n float64, ok bool) {
	if q.max24Hours < 0 {
		return 0, false
	}
	return max(0, q.max24Hours-q.sent24Hours), true
}

// readQuota asks SES for the account's quota and paces SendEmail below its
// rate. A caller without permission to read it (ses:GetAccount) sends
// unpaced and unscreened: SES's own answers will say.
func (s *sesChannel) readQuota(ctx context.Context) error {
	out, err := s.account.GetAccount(ctx, &sesv2.GetAccountInput{})
	if accessDenied(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the SES sending quota in %s: %w", s.region, err)
	}
	if !out.SendingEnabled {
		return reject(fmt.Errorf("reading the SES sending quota in %s: sending is paused for the account (SendingEnabled is false, enforcement status %s): "+
			"see the SES console's account dashboard", s.region, aws.ToString(out.EnforcementStatus)))
	}
	if out.SendQuota == nil {
		return nil
	}
	q := &sesQuota{read: time.Now(), production: out.ProductionAccessEnabled, maxSendRate: out.SendQuota.MaxSendRate,
		max24Hours: out.SendQuota.Max24HourSend, sent24Hours: out.SendQuota.SentLast24Hours}
	s.mu.Lock()
	first := s.quota == nil
	s.quota = q
	if first && q.maxSendRate > 0 {
		s.window = newSendWindow(q.maxSendRate)
	}
	s.mu.Unlock()
	if first && s.limit != nil && q.maxSendRate > 0 {
		// Evenly spread, a burst of one: tokens saved up while the plan
		// ran would leave together.
		s.limit(sesv2.ServiceID, q.maxSendRate, 1)
	}
	return nil
}

// currentQuota is the quota, read again when the last reading is old; nil
// when SES would not tell.
func (s *sesChannel) currentQuota(ctx context.Context) (*sesQuota, error) {
	s.mu.Lock()
	q := s.quota
	s.mu.Unlock()
	if q != nil && time.Since(q.read) < quotaMaxAge {
		return q, nil
	}
	if err := s.readQuota(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quota, nil
}

// Screen checks the run's messages, one recipient each, against what SES
// will take: the rest of the day's quota and, in SES's sending sandbox,
// verified recipients only. Before the preflight, or when SES would not say,
// it finds nothing.
func (s *sesChannel) Screen(ctx context.Context, recipients []string) ([]Refusal, error) {
	if s.account == nil || len(recipients) == 0 {
		return nil, nil
	}
	q, err := s.currentQuota(ctx)
	if err != nil || q == nil {
		return nil, err
	}
	var out []Refusal
	if left, ok := q.left(); ok && float64(len(recipients)) > left {
		out = append(out, Refusal{Reason: fmt.Sprintf("the run would send %d message(s) through SES in %s, and the sending account's daily quota takes %s more "+
			"(Max24HourSend %s, SentLast24Hours %s): onboard fewer people at a time, wait for earlier mail to be 24 hours old, "+
			"or ask AWS for a higher sending quota (Service Quotas: Amazon Simple Email Service, Sending quota)",
			len(recipients), s.region, count(left), count(q.max24Hours), count(q.sent24Hours))})
	}
	if q.production {
		return out, nil
	}
	unverified, err := s.unverified(ctx, recipients)
	if err != nil {
		return nil, err
	}
	for _, r := range unverified {
		out = append(out, Refusal{Recipient: r, Reason: fmt.Sprintf("SES in %s is in its sending sandbox, where only verified addresses and domains receive mail: "+
			"verify the address (aws sesv2 create-email-identity --email-identity %s --region %s, then its owner follows the link SES mails) "+
			"or its domain, or request production access for the sending account (SES console: Get set up)",
			s.region, r, s.region)})
	}
	return out, nil
}

// unverified are the recipients, each once, that are not a verified
// identity in the region, nor is their domain (SES's mailbox simulator
// needs neither). A caller who may not list identities is let through.
func (s *sesChannel) unverified(ctx context.Context, recipients []string) ([]string, error) {
	verified := map[string]bool{}
	pages := sesv2.NewListEmailIdentitiesPaginator(s.account, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if accessDenied(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the SES identities in %s (the sending sandbox's recipients must be among them): %w", s.region, err)
		}
		for _, id := range page.EmailIdentities {
			if id.VerificationStatus == types.VerificationStatusSuccess || id.SendingEnabled {
				verified[strings.ToLower(aws.ToString(id.IdentityName))] = true
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range recipients {
		addr := strings.ToLower(r)
		domain := addr[strings.LastIndex(addr, "@")+1:]
		if seen[addr] || verified[addr] || verified[domain] || domain == simulatorDomain {
			continue
		}
		seen[addr] = true
		out = append(out, r)
	}
	slices.Sort(out)
	return out, nil
}

// accessDenied reports whether err is AWS refusing the caller permission.
func accessDenied(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && strings.Contains(apiErr.ErrorCode(), "AccessDenied")
}

// count writes a quota's number as a count ("200", not "200.000000").
func count(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%g", f)
}

// sendWindow keeps SES's maximum send rate whatever the delays between the
// sender and SES. SES counts the messages that arrive in each second; a
// rate limiter spaces the sends, but a message that leaves on time can
// arrive right behind one that left late (a busy machine, a new
// connection), and the two then share a second. So each message holds one
// of ⌊rate⌋ places from before it is sent until a second after SES
// answered it: every message SES counted in a second held its place at the
// last arrival of that second, so no second sees more than ⌊rate⌋.
type sendWindow struct {
	places chan struct{}
	hold   time.Duration
}

func newSendWindow(rate float64) *sendWindow {
	n := max(1, int(math.Floor(rate)))
	hold := max(time.Second, time.Duration(float64(n)/rate*float64(time.Second)))
	return &sendWindow{places: make(chan struct{}, n), hold: hold + sendHoldMargin}
}

// enter waits for a place, or for ctx to end.
func (w *sendWindow) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case w.places <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave gives the place back once SES's second for the message is over;
// call it when the answer came.
func (w *sendWindow) leave() {
	time.AfterFunc(w.hold, func() { <-w.places })
}
