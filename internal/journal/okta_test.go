package journal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

var oktaT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func oktaEvent(uuid, subject, change, source string, published time.Duration) OktaEvent {
	return OktaEvent{UUID: uuid, Subject: subject, Kind: OktaKindEvent, Type: "test." + change, Published: oktaT0.Add(published),
		Login: subject + "@example.com", DisplayName: "Ada Lovelace", Change: change, Source: source}
}

// An event is stored once; a repeat of its uuid changes nothing. A change
// older than its register's is kept as ignored, superseded, whichever came
// first — so a leave that arrives before its join leaves the person out.
func TestRecordOktaEventsDeduplicatesAndOrders(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx := context.Background()
	record := func(events ...OktaEvent) OktaIntake {
		t.Helper()
		in, err := j.RecordOktaEvents(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	leave := oktaEvent("e2", "00u1", OktaLeave, "app:aws", 2*time.Second)
	join := oktaEvent("e1", "00u1", OktaJoin, "app:aws", time.Second)
	if got := record(leave, leave); got != (OktaIntake{Stored: 1, Duplicates: 1, Pending: 1}) {
		t.Errorf("first delivery: %+v", got)
	}
	if got := record(join); got != (OktaIntake{Stored: 1}) {
		t.Errorf("the older join, late: %+v, want stored and not pending", got)
	}
	if got := record(join, leave); got != (OktaIntake{Duplicates: 2}) {
		t.Errorf("a replay: %+v, want only duplicates", got)
	}
	s := claimOkta(t, j, "w1")
	if len(s.Memberships) != 1 || s.Memberships[0].Member {
		t.Errorf("memberships %+v, want app:aws left", s.Memberships)
	}
	if !slices.Equal(s.Events, []string{"e2"}) {
		t.Errorf("pending events %v, want e2 alone", s.Events)
	}
	events, err := j.OktaEvents(ctx, OktaFilter{States: []string{OktaIgnored}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].UUID != "e1" || events[0].Detail == "" {
		t.Errorf("ignored events %+v, want e1, superseded", events)
	}

	// Status changes are ordered the same way; an event the same instant
	// is ordered by uuid, so both orders of arrival end alike.
	record(oktaEvent("s2", "00u2", OktaSuspended, "", time.Second), oktaEvent("s1", "00u2", OktaDeactivated, "", time.Second))
	record(oktaEvent("s0", "00u2", OktaActive, "", 0))
	if err := j.FinishOktaSubject(ctx, "w1", s, OktaResult{State: OktaDone}); err != nil {
		t.Fatal(err)
	}
	s = claimOkta(t, j, "w1")
	if s.Subject != "00u2" || s.Status != OktaSuspended || !slices.Equal(s.Events, []string{"s2"}) {
		t.Errorf("subject %+v, want 00u2 suspended (s2 > s1), with s2 pending", s)
	}
}

func claimOkta(t *testing.T, j *Journal, owner string) OktaSubject {
	t.Helper()
	s, err := j.ClaimOktaSubject(context.Background(), owner, time.Minute, time.Now())
	if err != nil {
		t.Fatalf("claiming: %v", err)
	}
	return s
}

// A subject is held by one owner until its lease ends; a failed reconcile
// waits for its retry time, and one given up on is applied by the next
// reconcile that succeeds, or made pending again by hand.
func TestOktaSubjectLeaseRetryAndFailure(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx := context.Background()
	if _, err := j.RecordOktaEvents(ctx, []OktaEvent{oktaEvent("a1", "00ua", OktaJoin, "group:eng", 0)}); err != nil {
		t.Fatal(err)
	}
	s := claimOkta(t, j, "w1")
	for _, owner := range []string{"w2", "w1"} {
		if _, err := j.ClaimOktaSubject(ctx, owner, time.Minute, time.Now()); !errors.Is(err, ErrNoOktaWork) {
			t.Errorf("claim by %s while w1 holds it: %v, want ErrNoOktaWork", owner, err)
		}
	}
	if got, err := j.ClaimOktaSubject(ctx, "w2", time.Minute, time.Now().Add(2*time.Minute)); err != nil || got.Subject != "00ua" {
		t.Errorf("claim after the lease ran out: %+v, %v", got, err)
	}
	retry := time.Now().Add(time.Hour)
	if err := j.FinishOktaSubject(ctx, "w2", s, OktaResult{State: OktaPending, Detail: "throttled", RetryAt: retry}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.ClaimOktaSubject(ctx, "w1", time.Minute, time.Now()); !errors.Is(err, ErrNoOktaWork) {
		t.Errorf("claim before the retry time: %v, want ErrNoOktaWork", err)
	}
	s, err := j.ClaimOktaSubject(ctx, "w1", time.Minute, retry)
	if err != nil || s.Attempts != 1 {
		t.Fatalf("claim at the retry time: %+v, %v; want one attempt made", s, err)
	}
	if err := j.FinishOktaSubject(ctx, "w1", s, OktaResult{State: OktaFailed, Detail: "still throttled"}); err != nil {
		t.Fatal(err)
	}
	if n, err := j.RetryOktaEvents(ctx, nil); err != nil || n != 1 {
		t.Errorf("retrying by hand: %d, %v", n, err)
	}
	s = claimOkta(t, j, "w1")
	if s.Attempts != 0 {
		t.Errorf("a retried event starts over: %d attempts", s.Attempts)
	}
	if err := j.FinishOktaSubject(ctx, "w1", s, OktaResult{State: OktaFailed, Detail: "given up"}); err != nil {
		t.Fatal(err)
	}

	if _, err := j.RecordOktaEvents(ctx, []OktaEvent{oktaEvent("a2", "00ua", OktaSuspended, "", time.Second)}); err != nil {
		t.Fatal(err)
	}
	s = claimOkta(t, j, "w1")
	if err := j.FinishOktaSubject(ctx, "w1", s, OktaResult{State: OktaDone, Detail: "suspended", UserName: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	counts, err := j.OktaCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(counts) != "map[done:2]" {
		t.Errorf("counts %v, want both done: the failed join was in the registers the suspension's reconcile read", counts)
	}
	if _, err := j.RecordOktaEvents(ctx, []OktaEvent{oktaEvent("a3", "00ua", OktaActive, "", 2*time.Second)}); err != nil {
		t.Fatal(err)
	}
	if s = claimOkta(t, j, "w1"); s.UserName != "ada@example.com" {
		t.Errorf("user name %q, want the one recorded", s.UserName)
	}
}

// A server starting under a name frees what its dead workers held, and
// nobody else's.
func TestReleaseOktaLeases(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx := context.Background()
	if _, err := j.RecordOktaEvents(ctx, []OktaEvent{oktaEvent("a1", "00ua", OktaJoin, "app:aws", 0),
		oktaEvent("b1", "00ub", OktaJoin, "app:aws", 0)}); err != nil {
		t.Fatal(err)
	}
	claimOkta(t, j, "serve-1#1")
	claimOkta(t, j, "serve-10#1")
	if n, err := j.ReleaseOktaLeases(ctx, "serve-1"); err != nil || n != 1 {
		t.Fatalf("released %d, %v; want serve-1#1's one", n, err)
	}
	if s := claimOkta(t, j, "serve-1#2"); s.Subject != "00ua" {
		t.Errorf("claimed %s, want the released 00ua", s.Subject)
	}
}
