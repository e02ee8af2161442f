package identitycenter

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// A user is gatehouse's on the journal's word: recorded as its own, or
// created since gatehouse journaled the intent to create it — not when it is
// older than the intent (someone else's, found when CreateUser said the name
// was taken).
func TestOwnedByTheJournalsWord(t *testing.T) {
	t.Parallel()
	intent := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		known   engine.Known
		created time.Time
		want    bool
	}{
		{"recorded as gatehouse's", engine.Known{Managed: true}, intent.Add(-time.Hour), true},
		{"never journaled", engine.Known{}, intent, false},
		{"created after the intent", engine.Known{Creating: intent}, intent.Add(300 * time.Millisecond), true},
		{"created within the clock skew before it", engine.Known{Creating: intent}, intent.Add(-time.Second), true},
		{"created before the intent", engine.Known{Creating: intent}, intent.Add(-time.Minute), false},
		{"the store gives no creation time", engine.Known{Creating: intent}, time.Time{}, true},
	} {
		if got := owned(tc.known, tc.created); got != tc.want {
			t.Errorf("%s: owned = %v, want %v", tc.name, got, tc.want)
		}
	}
}
