package engine

// Status is how a placement ended; each lifecycle has its own statuses.
type Status interface {
	~string
	// OK reports whether nothing is left to do.
	OK() bool
}

// Statuses are a report's statuses, one per row.
type Statuses[S Status] []S

// Count returns how many are s.
func (ss Statuses[S]) Count(s S) int {
	n := 0
	for _, x := range ss {
		if x == s {
			n++
		}
	}
	return n
}

// OK reports whether every one is OK.
func (ss Statuses[S]) OK() bool {
	for _, x := range ss {
		if !x.OK() {
			return false
		}
	}
	return true
}

// Counts counts each status.
func (ss Statuses[S]) Counts() map[S]int {
	out := map[S]int{}
	for _, x := range ss {
		out[x]++
	}
	return out
}
