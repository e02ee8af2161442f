package state

import (
	"testing"
	"time"
)

func TestClockRunsAheadOnlyWhenAdvanced(t *testing.T) {
	t.Parallel()
	w, other := NewWorld(), NewWorld()
	if off := w.ClockOffset(); off != 0 {
		t.Fatalf("a new world's clock is %s ahead", off)
	}
	if err := w.AdvanceClock(-time.Second); err == nil {
		t.Error("the clock moved backwards")
	}
	if err := w.AdvanceClock(5 * time.Hour); err != nil {
		t.Fatal(err)
	}
	_ = w.AdvanceClock(time.Minute)
	if ahead := w.Now().Sub(time.Now()); ahead < 5*time.Hour || ahead > 5*time.Hour+2*time.Minute {
		t.Errorf("after 5h1m the world's clock is %s ahead", ahead)
	}
	if other.ClockOffset() != 0 {
		t.Error("advancing one world's clock moved another's")
	}
	if err := w.Restore([]byte(`{}`)); err != nil || w.ClockOffset() != 5*time.Hour+time.Minute {
		t.Errorf("a restore (reset, fixture) changed the clock: %s, %v", w.ClockOffset(), err)
	}
	w.ResetClock()
	if w.ClockOffset() != 0 || w.Now().Sub(time.Now()) > time.Second {
		t.Errorf("after ResetClock the clock is %s ahead", w.ClockOffset())
	}
}
