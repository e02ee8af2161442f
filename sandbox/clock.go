package sandbox

import (
	"net/http"
	"time"
)

// clockState is what /_sandbox/clock answers: the world's time, how far it is
// from real time, and whether it is stopped.
type clockState struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"`
	Frozen        bool      `json:"frozen"`
}

// clockChange is the body of POST /_sandbox/clock: advance by a Go duration
// ("4h1m"), and stop (true) or start (false) the clock.
type clockChange struct {
	Advance string `json:"advance"`
	Freeze  *bool  `json:"freeze"`
}

// inspectClock serves /_sandbox/clock: GET reads the world's clock, POST stops,
// starts or moves it forward, DELETE puts it back to real time. The clock is a
// setting of the server, as faults are: reset and fixtures leave it alone.
func (s *Server) inspectClock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var in clockChange
		if !decodeInspect(w, r, &in) {
			return
		}
		if !s.changeClock(w, in) {
			return
		}
	case http.MethodDelete:
		s.world.ResetClock()
	default:
		writeInspectError(w, http.StatusMethodNotAllowed, "use GET, POST or DELETE")
		return
	}
	offset, frozen := s.world.ClockOffset()
	writeJSON(w, http.StatusOK, clockState{Now: s.world.Now(), OffsetSeconds: offset.Seconds(), Frozen: frozen})
}

// changeClock applies a POST, or answers why it cannot.
func (s *Server) changeClock(w http.ResponseWriter, in clockChange) bool {
	if in.Advance == "" && in.Freeze == nil {
		writeInspectError(w, http.StatusBadRequest, `send "advance" (a duration such as "4h1m") and/or "freeze" (true or false)`)
		return false
	}
	var d time.Duration
	if in.Advance != "" {
		var err error
		if d, err = time.ParseDuration(in.Advance); err != nil {
			writeInspectError(w, http.StatusBadRequest, `advance must be a duration such as "4h1m" or "25h": `+err.Error())
			return false
		}
	}
	if err := s.world.AdvanceClock(d); err != nil {
		writeInspectError(w, http.StatusBadRequest, err.Error())
		return false
	}
	if in.Freeze != nil {
		s.world.FreezeClock(*in.Freeze)
	}
	return true
}
