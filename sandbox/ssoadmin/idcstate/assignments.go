package idcstate

import (
	"errors"
	"sort"
	"strings"
	"time"
)

// PermissionSet is a permission set of an instance.
type PermissionSet struct {
	ID              string          `json:"id"` // ps-…
	Name            string          `json:"name"`
	Description     string          `json:"description,omitempty"`
	SessionDuration string          `json:"session_duration"` // ISO 8601, PT1H by default
	RelayState      string          `json:"relay_state,omitempty"`
	Created         time.Time       `json:"created"`
	ManagedPolicies []ManagedPolicy `json:"managed_policies,omitempty"`
}

// ManagedPolicy is an AWS-managed policy attached to a permission set.
type ManagedPolicy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// PermissionSetARN is the ARN of one of the instance's permission sets.
func (in *Instance) PermissionSetARN(ps *PermissionSet) string {
	return "arn:aws:sso:::permissionSet/" + in.ID + "/" + ps.ID
}

// PermissionSetByARN returns the permission set an ARN names in this instance.
func (in *Instance) PermissionSetByARN(arn string) (*PermissionSet, bool) {
	for _, ps := range in.PermissionSets {
		if in.PermissionSetARN(ps) == arn {
			return ps, true
		}
	}
	return nil, false
}

// PermissionSetByName returns the permission set with a name, which is
// unique in an instance (case-insensitively).
func (in *Instance) PermissionSetByName(name string) (*PermissionSet, bool) {
	for _, ps := range in.PermissionSets {
		if key(ps.Name) == key(name) {
			return ps, true
		}
	}
	return nil, false
}

// AddPermissionSet adds a permission set with a new ID; its name must be
// free (PermissionSetByName).
func (in *Instance) AddPermissionSet(name, description, sessionDuration string, created time.Time) *PermissionSet {
	ps := &PermissionSet{ID: "ps-" + randomHex(16), Name: name, Description: description, SessionDuration: sessionDuration, Created: created}
	in.PermissionSets[ps.ID] = ps
	return ps
}

// Why a managed policy cannot be attached.
var (
	ErrAttached = errors.New("the policy is already attached")
	ErrTooMany  = errors.New("the permission set has as many managed policies as it may")
)

// AttachManagedPolicy attaches an AWS-managed policy by ARN, unless it is
// attached already or the permission set has limit of them.
func (ps *PermissionSet) AttachManagedPolicy(arn string, limit int) error {
	for _, p := range ps.ManagedPolicies {
		if p.ARN == arn {
			return ErrAttached
		}
	}
	if len(ps.ManagedPolicies) >= limit {
		return ErrTooMany
	}
	ps.ManagedPolicies = append(ps.ManagedPolicies, ManagedPolicy{Name: arn[strings.LastIndex(arn, "/")+1:], ARN: arn})
	return nil
}

// Target is what an account assignment joins: a principal of the store, a
// permission set and an account.
type Target struct {
	AccountID        string `json:"account_id"`
	PermissionSetARN string `json:"permission_set_arn"`
	PrincipalType    string `json:"principal_type"` // USER or GROUP
	PrincipalID      string `json:"principal_id"`
}

// Key is the assignment's key in Instance.Assignments.
func (t Target) Key() string {
	return t.AccountID + "|" + t.PermissionSetARN + "|" + t.PrincipalType + "|" + t.PrincipalID
}

// Assignment gives a principal a permission set in an account. It exists
// from From (when the operation that made it completes) until Until (when
// the one that deletes it completes; zero while none has). Readers ask
// Visible, so that an assignment appears and disappears when its operation
// ends, not when it was requested, without anything running in between.
// An assignment whose principal was deleted stays until it is deleted.
type Assignment struct {
	Target
	From  time.Time `json:"from"`
	Until time.Time `json:"until,omitzero"`
}

// Visible reports whether the assignment exists at now.
func (a *Assignment) Visible(now time.Time) bool {
	return !now.Before(a.From) && (a.Until.IsZero() || now.Before(a.Until))
}

// Operation is one CreateAccountAssignment or DeleteAccountAssignment
// request. Its outcome is decided when it is made; it reports IN_PROGRESS
// until Done, then Outcome.
type Operation struct {
	RequestID     string    `json:"request_id"`
	Kind          string    `json:"kind"` // create or delete
	Target                  // what it assigns or removes
	Created       time.Time `json:"created"`
	Done          time.Time `json:"done"`
	Outcome       string    `json:"outcome"` // SUCCEEDED or FAILED
	FailureReason string    `json:"failure_reason,omitempty"`
}

// Operation kinds.
const (
	Create = "create"
	Delete = "delete"
)

// Status is the operation's status at now: IN_PROGRESS, then its outcome.
func (op *Operation) Status(now time.Time) string {
	if now.Before(op.Done) {
		return "IN_PROGRESS"
	}
	return op.Outcome
}

// InProgress lists the operations still in progress at now, oldest first.
func (in *Instance) InProgress(now time.Time) []*Operation {
	var out []*Operation
	for _, op := range in.Operations {
		if now.Before(op.Done) {
			out = append(out, op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// VisibleAssignments lists the assignments that exist at now and that keep
// returns true for, in key order.
func (in *Instance) VisibleAssignments(now time.Time, keep func(*Assignment) bool) []*Assignment {
	var out []*Assignment
	for _, a := range in.Assignments {
		if a.Visible(now) && keep(a) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Settle forgets assignments whose deletion has completed, so a later
// CreateAccountAssignment makes a new one. Writers call it; readers need not,
// as they ask Visible.
func (in *Instance) Settle(now time.Time) {
	for k, a := range in.Assignments {
		if !a.Until.IsZero() && !now.Before(a.Until) {
			delete(in.Assignments, k)
		}
	}
}

// Start records an operation and, when it will succeed, its effect from the
// moment it completes: a new assignment visible from op.Done, or the end of
// an existing one at op.Done. Call Settle first.
func (in *Instance) Start(op *Operation) {
	in.Operations[op.RequestID] = op
	if op.Outcome != "SUCCEEDED" {
		return
	}
	k := op.Target.Key()
	switch a, exists := in.Assignments[k]; {
	case op.Kind == Create && !exists:
		in.Assignments[k] = &Assignment{Target: op.Target, From: op.Done}
	case op.Kind == Delete && exists:
		a.Until = op.Done
	}
}
