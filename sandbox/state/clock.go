package state

import (
	"fmt"
	"sync"
	"time"
)

// The world's clock is real time plus an offset that tests move forward
// through POST /_sandbox/clock, so that rules measured in hours and days —
// the credential report's four hours, SES's 24-hour sending quota — can be
// tested without waiting; a test may also stop it, so that rules measured in
// seconds (SES's sending rate) do not depend on how fast the test runs. It is
// a setting of the running sandbox, like its faults: snapshots do not hold
// it, and reset, fixtures and restores leave it as it is. Resources stamped
// with Now (creation dates) keep real time; only the rules that read
// World.Now see the offset.

// worldClock is the world's clock. Its own lock lets requests read it under
// either of the world's locks.
type worldClock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen time.Time // the instant the clock stopped at; zero while it runs
}

// Now is the world's clock, UTC, at full precision (unlike the package's Now,
// which stamps resources to the whole second).
func (w *World) Now() time.Time {
	c := &w.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return time.Now().UTC().Add(c.offset)
}

// ClockOffset is how far the world's clock is ahead of real time (behind it,
// after it was stopped and started again) and whether it is stopped.
func (w *World) ClockOffset() (time.Duration, bool) {
	now := w.Now()
	c := &w.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	return now.Sub(time.Now().UTC()).Round(time.Millisecond), !c.frozen.IsZero()
}

// AdvanceClock moves the world's clock forward by d, stopped or not. Time runs
// one way: a negative d is refused, so that nothing a test made can end up in
// the future.
func (w *World) AdvanceClock(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("the clock only moves forward: %s is negative", d)
	}
	c := &w.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		c.frozen = c.frozen.Add(d)
	} else {
		c.offset += d
	}
	return nil
}

// FreezeClock stops the world's clock at its current time, or starts it again
// from where it stopped (so it never jumps back).
func (w *World) FreezeClock(stop bool) {
	c := &w.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	real := time.Now().UTC()
	switch {
	case stop && c.frozen.IsZero():
		c.frozen = real.Add(c.offset)
	case !stop && !c.frozen.IsZero():
		c.offset, c.frozen = c.frozen.Sub(real), time.Time{}
	}
}

// ResetClock puts the world's clock back to real time, running.
func (w *World) ResetClock() {
	c := &w.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen = 0, time.Time{}
}
