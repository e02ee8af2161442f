package state

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDeltasReplayToTheSameWorld changes a world at random, as writers do
// (under the lock, through slots, indexes and the world's own maps), takes a
// delta every few changes, and replays the checkpoint and the deltas on a
// fresh world: both must marshal alike, whatever the changes were.
func TestDeltasReplayToTheSameWorld(t *testing.T) {
	t.Parallel()
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 99))
		live := NewWorld(queueSlot, topicSlot, storeSlot)
		checkpoint, err := live.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		var deltas [][]byte
		for step := range 300 {
			live.Lock()
			randomChange(rng, live, step)
			live.Unlock()
			if rng.IntN(4) == 0 {
				d, err := live.Delta()
				if err != nil {
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				}
				if d != nil {
					deltas = append(deltas, d)
				}
			}
		}
		if d, err := live.Delta(); err != nil {
			t.Fatal(err)
		} else if d != nil {
			deltas = append(deltas, d)
		}
		replayed := NewWorld(queueSlot, topicSlot, storeSlot)
		replayed.Lock()
		if err := replayed.Restore(checkpoint); err != nil {
			t.Fatal(err)
		}
		for i, d := range deltas {
			if err := replayed.ApplyDelta(d); err != nil {
				t.Fatalf("seed %d: applying delta %d: %v\n%s", seed, i, err, d)
			}
		}
		replayed.Unlock()
		want, _ := live.Snapshot()
		got, _ := replayed.Snapshot()
		if !bytes.Equal(got, want) {
			t.Fatalf("seed %d: %d deltas replay to\n%s\nwant\n%s", seed, len(deltas), got, want)
		}
	}
}

// randomChange is one writer's change to w.
func randomChange(rng *rand.Rand, w *World, step int) {
	acct := fmt.Sprintf("%012d", rng.IntN(4))
	key := fmt.Sprintf("k%d", rng.IntN(12))
	switch rng.IntN(11) {
	case 0:
		w.Account(acct) // an account that exists from now on, empty
	case 1:
		queueSlot.Of(w.Account(acct)).Queues[key] = fmt.Sprint(step)
	case 2:
		delete(queueSlot.Of(w.Account(acct)).Queues, key)
	case 3:
		topicSlot.Of(w.Account(acct)).Topics.Put(key, &Tag{Key: key, Value: fmt.Sprint(step)})
	case 4:
		if tag, ok := topicSlot.Of(w.Account(acct)).Topics.Get(key); ok {
			tag.Value += "+" // changed through the pointer Get gave
		}
	case 5:
		topicSlot.Of(w.Account(acct)).Topics.Delete(key)
	case 6:
		for _, tag := range topicSlot.Of(w.Account(acct)).Topics.All() {
			tag.Value += "*" // changed while iterating
		}
	case 7:
		storeSlot.Of(w).Store = fmt.Sprint(step)
	case 8:
		if rng.IntN(2) == 0 {
			w.Credentials[key] = &Credential{AccessKeyID: key, SecretAccessKey: fmt.Sprint(step), Account: acct}
		} else {
			delete(w.Credentials, key)
		}
	case 9:
		w.Sessions[key] = &Session{AccessKeyID: key, Account: acct, RoleName: fmt.Sprint(step)}
	case 10:
		if rng.IntN(5) == 0 {
			w.Mail = nil
		} else {
			w.Mail = append(w.Mail, &Message{ID: fmt.Sprint(step), Account: acct})
		}
	}
	if rng.IntN(40) == 0 {
		topicSlot.Of(w.Account(acct)).Topics = NewIndex[Tag]() // a new index in the part
	}
}

func TestDeltaNeedsACheckpoint(t *testing.T) {
	t.Parallel()
	w := NewWorld(queueSlot)
	if _, err := w.Delta(); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Delta before any checkpoint: %v, want ErrNoCheckpoint", err)
	}
	if _, err := w.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	w.Lock()
	err := w.Restore([]byte(`{"accounts":{"111111111111":{"id":"111111111111"}}}`))
	w.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Delta(); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Delta after Restore: %v, want ErrNoCheckpoint", err)
	}
}

// TestDeltaIsWhatWasReached: with many entries, a change to one writes one.
func TestDeltaIsWhatWasReached(t *testing.T) {
	t.Parallel()
	w := NewWorld(queueSlot, topicSlot)
	w.Lock()
	topics := topicSlot.Of(w.Account("111111111111")).Topics
	for i := range 10000 {
		topics.Put(fmt.Sprintf("topic-%05d", i), &Tag{Key: "k", Value: "v"})
	}
	w.Unlock()
	if topics.touched != nil || len(w.ch.accounts) > 0 {
		t.Error("a world never checkpointed (kept in memory only) notes its writers' changes, which nobody takes")
	}
	if _, err := w.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	w.Lock()
	topicSlot.Of(w.Account("111111111111")).Topics.Put("one-more", &Tag{Key: "k", Value: "v"})
	w.Unlock()
	d, err := w.Delta()
	if err != nil {
		t.Fatal(err)
	}
	if len(d) > 300 {
		t.Errorf("one new entry among 10,000 made a %d-byte delta: %s", len(d), d)
	}
	w.RLock()
	topicSlot.Of(w.Account("111111111111")).Topics.Get("topic-00001") // a reader notes nothing
	w.RUnlock()
	if d, err := w.Delta(); d != nil || err != nil {
		t.Errorf("after a reader only, Delta = %s, %v; want nothing", d, err)
	}
}
