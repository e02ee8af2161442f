package spec

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Events is how a watcher (gatehouse watch, the Lambda handler) completes
// IAM users created elsewhere: where a person's e-mail address is, which
// later tag marks a user for completion, and the rules that choose what a
// user gets. The spec's defaults apply to every rule.
type Events struct {
	// EmailTag is the tag that holds the person's address when the user
	// name is not one (default DefaultEmailTag).
	EmailTag string
	// CompleteTag, when set, makes a TagUser call that adds this tag (with
	// CompleteValue, or any value when that is empty) complete the user,
	// as CreateUser does.
	CompleteTag   string
	CompleteValue string
	// SkipUnmatched leaves users no rule matches alone (acknowledged and
	// reported); otherwise they get the defaults.
	SkipUnmatched bool
	Rules         []Rule
	// Defaults is what a user no rule matches gets: the spec's defaults.
	Defaults Person
}

// DefaultEmailTag is where a watcher looks for a person's address when the
// user name is not one.
const DefaultEmailTag = "email"

// Rule chooses what the users it matches get. The first rule that matches
// a user wins.
type Rule struct {
	Match Match
	// Person holds what matching users get: groups, policies, boundary,
	// tags, deliver, language — the defaults' fields, over the spec's
	// defaults.
	Person Person
	Pos    Pos
}

// Match says which users a rule is for; every condition given must hold.
type Match struct {
	PathPrefix string            // the user's path starts with it
	Tags       map[string]string // the user carries each tag ("" value: any value)
	Accounts   []string          // the user is in one of these accounts
}

// Matches reports whether a user with this path, tags and account matches.
func (m Match) Matches(path string, tags map[string]string, account string) bool {
	if m.PathPrefix != "" && !strings.HasPrefix(path, m.PathPrefix) {
		return false
	}
	for k, v := range m.Tags {
		got, ok := tags[k]
		if !ok || (v != "" && got != v) {
			return false
		}
	}
	if len(m.Accounts) > 0 {
		for _, a := range m.Accounts {
			if a == account {
				return true
			}
		}
		return false
	}
	return true
}

type eventsDraft struct {
	pos           Pos
	emailTag      val[string]
	completeTag   tagDraft
	skipUnmatched val[bool]
	rules         []ruleDraft
}

type ruleDraft struct {
	pos      Pos
	path     val[string]
	tags     []tagDraft
	accounts []val[string]
	person   personDraft
}

var eventsFields = fields[eventsDraft]{
	"email_tag": func(d *decoder, v *yaml.Node, e *eventsDraft) { e.emailTag = d.str(v, "email_tag") },
	"complete_on_tag": func(d *decoder, v *yaml.Node, e *eventsDraft) {
		decodeMapping(d, v, "complete_on_tag", completeFields, &e.completeTag)
	},
	"skip_unmatched": func(d *decoder, v *yaml.Node, e *eventsDraft) { e.skipUnmatched = d.boolean(v, "skip_unmatched") },
	"rules":          func(d *decoder, v *yaml.Node, e *eventsDraft) { e.rules = d.rules(v) },
}

var completeFields = fields[tagDraft]{
	"key":   func(d *decoder, v *yaml.Node, t *tagDraft) { t.key = d.str(v, "complete_on_tag key") },
	"value": func(d *decoder, v *yaml.Node, t *tagDraft) { t.value = d.str(v, "complete_on_tag value") },
}

var matchFields = fields[ruleDraft]{
	"path":     func(d *decoder, v *yaml.Node, r *ruleDraft) { r.path = d.str(v, "match path") },
	"tags":     func(d *decoder, v *yaml.Node, r *ruleDraft) { r.tags = d.tags(v, "match tags") },
	"accounts": func(d *decoder, v *yaml.Node, r *ruleDraft) { r.accounts = d.list(v, "match accounts") },
}

// ruleFields are a rule's keys: match, and what the defaults may say.
var ruleFields = func() fields[ruleDraft] {
	out := fields[ruleDraft]{"match": func(d *decoder, v *yaml.Node, r *ruleDraft) { decodeMapping(d, v, "match", matchFields, r) }}
	for k, f := range pick(personFields, "groups", "policies", "boundary", "tags", "path", "language", "deliver") {
		out[k] = func(d *decoder, v *yaml.Node, r *ruleDraft) { f(d, v, &r.person) }
	}
	return out
}()

// rules reads the rules list.
func (d *decoder) rules(n *yaml.Node) []ruleDraft {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.add(d.pos(n), "rules", "expected a list of rules (- match: …), not "+kindName(n))
		return nil
	}
	var out []ruleDraft
	for _, item := range n.Content {
		r := ruleDraft{pos: d.pos(resolve(item))}
		r.person.pos = r.pos
		decodeMapping(d, item, "rule", ruleFields, &r)
		out = append(out, r)
	}
	return out
}

// validateEvents checks the rules as the defaults are checked, and that
// each channel a rule names is set up.
func validateEvents(s *draft, used map[string]bool, probs *Problems) {
	e := s.events
	if e == nil {
		return
	}
	if e.completeTag.value.Set && !e.completeTag.key.Set {
		probs.add(e.completeTag.value.Pos, "complete_on_tag", "give the tag's key too")
	}
	for i := range e.rules {
		r := &e.rules[i]
		validateShared(s, &r.person, probs)
		pathRule.check(r.path, probs)
		checkTags(r.tags, probs)
		for _, id := range r.accounts {
			accountIDRule.check(id, probs)
		}
		used[channelOf(s, &r.person)] = true
	}
	used[channelOf(s, &personDraft{})] = true
}

func buildEvents(s *draft, language string) *Events {
	e := s.events
	if e == nil {
		return nil
	}
	out := &Events{EmailTag: first(e.emailTag, DefaultEmailTag), CompleteTag: e.completeTag.key.V,
		CompleteValue: e.completeTag.value.V, SkipUnmatched: e.skipUnmatched.V}
	for i := range e.rules {
		r := &e.rules[i]
		m := Match{PathPrefix: r.path.V, Accounts: dedupe(values(r.accounts), false)}
		if len(r.tags) > 0 {
			m.Tags = map[string]string{}
			for _, t := range r.tags {
				m.Tags[t.key.V] = t.value.V
			}
		}
		out.Rules = append(out.Rules, Rule{Match: m, Person: buildPerson(s, &r.person, language), Pos: r.pos})
	}
	out.Defaults = buildPerson(s, &personDraft{}, language)
	return out
}
