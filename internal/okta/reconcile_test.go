package okta_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
)

// has checks a user's groups and assignments exactly; nil want means no user.
func has(t *testing.T, w *world, user string, groups, assigned []string) {
	t.Helper()
	u := w.look(t, user)
	if groups == nil {
		if u != nil {
			t.Fatalf("%s exists (%v, %v), want no user", user, u.Groups, u.Assigned)
		}
		return
	}
	if u == nil {
		t.Fatalf("%s does not exist, want groups %v and assignments %v", user, groups, assigned)
	}
	gotG, gotA := slices.Sorted(maps.Keys(u.Groups)), slices.Sorted(maps.Keys(u.Assigned))
	slices.Sort(groups)
	slices.Sort(assigned)
	if !slices.Equal(gotG, groups) || !slices.Equal(gotA, assigned) {
		t.Fatalf("%s has groups %v and assignments %v, want %v and %v", user, gotG, gotA, groups, assigned)
	}
}

// A person's life through the hook: provisioned when assigned the app,
// given more with a group, what the app gave taken back when they leave it,
// suspended (assignments gone, user kept) and unsuspended, deactivated
// (removed, archived) and reactivated.
func TestPersonLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	const ada = "ada@example.com"
	w.deliver(t, joinApp("e1", "ada", 1))
	w.drain(t)
	has(t, w, ada, []string{"engineers"}, []string{"ReadOnly@111111111111"})
	if u := w.dir.user(ada); u.Given != "Ada" || u.Family != "Tester" || u.Email != ada {
		t.Errorf("profile from the event: %+v", u)
	}
	if got := w.mail.To(storeID, ada); len(got) != 1 || got[0].Password != "" {
		t.Fatalf("welcomes: %+v, want one, without a password", got)
	}

	w.deliver(t, joinGroup("e2", "ada", admins, 2))
	w.drain(t)
	has(t, w, ada, []string{"engineers", "admins"}, []string{"ReadOnly@111111111111", "AdministratorAccess@111111111111", "AdministratorAccess@222222222222"})

	w.deliver(t, leaveApp("e3", "ada", 3))
	w.drain(t)
	has(t, w, ada, []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"})

	w.deliver(t, lifecycle("e4", okta.UserSuspend, "ada", 4))
	w.drain(t)
	has(t, w, ada, []string{"admins"}, []string{})

	w.deliver(t, lifecycle("e5", okta.UserUnsuspend, "ada", 5))
	w.drain(t)
	has(t, w, ada, []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"})

	w.deliver(t, lifecycle("e6", okta.UserDeactivate, "ada", 6))
	w.drain(t)
	has(t, w, ada, nil, nil)
	archives, err := w.journal.Archives(context.Background(), storeID, ada)
	if err != nil || len(archives) == 0 || archives[len(archives)-1].Action != journal.ArchiveRemove {
		t.Fatalf("archives: %+v, %v; want the removal archived", archives, err)
	}
	if _, err := os.Stat(archives[len(archives)-1].File); err != nil {
		t.Errorf("the archive file: %v", err)
	}

	w.deliver(t, lifecycle("e7", okta.UserReactivate, "ada", 7))
	w.drain(t)
	has(t, w, ada, []string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"})
	if n := len(w.mail.To(storeID, ada)); n != 2 {
		t.Errorf("%d welcomes, want a second one for the user made again", n)
	}
	if c := w.counts(t); c[journal.OktaDone] != 7 || len(c) != 1 {
		t.Errorf("events %v, want all seven done", c)
	}
}

// A removal that arrives before its assignment leaves the person without a
// user once both are processed; the late assignment is recorded as
// superseded.
func TestOutOfOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	w.deliver(t, leaveApp("e2", "bob", 2))
	w.deliver(t, joinApp("e1", "bob", 1))
	w.drain(t)
	has(t, w, "bob@example.com", nil, nil)

	// Processed between the two, the person is provisioned and then removed.
	w.deliver(t, joinApp("c1", "cy", 1))
	w.drain(t)
	has(t, w, "cy@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	w.deliver(t, joinApp("c3", "cy", 3), leaveApp("c2", "cy", 2)) // a duplicate-ish add, newer than the leave
	w.drain(t)
	has(t, w, "cy@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	w.deliver(t, leaveApp("c4", "cy", 4))
	w.drain(t)
	has(t, w, "cy@example.com", nil, nil)
	events, err := w.journal.OktaEvents(context.Background(), journal.OktaFilter{States: []string{journal.OktaIgnored}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || !strings.HasPrefix(events[0].Detail, "superseded") || !strings.HasPrefix(events[1].Detail, "superseded") {
		t.Errorf("ignored: %+v, want e1 and c2 superseded", events)
	}
}

// What the hook knows nothing of it neither creates nor removes: a person
// suspended or unsuspended without an event about a mapped app or group,
// or only in groups the mapping does not name.
func TestUnknownPeopleAreLeftAlone(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	w.dir.users["dee@example.com"] = &memUser{Name: "dee@example.com", Groups: map[string]bool{"admins": true}, Assigned: map[string]bool{"Billing@111111111111": true}}
	w.deliver(t, lifecycle("e1", okta.UserUnsuspend, "carl", 1), joinGroup("e2", "carl", unmapped, 2),
		lifecycle("e3", okta.UserSuspend, "dee", 3), lifecycle("e4", okta.UserUnsuspend, "dee", 4))
	w.drain(t)
	has(t, w, "carl@example.com", nil, nil)
	has(t, w, "dee@example.com", []string{"admins"}, []string{"Billing@111111111111"})
	if c := w.counts(t); c[journal.OktaDone] != 3 || c[journal.OktaIgnored] != 1 {
		t.Errorf("events %v", c)
	}
}

// A user gatehouse did not create is left alone, and reported, unless the
// mapping says to adopt such users.
func TestForeignUsers(t *testing.T) {
	t.Parallel()
	for _, adopt := range []bool{false, true} {
		config := mapping
		if adopt {
			config = strings.Replace(mapping, "okta:\n", "okta:\n  adopt: true\n", 1)
		}
		w := newWorld(t, config)
		w.dir.users["eve@example.com"] = &memUser{Name: "eve@example.com", Email: "eve@example.com", Given: "Eve", Family: "Tester",
			Groups: map[string]bool{}, Assigned: map[string]bool{}}
		w.deliver(t, joinApp("e1", "eve", 1))
		w.drain(t)
		events, err := w.journal.OktaEvents(context.Background(), journal.OktaFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if !adopt {
			has(t, w, "eve@example.com", []string{}, []string{})
			if events[0].State != journal.OktaSkipped || !strings.Contains(events[0].Detail, "okta.adopt: true") {
				t.Errorf("without adopt: %+v, want skipped with the hint", events[0])
			}
			w.deliver(t, lifecycle("e2", okta.UserDeactivate, "eve", 2))
			w.drain(t)
			has(t, w, "eve@example.com", []string{}, []string{})
			continue
		}
		has(t, w, "eve@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
		if events[0].State != journal.OktaDone {
			t.Errorf("with adopt: %+v", events[0])
		}
	}
}

// Failed reconciles are retried with backoff; after their attempts the
// events are failed and listed, never dropped, and a retry by hand (or a
// later event's reconcile) applies them.
func TestRetriesAndFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	flaky := 2
	w.dir.fail = func(op string) error {
		if op == "assign" && flaky > 0 {
			flaky--
			return errFlaky
		}
		return nil
	}
	w.deliver(t, joinApp("e1", "fay", 1))
	w.drain(t)
	has(t, w, "fay@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	events, _ := w.journal.OktaEvents(context.Background(), journal.OktaFilter{})
	if events[0].State != journal.OktaDone || events[0].Attempts != 3 {
		t.Errorf("after two failures: %+v, want done at the third attempt", events[0])
	}

	w.dir.fail = func(op string) error {
		if op == "add-to-group" {
			return errFlaky
		}
		return nil
	}
	w.deliver(t, joinGroup("e2", "fay", admins, 2))
	w.drain(t)
	failed, _ := w.journal.OktaEvents(context.Background(), journal.OktaFilter{States: []string{journal.OktaFailed}})
	if len(failed) != 1 || failed[0].UUID != "e2" || failed[0].Attempts != 4 || !strings.Contains(failed[0].Detail, "gave up after 4 attempts") ||
		!strings.Contains(failed[0].Detail, "ThrottlingException") {
		t.Fatalf("failed events: %+v", failed)
	}
	w.dir.fail = nil
	if n, err := w.journal.RetryOktaEvents(context.Background(), []string{"e2"}); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	w.drain(t)
	has(t, w, "fay@example.com", []string{"engineers", "admins"},
		[]string{"ReadOnly@111111111111", "AdministratorAccess@111111111111", "AdministratorAccess@222222222222"})
}

// Events stored before a restart are worked on after it, also those a
// server that died was holding, once its lease runs out.
func TestRestartResumesPendingEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	first := openWorld(t, mapping, path, newMemory(), nil)
	first.deliver(t, joinApp("e1", "gil", 1), joinApp("e2", "hal", 1))
	if _, err := first.journal.ClaimOktaSubject(context.Background(), "dead-server", 50*time.Millisecond, time.Now()); err != nil {
		t.Fatal(err) // a server dies holding one person
	}
	mem := first.dir
	if err := first.journal.Close(); err != nil {
		t.Fatal(err)
	}
	second := openWorld(t, mapping, path, mem, first.mail)
	second.drain(t)
	has(t, second, "gil@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	has(t, second, "hal@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	if c := second.counts(t); c[journal.OktaDone] != 2 {
		t.Errorf("after the restart: %v", c)
	}
}

// A reconcile that panics fails its person's events, which are retried and
// then reported; the processor goes on with everyone else.
func TestPanicFailsOnlyItsPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	reconcile := w.proc.Reconcile
	w.proc.Reconcile = func(ctx context.Context, s journal.OktaSubject) okta.Outcome {
		if s.Login == "bad@example.com" {
			panic("a bug")
		}
		return reconcile(ctx, s)
	}
	w.deliver(t, joinApp("e1", "bad", 1), joinApp("e2", "ok", 1))
	w.drain(t)
	has(t, w, "ok@example.com", []string{"engineers"}, []string{"ReadOnly@111111111111"})
	failed, _ := w.journal.OktaEvents(context.Background(), journal.OktaFilter{States: []string{journal.OktaFailed}})
	if len(failed) != 1 || failed[0].UUID != "e1" || !strings.Contains(failed[0].Detail, "internal error") {
		t.Errorf("failed: %+v", failed)
	}
}
