// Package engine is what every lifecycle of gatehouse shares, whatever the
// directory it works on: the vocabulary (a Scope is an account or an
// identity store; a person's Placement is that person in one scope), the
// worker pool that runs placements in parallel under per-scope rate limits
// and stops starting new ones on an interrupt, the run's journal record, the
// report's counting, and the markers gatehouse leaves on what it manages.
//
// The lifecycles themselves (package onboard, package offboard) are written
// once over a directory interface; package iamuser and, later,
// identitycenter implement it.
package engine

// Directory kinds: the kinds of identity store gatehouse manages people in.
const (
	DirectoryIAM            = "iam"             // IAM users in one or many accounts
	DirectoryIdentityCenter = "identity-center" // IAM Identity Center users in an identity store
)

// Markers gatehouse puts on the users it creates (or adopts): the managed-by
// tag is how a later run, and offboarding, tell gatehouse's users from
// others'; the e-mail tag finds a person's users by address; the suspended
// tag marks a suspension and says when (RFC 3339).
const (
	TagManagedBy   = "gatehouse:managed-by"
	ManagedByValue = "gatehouse"
	TagEmail       = "gatehouse:email"
	TagSuspended   = "gatehouse:suspended"
)

// DefaultConcurrency is the least number of placements worked on at once when
// none is configured; the default grows with the scopes, by
// ConcurrencyPerScope each. A placement makes its calls one after another, so
// reaching every scope's rate limit takes scopes × rate × latency calls in
// flight (Little's law) — 8 per scope covers 50 requests a second at 100 ms
// with room for placements waiting on a limiter. The per-scope rate limiter,
// not this, is what keeps gatehouse polite.
const (
	DefaultConcurrency  = 16
	ConcurrencyPerScope = 8
)

// Concurrency is n, or the default for this many scopes when n is 0 or less.
func Concurrency(n, scopes int) int {
	if n <= 0 {
		return max(DefaultConcurrency, ConcurrencyPerScope*scopes)
	}
	return n
}
