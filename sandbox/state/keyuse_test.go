package state

import (
	"sync"
	"testing"
	"time"
)

func TestKeyUse(t *testing.T) {
	t.Parallel()
	w, other := NewWorld(), NewWorld()
	if _, ok := w.KeyLastUsed("AKIAEXAMPLE"); ok {
		t.Fatal("a fresh world reports a key use")
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 500, time.FixedZone("CET", 3600))
	w.RecordKeyUse("AKIAEXAMPLE", "iam", "eu-west-1", at)

	got, ok := w.KeyLastUsed("AKIAEXAMPLE")
	want := KeyUse{Time: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), Service: "iam", Region: "eu-west-1"}
	if !ok || got != want {
		t.Errorf("KeyLastUsed = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := other.KeyLastUsed("AKIAEXAMPLE"); ok {
		t.Error("a use recorded in one world shows in another")
	}
	w.ForgetKeyUse("AKIAEXAMPLE")
	if _, ok := w.KeyLastUsed("AKIAEXAMPLE"); ok {
		t.Error("a forgotten key still reports a use")
	}
}

// TestKeyUseConcurrent records uses under the world's read lock, as the router
// does, while snapshots run; go test -race checks it.
func TestKeyUseConcurrent(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			w.RLock()
			defer w.RUnlock()
			w.RecordKeyUse("AKIAEXAMPLE", "sts", "us-east-1", time.Now())
			_, _ = w.KeyLastUsed("AKIAEXAMPLE")
		}()
		go func() {
			defer wg.Done()
			w.RLock()
			defer w.RUnlock()
			if _, err := w.Snapshot(); err != nil {
				t.Errorf("snapshot %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if _, ok := w.KeyLastUsed("AKIAEXAMPLE"); !ok {
		t.Error("no use recorded")
	}
}
