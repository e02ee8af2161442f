// Package eventstate is EventBridge's part of every account: the rules of
// its default event bus in each region, their targets, and the events put
// on it lately. It is a data package (it imports only sandbox/state) and
// holds the Event type that CloudTrail's records travel in, so the trail
// can hand its events to the bus without importing EventBridge.
package eventstate

import (
	"encoding/json"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Account is EventBridge's part of one account.
type Account struct {
	// Rules are the default bus's, by region and name.
	Rules map[string]map[string]*Rule `json:"events_rules,omitempty"`
	// Recent are the last events put on the account's buses, newest last,
	// for GET /_sandbox/events. They are the sandbox's own record, not AWS
	// state, so they are kept in memory only: in the state a commit writes
	// a part's plain fields whole, and every IAM write puts an event, so the
	// last hundred (some 100 KiB) went to disk with each of them.
	Recent []*Put `json:"-"`
}

// Slot is EventBridge's part of every account.
var Slot = state.NewAccountSlot("events", func(a *Account) {
	if a.Rules == nil {
		a.Rules = map[string]map[string]*Rule{}
	}
})

// Rule is a rule on the default bus.
type Rule struct {
	Name               string      `json:"name"`
	Account            string      `json:"account"`
	Region             string      `json:"region"`
	EventPattern       string      `json:"event_pattern,omitempty"`
	ScheduleExpression string      `json:"schedule_expression,omitempty"`
	State              string      `json:"state"`
	Description        string      `json:"description,omitempty"`
	RoleArn            string      `json:"role_arn,omitempty"`
	Tags               []state.Tag `json:"tags,omitempty"`
	Targets            []*Target   `json:"targets"`
}

// ARN is the rule's ARN (rules of the default bus have no bus in it).
func (r *Rule) ARN() string {
	return "arn:aws:events:" + r.Region + ":" + r.Account + ":rule/" + r.Name
}

// Target is where a rule sends the events it matches.
type Target struct {
	ID        string `json:"id"`
	Arn       string `json:"arn"`
	Input     string `json:"input,omitempty"`
	InputPath string `json:"input_path,omitempty"`
	RoleArn   string `json:"role_arn,omitempty"`
}

// Event is an event as EventBridge delivers it, its fields in EventBridge's
// order.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// TimeFormat is how events write their time.
const TimeFormat = "2006-01-02T15:04:05Z"

// NewEvent is an event put now on a bus of account in region.
func NewEvent(id, account, region, source, detailType string, detail json.RawMessage, at time.Time) *Event {
	return &Event{Version: "0", ID: id, DetailType: detailType, Source: source, Account: account,
		Time: at.UTC().Format(TimeFormat), Region: region, Resources: []string{}, Detail: detail}
}

// Put is one event put on a bus and what became of it.
type Put struct {
	Event *Event `json:"event"`
	Bus   string `json:"bus"`
	// Rules are the rules it matched; Failed the targets it could not reach.
	Rules  []string `json:"rules"`
	Failed []string `json:"failed,omitempty"`
}

// recentLimit is how many events an account keeps for inspection.
const recentLimit = 100

// Remember records a put event, keeping the last 100.
func (a *Account) Remember(p *Put) {
	a.Recent = append(a.Recent, p)
	if n := len(a.Recent) - recentLimit; n > 0 {
		a.Recent = append([]*Put(nil), a.Recent[n:]...)
	}
}
