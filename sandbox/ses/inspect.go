package ses

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// hooks are SES's endpoints in the inspection API: the mail it sent, which
// tests read instead of an inbox, and the account's sending status, which AWS
// changes only through a support case.
func hooks() []service.Hook {
	return []service.Hook{
		{Method: http.MethodGet, Path: "ses/messages", Handle: listMessages},
		{Method: http.MethodDelete, Path: "ses/messages", Writes: true, Handle: clearMessages},
		{Method: http.MethodPost, Path: "ses/account", Writes: true, Handle: setSending},
	}
}

// listMessages returns the sent messages, filtered by ?account= and ?to=.
func listMessages(w *state.World, in *service.HookRequest) (any, error) {
	account, to := in.Query.Get("account"), strings.ToLower(in.Query.Get("to"))
	out := []*state.Message{}
	for _, m := range w.Mail {
		if (account == "" || m.Account == account) && (to == "" || slices.ContainsFunc(m.Destinations, func(d string) bool { return strings.EqualFold(d, to) })) {
			out = append(out, m)
		}
	}
	return map[string]any{"messages": out}, nil
}

func clearMessages(w *state.World, _ *service.HookRequest) (any, error) {
	w.Mail = nil
	return map[string]string{"status": "cleared"}, nil
}

// sendingUpdate is the body of POST /_sandbox/ses/account: the fields given
// change, the others stay.
type sendingUpdate struct {
	Account string `json:"account"`
	sendingSettings
}

// sendingView is the account's effective sending status.
type sendingView struct {
	Account          string  `json:"account"`
	ProductionAccess bool    `json:"production_access"`
	MaxSendRate      float64 `json:"max_send_rate"`
	Max24HourSend    float64 `json:"max_24_hour_send"`
}

// setSending grants or withdraws production access and sets the quotas.
func setSending(w *state.World, in *service.HookRequest) (any, error) {
	var req sendingUpdate
	if err := in.Decode(&req); err != nil {
		return nil, err
	}
	if req.Account == "" {
		req.Account = state.DefaultAccount
	}
	if !state.IsAccountID(req.Account) {
		return nil, service.HookErrorf(http.StatusBadRequest, "account must be 12 digits")
	}
	if problem := req.check(); problem != "" {
		return nil, service.HookErrorf(http.StatusBadRequest, "%s", problem)
	}
	a := slot.Of(w.Account(req.Account))
	if a.Sending == nil {
		a.Sending = &sendingSettings{}
	}
	if req.ProductionAccess != nil {
		a.Sending.ProductionAccess = req.ProductionAccess
	}
	if req.MaxSendRate != nil {
		a.Sending.MaxSendRate = req.MaxSendRate
	}
	if req.Max24HourSend != nil {
		a.Sending.Max24HourSend = req.Max24HourSend
	}
	q := a.Sending.effective()
	return sendingView{Account: req.Account, ProductionAccess: q.production, MaxSendRate: q.rate, Max24HourSend: q.daily}, nil
}
