package engine

import (
	"context"
	"sync"
	"sync/atomic"
)

// Each runs fn for every item with at most n at once and returns the first
// error (the others still finish); it stops starting items once ctx is done.
// It is for reading: planning and discovery, where an interrupt ends the
// whole command.
func Each[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, max(1, n))
	for _, item := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return context.Cause(ctx)
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, item); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// Pool applies a plan's placements: at most Concurrency at once, in the
// order Order gives. When ctx is cancelled (Ctrl-C) no new placement is
// started and the ones in flight finish, their calls made with a context
// that is not cancelled — nothing is left half-done.
type Pool struct {
	Concurrency int
	// Progress, when set, is told how many placements are finished out of how many.
	Progress func(done, total int)
}

// Run calls do for each index of n in order, or notStarted for those an
// interrupt kept from starting. Indexes for which quick reports true make no
// AWS call: they are run whatever happens, without taking a worker.
func (p Pool) Run(ctx context.Context, order []int, quick func(i int) bool, do func(ctx context.Context, i int), notStarted func(i int)) {
	var (
		wg   sync.WaitGroup
		done atomic.Int64
	)
	finished := func() {
		if p.Progress != nil {
			p.Progress(int(done.Add(1)), len(order))
		}
	}
	bg := context.WithoutCancel(ctx)
	sem := make(chan struct{}, max(1, p.Concurrency))
	for _, i := range order {
		if quick != nil && quick(i) {
			do(bg, i)
			finished()
			continue
		}
		if !acquire(ctx, sem) {
			notStarted(i)
			finished()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			do(bg, i) // in flight: finish it even after Ctrl-C
			finished()
		})
	}
	wg.Wait()
}

// acquire takes a worker slot, or reports false when ctx is done first.
func acquire(ctx context.Context, sem chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case sem <- struct{}{}:
		if ctx.Err() != nil {
			<-sem
			return false
		}
		return true
	case <-ctx.Done():
		return false
	}
}

// InOrder is 0, 1, …, n-1.
func InOrder(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// RoundRobin returns the indexes of keys taking one scope after another,
// keeping each scope's own order, so the workers spread over every scope's
// rate limit instead of queueing on one while the others sit idle.
func RoundRobin(scopes []string) []int {
	var seen []string
	byScope := map[string][]int{}
	for i, s := range scopes {
		if _, ok := byScope[s]; !ok {
			seen = append(seen, s)
		}
		byScope[s] = append(byScope[s], i)
	}
	order := make([]int, 0, len(scopes))
	for len(order) < len(scopes) {
		for _, s := range seen {
			if q := byScope[s]; len(q) > 0 {
				order = append(order, q[0])
				byScope[s] = q[1:]
			}
		}
	}
	return order
}

// NotStartedError is what a placement an interrupt kept from starting reports.
const NotStartedError = "interrupted before it started; run the same command again to resume"
