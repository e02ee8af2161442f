package eventbridge

import (
	"net/http"
	"sort"

	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// hooks add GET /_sandbox/events: the events put on buses lately (the last
// 100 per account), with the rules each matched and the targets it could
// not reach, for tests and for seeing why a rule did not fire.
func hooks() []service.Hook {
	return []service.Hook{{Method: http.MethodGet, Path: "events", Handle: listEvents}}
}

// listEvents answers {"events": [...]}, oldest first, filtered by ?account=
// and ?source=.
func listEvents(w *state.World, in *service.HookRequest) (any, error) {
	account, source := in.Query.Get("account"), in.Query.Get("source")
	out := []*eventstate.Put{}
	for id, a := range w.Accounts {
		if account != "" && id != account {
			continue
		}
		for _, p := range eventstate.Slot.Of(a).Recent {
			if source == "" || p.Event.Source == source {
				out = append(out, p)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event.Time < out[j].Event.Time })
	return map[string]any{"events": out}, nil
}
