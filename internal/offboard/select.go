package offboard

import (
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// selector is one person as the input names them: by user name, or by
// e-mail address (the user of that name, or any user gatehouse tagged with
// the address).
type selector struct {
	label    string   // as the input says it
	userName string   // compared case-insensitively, as IAM does
	email    string   // "" when named by user name alone
	accounts []string // only these accounts (the spec's per-person list); nil: every selected one
}

func selectorsOf(in *spec.Input) []selector {
	out := make([]selector, 0, len(in.People))
	for _, p := range in.People {
		label := p.Email // the person; the user name is how one account knows them
		if label == "" {
			label = p.UserName
		}
		out = append(out, selector{label: label, userName: p.UserName, email: p.Email, accounts: p.Accounts})
	}
	return out
}

func (s selector) in(account string) bool {
	return len(s.accounts) == 0 || slices.Contains(s.accounts, account)
}

// selection turns the selectors and tag filter into targets in one account.
type selection struct {
	selectors []selector
	tags      map[string]string // every one must match; empty: no filter
}

// needsListing reports whether finding the users takes a listing: an
// e-mail address may be on any user's tag, and a tag filter needs every
// user's tags. Users named by user name alone are read directly.
func (sel selection) needsListing() bool {
	if len(sel.tags) > 0 {
		return true
	}
	return slices.ContainsFunc(sel.selectors, func(s selector) bool { return s.email != "" })
}

// placements are the users in scope s the selection names, in input order,
// each once. A person who matches nobody gets a placement without a user
// (absent).
func (sel selection) placements(s *engine.Scope, users []engine.Listed) []*Placement {
	var out []*Placement
	seen := map[string]bool{}
	add := func(label, name string) {
		key := strings.ToLower(name)
		if name != "" && seen[key] {
			return
		}
		seen[key] = true
		out = append(out, &Placement{Person: label, Scope: s, UserName: name})
	}
	if len(sel.selectors) == 0 { // by tag alone
		for _, u := range users {
			if sel.tagged(u) {
				add(sel.tagLabel(), u.Name)
			}
		}
		return out
	}
	for _, sr := range sel.selectors {
		if !sr.in(s.ID) {
			continue
		}
		if users == nil {
			add(sr.label, sr.userName)
			continue
		}
		found, untagged := false, false
		for _, u := range users {
			if !sr.matches(u) {
				continue
			}
			if !sel.tagged(u) {
				untagged = true
				continue
			}
			add(sr.label, u.Name)
			found = true
		}
		if !found {
			pl := &Placement{Person: sr.label, Scope: s, UserName: sr.userName, State: StateAbsent, Note: "no such user"}
			if untagged {
				pl.Note = "its user does not carry " + sel.tagLabel()
			}
			out = append(out, pl)
		}
	}
	return out
}

// matches reports whether u is the person s names: by user name, or by
// e-mail address (the user of that name, or the user the directory records
// the address for).
func (s selector) matches(u engine.Listed) bool {
	if strings.EqualFold(u.Name, s.userName) {
		return true
	}
	return s.email != "" && (strings.EqualFold(u.Name, s.email) || strings.EqualFold(u.Email, s.email))
}

func (sel selection) tagged(u engine.Listed) bool {
	for k, v := range sel.tags {
		if got, ok := u.Tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// tagLabel names the people selected by tag: "tag team=legacy".
func (sel selection) tagLabel() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(sel.tags)) {
		parts = append(parts, k+"="+sel.tags[k])
	}
	return "tag " + strings.Join(parts, ",")
}
