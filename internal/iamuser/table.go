package iamuser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// API is every IAM call offboarding makes; each kind of dependency declares
// its own few methods next to its table entry.
type API interface {
	userAPI
	loginProfileAPI
	accessKeyAPI
	sshKeyAPI
	certificateAPI
	serviceCredentialAPI
	mfaAPI
	groupAPI
	inlinePolicyAPI
	attachedPolicyAPI
	boundaryAPI
}

var _ API = (*iam.Client)(nil)

// session is one user in one account being worked on.
type session struct {
	api     API
	user    string // as IAM spells it once GetUser answered
	backoff func(n int) time.Duration
	// unchecked are the kinds the backend lacks: never listed, and the
	// record says they were not checked.
	unchecked map[*dependency]bool
}

// Item is one thing attached to a user that a table entry acts on.
type Item struct {
	ID     string // key ID, serial number, group or policy name, policy ARN; "" for the login profile
	Active bool   // for credentials with a status: Active
	Detail string // what the plan shows about it
}

// dependency is one row of the removal table: a kind of thing attached to a
// user. Its messages, journal steps and report lines are all built from its
// name and action, never from copied format strings.
type dependency struct {
	name   string // singular, as messages say it: "access key"
	plural string // "access keys"
	action string // what removing does: delete, deactivate, remove, detach
	// after names the entry that must have finished with the same item
	// first: a virtual MFA device is deleted after it is deactivated.
	after string
	// list reads this kind into rec, paginating, with its own follow-up
	// reads; nil when another entry's listing covers it. NoSuchEntity is
	// reported as an error and means "nothing" to the caller.
	list func(ctx context.Context, s *session, rec *Record) error
	// items are what rec holds of this kind, for removal.
	items func(rec *Record) []Item
	// remove removes one item; the engine counts NoSuchEntity as done.
	remove func(ctx context.Context, s *session, it Item) error
	// suspend and reinstate are the reversible forms (nil: untouched by a
	// suspension). A suspension acts on the items that are Active.
	suspend   func(ctx context.Context, s *session, it Item) error
	reinstate func(ctx context.Context, s *session, it Item) error
}

// removalTable is the order the plan, the journal and the report list things
// in. Apply starts every entry at once, except that an entry with after
// waits, item by item, for that entry: the critical path is one call for
// every kind, plus one for virtual MFA devices, which overlaps the others.
var removalTable = []*dependency{
	mfaDevices,
	virtualMFADevices,
	loginProfile,
	accessKeys,
	sshPublicKeys,
	signingCertificates,
	serviceCredentials,
	groupMemberships,
	inlinePolicies,
	attachedPolicies,
	permissionsBoundary,
}

// entry returns the table entry called name, or nil.
func entry(name string) *dependency {
	for _, d := range removalTable {
		if d.name == name {
			return d
		}
	}
	return nil
}

// gerund turns the action into its -ing form: delete → deleting.
func gerund(action string) string {
	return strings.TrimSuffix(action, "e") + "ing"
}

// subject names an item in messages: `IAM user (alice) access key (AKIA…)`.
func (d *dependency) subject(user string, it Item) string {
	s := fmt.Sprintf("IAM user (%s) %s", user, d.name)
	if it.ID != "" {
		s += " (" + it.ID + ")"
	}
	return s
}

// fail wraps an error of verb (deleting, deactivating, reactivating) on it.
func (d *dependency) fail(verb, user string, it Item, err error) error {
	return fmt.Errorf("%s %s: %w", verb, d.subject(user, it), awsx.Classify(err))
}

// listFail wraps an error reading this kind.
func (d *dependency) listFail(user string, err error) error {
	var rep *awsx.RepeatedServerError
	if errors.As(err, &rep) {
		return fmt.Errorf("reading IAM user (%s) %s: %w. If this backend (moto, LocalStack…) has no %s at all, run again "+
			"with --unchecked %s: they are then not listed, and the plan, the archive and the report say they were not checked "+
			"(DeleteUser still refuses a user that has any)", user, d.plural, err, d.plural, d.slug())
	}
	return fmt.Errorf("reading IAM user (%s) %s: %w", user, d.plural, awsx.Classify(err))
}

// slug is the kind's name on the command line: "service-specific-credentials".
func (d *dependency) slug() string {
	return strings.ToLower(strings.ReplaceAll(d.plural, " ", "-"))
}

// Checkable lists the kinds a backend may lack and --unchecked may name:
// every kind the removal table lists on its own.
func Checkable() []string {
	var out []string
	for _, d := range removalTable {
		if d.list != nil {
			out = append(out, d.slug())
		}
	}
	return out
}

// uncheckedKinds turns --unchecked names into table entries; an unknown
// name is an error that lists the known ones.
func uncheckedKinds(names []string) (map[*dependency]bool, error) {
	out := map[*dependency]bool{}
	for _, n := range names {
		found := false
		for _, d := range removalTable {
			if d.list != nil && d.slug() == strings.ToLower(strings.TrimSpace(n)) {
				out[d], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("--unchecked %q: not a kind gatehouse lists; use one of %s", n, strings.Join(Checkable(), ", "))
		}
	}
	return out, nil
}

// CheckUnchecked reports an --unchecked name that is not a kind.
func CheckUnchecked(names []string) error {
	_, err := uncheckedKinds(names)
	return err
}

// step is the journal's name for doing verb to it: "delete-access-key:AKIA…".
func (d *dependency) step(action string, it Item) string {
	s := action + "-" + strings.ToLower(strings.ReplaceAll(d.name, " ", "-"))
	if it.ID != "" {
		s += ":" + it.ID
	}
	return s
}

// line is how the report names it: "access key AKIA…".
func (d *dependency) line(it Item) string {
	if it.ID == "" {
		return d.name
	}
	return d.name + " " + it.ID
}

// notFound reports whether err means the thing is not there (NoSuchEntity).
func notFound(err error) bool {
	return errors.Is(awsx.Classify(err), awsx.ErrNotFound)
}

// readEach calls read for indexes 0..n-1 all at once — the per-item reads
// that follow a listing (a key's last use, an SSH key's body, an inline
// policy's document) — and joins their errors. NoSuchEntity means the item
// was deleted since the listing, which removal will find anyway: not an error.
func readEach(n int, read func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := read(i); !notFound(err) {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ptr returns a pointer to v, for SDK inputs.
func ptr[T any](v T) *T { return &v }

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
