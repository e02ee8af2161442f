package sandbox

import (
	"net/http"
	"time"
)

// clockState is what GET /_sandbox/clock answers: the world's time and how
// far it runs ahead of real time.
type clockState struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

// clockAdvance is the body of POST /_sandbox/clock: a Go duration ("4h1m").
type clockAdvance struct {
	Advance string `json:"advance"`
}

// inspectClock serves /_sandbox/clock: GET reads the world's clock, POST moves
// it forward, DELETE puts it back to real time. The clock is a setting of the
// server, as faults are: reset and fixtures leave it alone.
func (s *Server) inspectClock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var in clockAdvance
		if !decodeInspect(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Advance)
		if err != nil {
			writeInspectError(w, http.StatusBadRequest, `advance must be a duration such as "4h1m" or "25h": `+err.Error())
			return
		}
		if err := s.world.AdvanceClock(d); err != nil {
			writeInspectError(w, http.StatusBadRequest, err.Error())
			return
		}
	case http.MethodDelete:
		s.world.ResetClock()
	default:
		writeInspectError(w, http.StatusMethodNotAllowed, "use GET, POST or DELETE")
		return
	}
	writeJSON(w, http.StatusOK, clockState{Now: s.world.Now(), OffsetSeconds: s.world.ClockOffset().Seconds()})
}
