package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// An event is held by one watcher at a time, and by none once finished; a
// failed one, or one whose holder's lease ran out, is taken again; another
// event of the same user waits while one is held.
func TestClaimEvent(t *testing.T) {
	t.Parallel()
	j := openTemp(t)
	ctx := context.Background()
	claim := func(id, user, owner string, lease time.Duration) Claim {
		t.Helper()
		c, err := j.ClaimEvent(ctx, id, "CreateUser", "222222222222", user, owner, lease)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := claim("e1", "alice", "w1", time.Minute); c != Claimed {
		t.Fatalf("first claim: %v", c)
	}
	if c := claim("e1", "alice", "w2", time.Minute); c != Busy {
		t.Errorf("held by another: %v, want Busy", c)
	}
	if c := claim("e2", "ALICE", "w2", time.Minute); c != Busy {
		t.Errorf("another event of the same user while one is held: %v, want Busy", c)
	}
	if c := claim("e3", "bob", "w2", time.Minute); c != Claimed {
		t.Errorf("another user: %v, want Claimed", c)
	}
	if err := j.FinishEvent(ctx, "e1", "w1", EventFailed, "mail server away"); err != nil {
		t.Fatal(err)
	}
	if c := claim("e1", "alice", "w2", time.Minute); c != Claimed {
		t.Errorf("a failed event: %v, want Claimed again", c)
	}
	if err := j.FinishEvent(ctx, "e1", "w2", EventDone, "completed"); err != nil {
		t.Fatal(err)
	}
	if c := claim("e1", "alice", "w1", time.Minute); c != Finished {
		t.Errorf("a done event: %v, want Finished", c)
	}
	if c := claim("e4", "carol", "w1", -time.Second); c != Claimed || claim("e4", "carol", "w2", time.Minute) != Claimed {
		t.Errorf("a lease that ran out must be taken over")
	}
	e, ok, err := j.Event(ctx, "e1")
	if err != nil || !ok || e.State != EventDone || e.Attempts != 2 || e.Owner != "w2" || e.Detail != "completed" {
		t.Errorf("record: %+v %v %v", e, ok, err)
	}
}

// Watchers in several processes share one journal: of many racing for the
// same events, exactly one holds each.
func TestClaimEventAcrossHandles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.db")
	var handles []*Journal
	for range 3 {
		j, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		handles = append(handles, j)
	}
	var (
		mu   sync.Mutex
		wins = map[string]int{}
		wg   sync.WaitGroup
	)
	for w, j := range handles {
		for g := range 4 {
			wg.Go(func() {
				for e := range 30 {
					id := fmt.Sprintf("ev-%d", e)
					c, err := j.ClaimEvent(context.Background(), id, "CreateUser", "222222222222", "user-"+id, fmt.Sprintf("w%d-%d", w, g), time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if c == Claimed {
						mu.Lock()
						wins[id]++
						mu.Unlock()
					}
				}
			})
		}
	}
	wg.Wait()
	for e := range 30 {
		if id := fmt.Sprintf("ev-%d", e); wins[id] != 1 {
			t.Errorf("%s claimed %d times, want once", id, wins[id])
		}
	}
}
