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
	if got.OffsetSeconds != (4*time.Hour+time.Minute).Seconds() || time.Until(got.Now) < 4*time.Hour {
		t.Errorf("after advancing 4h1m: %+v", got)
	}
	inspectJSON(t, http.MethodPost, url+"/_sandbox/reset", nil, 200, nil)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/clock", nil, 200, &got)
	if got.OffsetSeconds != 14460 || srv.World().ClockOffset() != 4*time.Hour+time.Minute {
		t.Errorf("reset moved the clock: %+v", got)
	}
	for _, bad := range []string{`{"advance": "-1h"}`, `{"advance": "soon"}`, `{"advanse": "1h"}`} {
		inspectJSON(t, http.MethodPost, url+"/_sandbox/clock", bad, http.StatusBadRequest, nil)
	}
	inspectJSON(t, http.MethodPut, url+"/_sandbox/clock", nil, http.StatusMethodNotAllowed, nil)
	inspectJSON(t, http.MethodDelete, url+"/_sandbox/clock", nil, 200, &got)
	if got.OffsetSeconds != 0 {
		t.Errorf("after DELETE: %+v", got)
	}
}
