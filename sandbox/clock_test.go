package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestInspectClock(t *testing.T) {
	t.Parallel()
	srv, url := startSandbox(t, Options{})
	var got clockState
	inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", map[string]string{"advance": "4h1m"}, 200, &got)
	if got.OffsetSeconds != (4*time.Hour+time.Minute).Seconds() || time.Until(got.Now) < 4*time.Hour || got.Frozen {
		t.Errorf("after advancing 4h1m: %+v", got)
	}
	inspectJSON(t, http.MethodPost, url+"/_sandbox/reset", nil, 200, nil)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/clock", nil, 200, &got)
	if offset, _ := srv.World().ClockOffset(); got.OffsetSeconds != 14460 || offset != 4*time.Hour+time.Minute {
		t.Errorf("reset moved the clock: %+v", got)
	}
	for _, bad := range []string{`{"advance": "-1h"}`, `{"advance": "soon"}`, `{"advanse": "1h"}`, `{}`} {
		inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", bad, http.StatusBadRequest, nil)
	}
	inspectJSON(t, http.MethodPut, url+"/_sandbox/clock", nil, http.StatusMethodNotAllowed, nil)
	inspectJSON(t, http.MethodDelete, url+"/_sandbox/clock", nil, 200, &got)
	if got.OffsetSeconds != 0 || got.Frozen {
		t.Errorf("after DELETE: %+v", got)
	}
}

func TestInspectClockFreezes(t *testing.T) {
	t.Parallel()
	srv, url := startSandbox(t, Options{})
	var stopped, later clockState
	inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", `{"freeze": true}`, 200, &stopped)
	time.Sleep(20 * time.Millisecond)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/clock", nil, 200, &later)
	if !stopped.Frozen || !later.Now.Equal(stopped.Now) {
		t.Errorf("a stopped clock moved: %+v then %+v", stopped, later)
	}
	inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", `{"advance": "1s"}`, 200, &later)
	if later.Now.Sub(stopped.Now) != time.Second {
		t.Errorf("advancing a stopped clock by 1s: %+v then %+v", stopped, later)
	}
	inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", `{"freeze": false}`, 200, &later)
	if now := srv.World().Now(); later.Frozen || now.Before(stopped.Now.Add(time.Second)) {
		t.Errorf("a started clock went back: stopped at %v, now %v", stopped.Now, now)
	}
}
