package ses

import (
	"strconv"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// The account's sending status as SESv2's GetAccount and v1's GetSendQuota
// report it, per region.

// sendQuotaJSON is SESv2's SendQuota.
type sendQuotaJSON struct {
	Max24HourSend   float64
	MaxSendRate     float64
	SentLast24Hours float64
}

type suppressionJSON struct {
	SuppressedReasons []string
}

// getAccountResponse is GetAccountResponse. Details are left out: they exist
// once someone has asked AWS for production access, which the sandbox grants
// through its fixture instead.
type getAccountResponse struct {
	DedicatedIpAutoWarmupEnabled bool
	EnforcementStatus            string
	ProductionAccessEnabled      bool
	SendQuota                    sendQuotaJSON
	SendingEnabled               bool
	SuppressionAttributes        suppressionJSON
}

// sendingStatus is the caller's quota and what it sent in the last day, in the
// request's region.
func sendingStatus(r *awsproto.Request) (quota, int) {
	a := slot.Of(r.World.LookupAccount(r.Caller.Account))
	return a.Sending.effective(), a.Sent[r.Region].sentLast24Hours(r.World.Now())
}

func getAccount(r *awsproto.Request) (any, error) {
	q, sent := sendingStatus(r)
	return getAccountResponse{
		DedicatedIpAutoWarmupEnabled: true,
		EnforcementStatus:            "HEALTHY",
		ProductionAccessEnabled:      q.production,
		SendQuota:                    sendQuotaJSON{Max24HourSend: q.daily, MaxSendRate: q.rate, SentLast24Hours: float64(sent)},
		SendingEnabled:               true,
		SuppressionAttributes:        suppressionJSON{SuppressedReasons: []string{"BOUNCE", "COMPLAINT"}},
	}, nil
}

// xmlDouble is a double in Query XML, written as AWS writes it (200.0).
type xmlDouble float64

func (d xmlDouble) MarshalText() ([]byte, error) {
	s := strconv.FormatFloat(float64(d), 'f', -1, 64)
	if _, err := strconv.Atoi(s); err == nil {
		s += ".0"
	}
	return []byte(s), nil
}

type getSendQuotaResult struct {
	Max24HourSend   xmlDouble
	MaxSendRate     xmlDouble
	SentLast24Hours xmlDouble
}

func getSendQuota(r *awsproto.Request) (any, error) {
	q, sent := sendingStatus(r)
	return getSendQuotaResult{Max24HourSend: xmlDouble(q.daily), MaxSendRate: xmlDouble(q.rate), SentLast24Hours: xmlDouble(sent)}, nil
}
