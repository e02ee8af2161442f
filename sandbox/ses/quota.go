package ses

import (
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// SES's sending quotas and its sending sandbox. An account either has
// production access or is in the sending sandbox, where every recipient must
// be a verified identity too. Either way it may send at most MaxSendRate
// recipients in any one second and Max24HourSend in any 24 hours, counted per
// region as AWS counts them (recipients, not messages). The sandbox holds the
// rate strictly in every second, where AWS tolerates short bursts — a client
// that never exceeds it here never trips it there — except that one message
// to more recipients than the rate goes when it is the second's first.

// Defaults. An account with production access gets a quota nothing in a test
// reaches (gatehouse's tests send through SES unthrottled); one in the sending
// sandbox gets AWS's sandbox quota of 200 messages a day, one a second.
const (
	productionSendRate = 1000
	production24Hours  = 1_000_000
	sandboxSendRate    = 1
	sandbox24Hours     = 200
	unlimited24Hours   = -1 // Max24HourSend's "no quota", as AWS reports it
)

// sendingSettings is how an account's SES may send, in every region (AWS sets
// it per region; the sandbox's fixtures and hook set one for all). A nil field
// takes the default for the account's production access.
type sendingSettings struct {
	ProductionAccess *bool    `json:"production_access,omitempty"`
	MaxSendRate      *float64 `json:"max_send_rate,omitempty"`
	Max24HourSend    *float64 `json:"max_24_hour_send,omitempty"`
}

// check says what is wrong with the settings, or "".
func (s *sendingSettings) check() string {
	switch {
	case s.MaxSendRate != nil && (*s.MaxSendRate < 1 || *s.MaxSendRate > 100_000):
		return "max_send_rate must be from 1 to 100000 messages a second"
	case s.Max24HourSend != nil && *s.Max24HourSend != unlimited24Hours && (*s.Max24HourSend < 1 || *s.Max24HourSend > 100_000_000):
		return "max_24_hour_send must be from 1 to 100000000 messages, or -1 for no quota"
	}
	return ""
}

// quota is an account's effective sending status.
type quota struct {
	production bool
	rate       float64
	daily      float64 // unlimited24Hours for no quota
}

func (s *sendingSettings) effective() quota {
	q := quota{production: true, rate: productionSendRate, daily: production24Hours}
	if s == nil {
		return q
	}
	if s.ProductionAccess != nil && !*s.ProductionAccess {
		q = quota{production: false, rate: sandboxSendRate, daily: sandbox24Hours}
	}
	if s.MaxSendRate != nil {
		q.rate = *s.MaxSendRate
	}
	if s.Max24HourSend != nil {
		q.daily = *s.Max24HourSend
	}
	return q
}

// sendLog is what an account sent in one region, for its quotas: the sends of
// the last second, exactly, and recipients per minute over the last day (so
// a day of sending stays small in snapshots).
type sendLog struct {
	Recent  []sendMark `json:"recent,omitempty"`
	Minutes []sendMark `json:"minutes,omitempty"`
}

// sendMark is a number of recipients sent at (or in the minute starting at) At.
type sendMark struct {
	At         time.Time `json:"at"`
	Recipients int       `json:"recipients"`
}

// prune drops what no longer counts at now.
func (l *sendLog) prune(now time.Time) {
	keep := func(marks []sendMark, window time.Duration, width time.Duration) []sendMark {
		i := 0
		for i < len(marks) && !marks[i].At.Add(width).After(now.Add(-window)) {
			i++
		}
		return marks[i:]
	}
	l.Recent = keep(l.Recent, time.Second, 0)
	l.Minutes = keep(l.Minutes, 24*time.Hour, time.Minute)
}

func sum(marks []sendMark) (n int) {
	for _, m := range marks {
		n += m.Recipients
	}
	return n
}

// sentLast24Hours counts the recipients sent in the last day (to the minute).
func (l *sendLog) sentLast24Hours(now time.Time) int {
	if l == nil {
		return 0
	}
	cp := *l
	cp.prune(now)
	return sum(cp.Minutes)
}

// admit checks a message to n recipients against the account's quotas in the
// request's region and, when it may go, counts it. It runs after every other
// check, so only messages SES accepts count.
func (d dialect) admit(r *awsproto.Request, n int) error {
	a := slot.Of(r.Account())
	q := a.Sending.effective()
	now := r.World.Now()
	l := a.Sent[r.Region]
	if l == nil {
		l = &sendLog{}
		a.Sent[r.Region] = l
	}
	l.prune(now)
	if q.daily != unlimited24Hours && float64(sum(l.Minutes)+n) > q.daily {
		return d.overQuota("Daily message quota exceeded.")
	}
	// A message to more recipients than the rate still goes when nothing else
	// went this second: SES allows short bursts, and would not refuse it forever.
	if recent := sum(l.Recent); recent > 0 && float64(recent+n) > q.rate {
		return d.throttled("Maximum sending rate exceeded.")
	}
	l.Recent = append(l.Recent, sendMark{At: now, Recipients: n})
	minute := now.Truncate(time.Minute)
	if last := len(l.Minutes) - 1; last >= 0 && l.Minutes[last].At.Equal(minute) {
		l.Minutes[last].Recipients += n
	} else {
		l.Minutes = append(l.Minutes, sendMark{At: minute, Recipients: n})
	}
	return nil
}

// simulatorDomain is SES's mailbox simulator: its addresses may be sent to
// from the sending sandbox without being verified.
const simulatorDomain = "@simulator.amazonses.com"

// identitiesToVerify are the senders, and in the sending sandbox also the
// recipients, that must be verified identities for a message to go.
func identitiesToVerify(r *awsproto.Request, senders, recipients []string) []string {
	if slot.Of(r.World.LookupAccount(r.Caller.Account)).Sending.effective().production {
		return senders
	}
	out := append([]string{}, senders...)
	for _, rcpt := range recipients {
		if !strings.HasSuffix(strings.ToLower(rcpt), simulatorDomain) {
			out = append(out, rcpt)
		}
	}
	return out
}

// SES's quota errors: v1 answers both as Throttling (HTTP 400), v2 the rate as
// TooManyRequestsException (429) and the daily quota as LimitExceededException.
func throttlingV1(msg string) error {
	return awsproto.Errorf(http.StatusBadRequest, "Throttling", "%s", msg)
}

func tooManyRequests(msg string) error {
	return awsproto.Errorf(http.StatusTooManyRequests, "TooManyRequestsException", "%s", msg)
}

func limitExceeded(msg string) error {
	return awsproto.Errorf(http.StatusBadRequest, "LimitExceededException", "%s", msg)
}
