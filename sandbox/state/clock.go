package state

import (
	"fmt"
	"time"
)

// The world's clock is real time plus an offset that tests move forward
// through POST /_sandbox/clock, so that rules measured in hours and days —
// the credential report's four hours, SES's 24-hour sending quota — can be
// tested without waiting. It is a setting of the running sandbox, like its
// faults: snapshots do not hold it, and reset, fixtures and restores leave it
// as it is. Resources stamped with Now (creation dates) keep real time; only
// the rules that read World.Now see the offset.

// Now is the world's clock: real time plus the offset, UTC, at full precision
// (unlike the package's Now, which stamps resources to the whole second). It
// takes no lock.
func (w *World) Now() time.Time {
	return time.Now().UTC().Add(time.Duration(w.clockOffset.Load()))
}

// ClockOffset is how far the world's clock is ahead of real time.
func (w *World) ClockOffset() time.Duration { return time.Duration(w.clockOffset.Load()) }

// AdvanceClock moves the world's clock forward by d. Time runs one way: a
// negative d is refused, so that nothing a test made can end up in the future.
func (w *World) AdvanceClock(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("the clock only moves forward: %s is negative", d)
	}
	w.clockOffset.Add(int64(d))
	return nil
}

// ResetClock puts the world's clock back to real time.
func (w *World) ResetClock() { w.clockOffset.Store(0) }
