// Package okta is gatehouse serve's Okta hook: it provisions, suspends and
// deprovisions Identity Center users as Okta's event hook (or an Okta
// Workflows flow) reports people joining and leaving apps and groups and
// changing status.
//
// Okta waits three seconds for an answer and retries once, at most, so the
// hook answers as soon as a delivery's events are in the journal's queue
// (Hook), and a Processor works the queue afterwards: each person in turn,
// with retries and backoff, every event accounted for. What the events say
// is kept as registers only a newer event overwrites (see package journal),
// and a Reconciler brings a person's Identity Center user to what the
// registers say — through the onboarding and offboarding lifecycles — so
// duplicates, replays and late arrivals converge on the same end state.
package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// The event types the hook acts on.
const (
	AppUserAdd        = "application.user_membership.add"
	AppUserRemove     = "application.user_membership.remove"
	GroupUserAdd      = "group.user_membership.add"
	GroupUserRemove   = "group.user_membership.remove"
	UserDeactivate    = "user.lifecycle.deactivate"
	UserSuspend       = "user.lifecycle.suspend"
	UserUnsuspend     = "user.lifecycle.unsuspend"
	UserReactivate    = "user.lifecycle.reactivate"
	deliveryEventType = "com.okta.event_hook"
)

// Delivery is the body of an event hook request, as Okta documents it.
type Delivery struct {
	EventType          string `json:"eventType"` // com.okta.event_hook
	EventTypeVersion   string `json:"eventTypeVersion"`
	CloudEventsVersion string `json:"cloudEventsVersion"`
	Source             string `json:"source"` // the event hook's address in the org
	EventID            string `json:"eventId"`
	EventTime          string `json:"eventTime"`
	Data               struct {
		Events []Event `json:"events"`
	} `json:"data"`
}

// Event is one System Log event of a delivery: the parts the hook reads.
type Event struct {
	UUID           string    `json:"uuid"`
	Published      time.Time `json:"published"`
	EventType      string    `json:"eventType"`
	DisplayMessage string    `json:"displayMessage"`
	Outcome        *struct {
		Result string `json:"result"` // SUCCESS, FAILURE, …
	} `json:"outcome"`
	Target []Target `json:"target"`
}

// Target is something an event is about: the user, the app, the group.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"` // User, AppUser, AppInstance, UserGroup
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// maxEvents bounds one delivery; Okta sends far fewer.
const maxEvents = 1000

// ParseDelivery reads an event hook request's body. A body that is not a
// delivery, or an event without a uuid or a published time (which could be
// neither deduplicated nor ordered), makes the whole delivery bad input.
func ParseDelivery(body []byte) (Delivery, error) {
	var d Delivery
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("reading the delivery: not the JSON of an Okta event hook (%v)", err)
	}
	if d.EventType != deliveryEventType {
		return d, fmt.Errorf("reading the delivery: eventType is %q, not %s", d.EventType, deliveryEventType)
	}
	if len(d.Data.Events) > maxEvents {
		return d, fmt.Errorf("reading the delivery: %d events, more than %d", len(d.Data.Events), maxEvents)
	}
	var errs []error
	for i, e := range d.Data.Events {
		if e.UUID == "" || len(e.UUID) > 128 || e.Published.IsZero() {
			errs = append(errs, fmt.Errorf("event %d (%s) needs a uuid and a published time", i+1, e.EventType))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return d, fmt.Errorf("reading the delivery: %w", err)
	}
	return d, nil
}

// queued is what the queue keeps of e, with the mapping's view: which app
// or group it is about and whether the mapping names it.
func queued(o *spec.Okta, e Event) journal.OktaEvent {
	q := journal.OktaEvent{UUID: e.UUID, Kind: journal.OktaKindEvent, Type: e.EventType, Published: e.Published, Subject: "none"}
	user, ok := target(e, "User")
	if !ok {
		q.Ignore = "it names no Okta user"
		return q
	}
	q.Subject, q.Login, q.DisplayName = user.ID, user.AlternateID, user.DisplayName
	if e.Outcome != nil && e.Outcome.Result != "" && !strings.EqualFold(e.Outcome.Result, "SUCCESS") {
		q.Ignore = "Okta reports the outcome " + e.Outcome.Result + ": nothing changed there"
		return q
	}
	switch e.EventType {
	case AppUserAdd, AppUserRemove:
		membership(&q, e, "AppInstance", "app", o.Apps, e.EventType == AppUserAdd)
	case GroupUserAdd, GroupUserRemove:
		membership(&q, e, "UserGroup", "group", o.Groups, e.EventType == GroupUserAdd)
	case UserDeactivate:
		q.Change = journal.OktaDeactivated
	case UserSuspend:
		q.Change = journal.OktaSuspended
	case UserUnsuspend, UserReactivate:
		q.Change = journal.OktaActive
	default:
		q.Ignore = "gatehouse does not act on " + e.EventType
	}
	return q
}

// membership fills in a membership change of the app or group e names.
// One the mapping does not name is kept too (a later mapping may), and
// needs no reconcile.
func membership(q *journal.OktaEvent, e Event, kind, noun string, grants []spec.OktaGrant, joined bool) {
	src, ok := target(e, kind)
	if !ok {
		q.Ignore = "it names no " + kind
		return
	}
	q.Change, q.Source, q.SourceName = journal.OktaLeave, noun+":"+src.ID, src.DisplayName
	if joined {
		q.Change = journal.OktaJoin
	}
	if g, ok := findGrant(grants, src.ID, src.AlternateID, src.DisplayName); ok {
		q.SourceName = g.Key
		return
	}
	q.Ignore = fmt.Sprintf("%s %q (%s) is not in okta.%ss: nothing to grant or take", noun, src.DisplayName, src.ID, noun)
}

// findGrant is the grant for the app or group with this ID or these names.
func findGrant(grants []spec.OktaGrant, id string, names ...string) (spec.OktaGrant, bool) {
	for _, g := range grants {
		if g.Matches(id, names...) {
			return g, true
		}
	}
	return spec.OktaGrant{}, false
}

// target is e's first target of type kind.
func target(e Event, kind string) (Target, bool) {
	for _, t := range e.Target {
		if t.Type == kind && t.ID != "" {
			return t, true
		}
	}
	return Target{}, false
}
