package state

import (
	"testing"
	"time"
)

func TestClockRunsAheadOnlyWhenAdvanced(t *testing.T) {
	t.Parallel()
	w, other := NewWorld(), NewWorld()
	if off, frozen := w.ClockOffset(); off != 0 || frozen {
		t.Fatalf("a new world's clock is %s ahead (stopped: %v)", off, frozen)
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
	if off, _ := other.ClockOffset(); off != 0 {
		t.Error("advancing one world's clock moved another's")
	}
	if err := w.Restore([]byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if off, _ := w.ClockOffset(); off != 5*time.Hour+time.Minute {
		t.Errorf("a restore (reset, fixture) changed the clock to %s", off)
	}
	w.ResetClock()
	if off, _ := w.ClockOffset(); off != 0 {
		t.Errorf("after ResetClock the clock is %s ahead", off)
	}
}

func TestClockStopsAndStartsWhereItStopped(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	w.FreezeClock(true)
	stopped := w.Now()
	time.Sleep(10 * time.Millisecond)
	if !w.Now().Equal(stopped) {
		t.Fatal("a stopped clock moved")
	}
	_ = w.AdvanceClock(time.Hour)
	if got := w.Now(); got.Sub(stopped) != time.Hour {
		t.Errorf("advancing a stopped clock: %s later", got.Sub(stopped))
	}
	w.FreezeClock(false)
	if got := w.Now(); got.Before(stopped.Add(time.Hour)) || got.Sub(stopped) > time.Hour+time.Second {
		t.Errorf("started again at %s after the stop, want just over 1h", got.Sub(stopped))
	}
}
