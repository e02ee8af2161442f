package ses

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// hooks are SES's endpoints in the inspection API: the mail it sent, which
// tests read instead of an inbox.
func hooks() []service.Hook {
	return []service.Hook{
		{Method: http.MethodGet, Path: "ses/messages", Handle: listMessages},
		{Method: http.MethodDelete, Path: "ses/messages", Writes: true, Handle: clearMessages},
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
