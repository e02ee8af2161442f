package identitycenter_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
)

// Onboarding keeps to Identity Center's quotas by construction: the
// sandbox's instance (20 requests/s for identitystore and sso-admin
// together, 15 assignments in flight) never has to throttle it or refuse an
// assignment. With a client bucket as large as the instance's, the two
// emptied together and the first request to arrive ahead of the instance's
// refill was throttled, once a run.
func TestOnboardingKeepsToTheQuotas(t *testing.T) {
	t.Parallel()
	sb, f := startWorld(t)
	d := identitycenter.New(f, quickOptions())
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var emails []string
	for i := range 16 {
		emails = append(emails, fmt.Sprintf("person%02d@example.com", i))
	}
	in := suiteInput(emails...)
	for i := range in.People {
		in.People[i].Deliver = spec.ChannelNone
	}
	sb.SetFaults(t, sandbox.FaultConfig{LatencyMS: 50}) // the requests take a while to arrive, as AWS's do
	sb.Inspect(t, http.MethodPut, "sso-admin/quotas", map[string]any{"requests_per_second": 20}, http.StatusOK, nil)
	deps := onboard.Deps{Directory: d, Journal: j, Concurrency: 16}
	plan, err := onboard.MakePlan(context.Background(), deps, in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := onboard.Apply(context.Background(), deps, plan)
	if err != nil || !rep.OK() {
		t.Fatalf("onboarding: %v %+v", err, rep.Rows)
	}
	var q []struct {
		Stats struct {
			Requests          int `json:"requests"`
			Throttled         int `json:"throttled"`
			RefusedInProgress int `json:"refused_in_progress"`
			PeakInProgress    int `json:"peak_in_progress"`
		} `json:"stats"`
	}
	sb.Get(t, "sso-admin/quotas", &q)
	if s := q[0].Stats; s.Throttled != 0 || s.RefusedInProgress != 0 || s.PeakInProgress > identitycenter.MaxAssignmentsInFlight ||
		s.PeakInProgress == 0 || s.Requests < 16*6 { // each person: CreateUser, CreateGroupMembership, two assignments created and polled
		t.Errorf("the instance's quotas saw %+v: want nothing throttled or refused, at most 15 in flight", s)
	}
}
