// Package idcstate is IAM Identity Center's part of the world: its instances,
// each with an identity store (users, groups, memberships), permission sets,
// account assignments and the asynchronous operations that make them, and the
// quotas every Identity Center API shares.
//
// Two services work on it: identitystore changes an instance's users and
// groups, sso-admin its instances, permission sets and assignments — and an
// assignment names a user or group of the store. So the data lives here,
// importing only sandbox/state, and both service packages import it; neither
// imports the other (docs/sandbox.md, "Adding a service").
package idcstate

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// World is Identity Center's part of the world: every instance, by ID.
type World struct {
	Instances map[string]*Instance `json:"identity_center_instances,omitempty"`

	// meters are the instances' request buckets and counters: they live as
	// long as the process (a reset or a posted fixture starts them afresh) and
	// are never persisted. Read-only operations run concurrently under the
	// world's read lock, so they have a lock of their own.
	mu     sync.Mutex
	meters map[string]*meter
}

// Slot is Identity Center's part of the world.
var Slot = state.NewWorldSlot("identity center", func(w *World) {
	if w.Instances == nil {
		w.Instances = map[string]*Instance{}
	}
	w.meters = map[string]*meter{}
	for _, in := range w.Instances {
		in.fill()
	}
})

// Of returns the world's Identity Center part.
func Of(w *state.World) *World { return Slot.Of(w) }

// Instance is one IAM Identity Center instance: the organisation's (owned by
// its management account, the only kind that can give access to accounts) or
// an account instance made by CreateInstance.
type Instance struct {
	ID              string    `json:"id"` // ssoins-…
	Name            string    `json:"name,omitempty"`
	Owner           string    `json:"owner"` // the account that administers it
	Organization    bool      `json:"organization"`
	IdentityStoreID string    `json:"identity_store_id"` // d-…
	Created         time.Time `json:"created"`
	Quotas          Quotas    `json:"quotas"`
	// ClientToken is CreateInstance's idempotency token, so a retried
	// request returns the instance it made.
	ClientToken string `json:"client_token,omitempty"`

	Store          *Store                    `json:"store"`
	PermissionSets map[string]*PermissionSet `json:"permission_sets"` // by ID (ps-…)
	Assignments    map[string]*Assignment    `json:"assignments"`     // by AssignmentKey
	Operations     map[string]*Operation     `json:"operations"`      // by request ID
}

// ARN is the instance's ARN, as sso-admin names it.
func (in *Instance) ARN() string { return "arn:aws:sso:::instance/" + in.ID }

// PortalURL is the AWS access portal's sign-in address for the instance.
func (in *Instance) PortalURL() string { return "https://" + in.IdentityStoreID + ".awsapps.com/start" }

// fill makes an instance's collections and indexes, for a new instance and
// for one read from a snapshot.
func (in *Instance) fill() {
	if in.Store == nil {
		in.Store = &Store{}
	}
	in.Store.fill()
	if in.PermissionSets == nil {
		in.PermissionSets = map[string]*PermissionSet{}
	}
	if in.Assignments == nil {
		in.Assignments = map[string]*Assignment{}
	}
	if in.Operations == nil {
		in.Operations = map[string]*Operation{}
	}
}

// NewInstance adds an instance owned by account. storeID and id may be ""
// for generated ones.
func (w *World) NewInstance(owner, name, storeID, id string, organization bool) *Instance {
	if id == "" {
		id = "ssoins-" + randomHex(16)
	}
	if storeID == "" {
		storeID = "d-" + randomHex(10)
	}
	in := &Instance{ID: id, Name: name, Owner: owner, Organization: organization, IdentityStoreID: storeID,
		Created: time.Now().UTC(), Quotas: DefaultQuotas()}
	in.fill()
	w.Instances[id] = in
	return in
}

// ByARN returns the instance an ARN names.
func (w *World) ByARN(arn string) (*Instance, bool) {
	for _, in := range w.Instances {
		if in.ARN() == arn {
			return in, true
		}
	}
	return nil, false
}

// ByStoreID returns the instance whose identity store has the given ID.
func (w *World) ByStoreID(id string) (*Instance, bool) {
	for _, in := range w.Instances {
		if in.IdentityStoreID == id {
			return in, true
		}
	}
	return nil, false
}

// OwnedBy returns the instance an account administers, if any: AWS allows
// one per account.
func (w *World) OwnedBy(account string) (*Instance, bool) {
	for _, in := range w.Instances {
		if in.Owner == account {
			return in, true
		}
	}
	return nil, false
}

// Sorted returns the instances in ID order.
func (w *World) Sorted() []*Instance {
	out := make([]*Instance, 0, len(w.Instances))
	for _, in := range w.Instances {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// NewUUID returns a random version-4 UUID in lower case, the form of
// Identity Center's request IDs and of the second part of its user, group
// and membership IDs.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}
