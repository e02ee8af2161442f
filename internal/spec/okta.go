package spec

import (
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"
)

// Okta is how gatehouse serve's Okta hook provisions Identity Center users
// from Okta: which Okta apps and groups grant which Identity Center groups
// and assignments, what a Workflows payload's person gets, and where the
// Users API is. The spec's defaults apply to everyone the hook provisions.
type Okta struct {
	// OrgURL is the Okta org whose Users API gives a person's profile
	// (names, address), with the token from GATEHOUSE_OKTA_TOKEN; "" takes
	// the profile from the event alone.
	OrgURL string
	// Adopt takes over Identity Center users gatehouse did not create (an
	// earlier Lambda's, seed 004's): without it they are reported and left
	// alone.
	Adopt bool
	// Apps and Groups grant, to the members of an Okta app or group, what
	// each says, in the order written.
	Apps   []OktaGrant
	Groups []OktaGrant
	// Workflows is what the person of an Okta Workflows payload gets.
	Workflows OktaGrant
	// Deliver is the channel that delivers to everyone the hook
	// provisions: the defaults' deliver, else the delivery channel.
	Deliver string

	draft *draft // the configuration, to build and check each person as a spec's
}

// OktaGrant is what being a member of one Okta app or group gives.
type OktaGrant struct {
	// Key names the app or group: its ID (names change, IDs do not), or
	// its label or name.
	Key         string
	Groups      []string
	Assignments []Assignment
	Pos         Pos
}

// Matches reports whether the grant is for the app or group with this ID,
// or one of these names (compared without case).
func (g OktaGrant) Matches(id string, names ...string) bool {
	if g.Key == id {
		return true
	}
	for _, n := range names {
		if n != "" && strings.EqualFold(g.Key, n) {
			return true
		}
	}
	return false
}

// OktaProfile is a person as Okta describes them.
type OktaProfile struct {
	Login       string // the Okta user name: the Identity Center user name
	Email       string
	DisplayName string
	GivenName   string // "" when Okta gave none: the display name is split
	FamilyName  string
}

type oktaDraft struct {
	pos       Pos
	org       val[string]
	adopt     val[bool]
	apps      []grantDraft
	groups    []grantDraft
	workflows grantDraft
}

type grantDraft struct {
	key    val[string]
	person personDraft // groups and assignments
}

var oktaFields = fields[oktaDraft]{
	"org":   func(d *decoder, v *yaml.Node, o *oktaDraft) { o.org = d.str(v, "okta org") },
	"adopt": func(d *decoder, v *yaml.Node, o *oktaDraft) { o.adopt = d.boolean(v, "okta adopt") },
	"apps": func(d *decoder, v *yaml.Node, o *oktaDraft) {
		o.apps = d.grants(v, "okta apps", "an app's ID or label")
	},
	"groups": func(d *decoder, v *yaml.Node, o *oktaDraft) {
		o.groups = d.grants(v, "okta groups", "a group's ID or name")
	},
	"workflows": func(d *decoder, v *yaml.Node, o *oktaDraft) {
		o.workflows = grantDraft{key: setVal("workflows", d.pos(resolve(v))), person: personDraft{pos: d.pos(resolve(v))}}
		decodeMapping(d, v, "okta workflows", grantFields, &o.workflows.person)
	},
}

// grantFields are what a grant gives: groups and assignments.
var grantFields = pick(personFields, "groups", "assignments")

// grants reads a mapping of app or group names to what membership grants.
func (d *decoder) grants(n *yaml.Node, what, key string) []grantDraft {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.probs.add(d.pos(n), what, "expected a mapping of "+key+" to {groups: […], assignments: […]}, not "+kindName(n))
		return nil
	}
	var out []grantDraft
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.str(n.Content[i], "a key of "+what)
		if !k.Set || k.V == "" {
			d.probs.add(k.Pos, "a key of "+what, "name "+key)
			continue
		}
		if first, dup := seen[strings.ToLower(k.V)]; dup {
			d.probs.add(k.Pos, what+" "+quote(k.V), "already given at "+first.String()+"; keep one")
			continue
		}
		seen[strings.ToLower(k.V)] = k.Pos
		g := grantDraft{key: k, person: personDraft{pos: k.Pos}}
		decodeMapping(d, n.Content[i+1], what+" "+quote(k.V), grantFields, &g.person)
		out = append(out, g)
	}
	return out
}

var oktaOrgURL = baseURL{what: "okta org", example: "https://example.okta.com",
	adds: "gatehouse adds /api/v1/users/ID to it", risk: "read the API token"}

// validateOkta checks the okta section: Identity Center, the org's address,
// and every grant's groups and assignments as a person's are checked.
func validateOkta(s *draft, probs *Problems) {
	o := s.okta
	if !s.identityCenter() {
		probs.add(o.pos, "okta", "the Okta hook provisions Identity Center users: set directory: identity-center")
	}
	oktaOrgURL.check(o.org, probs)
	if u, err := url.Parse(o.org.V); o.org.Set && err == nil && strings.Trim(u.Path, "/") != "" {
		probs.add(o.org.Pos, "okta org "+quote(o.org.V), "give the org's address alone, e.g. https://example.okta.com")
	}
	for _, g := range append(append(append([]grantDraft{}, o.apps...), o.groups...), o.workflows) {
		validateShared(s, &g.person, probs)
		validateAssignments(&g.person, probs)
	}
}

// ParseOktaConfig reads the Okta hook's configuration (gatehouse serve
// --okta-config): a gatehouse spec in YAML or JSON — directory,
// identity_center, delivery and defaults as onboard reads them — without
// people, with an okta section. Every problem comes back with its
// file:line, as Parse's.
func ParseOktaConfig(name string, data []byte, flags Flags) (*Input, error) {
	s, probs, ok := decodeConfig(name, data, "the Okta hook's configuration")
	if !ok {
		return nil, probs.sorted()
	}
	if len(s.people) > 0 {
		probs.add(s.peoplePos, "people", "the Okta hook's configuration names nobody: Okta's events say who; remove people")
	}
	if s.events != nil {
		probs.add(s.events.pos, "events", "the events section configures gatehouse watch; remove it here")
	}
	if s.okta == nil {
		probs.add(Pos{File: name}, "", "no okta section: add okta: with the apps and groups that grant Identity Center access")
		return nil, probs.sorted()
	}
	flags.apply(s, &probs)
	validateSettings(s, &probs)
	validateOkta(s, &probs)
	validateChannelNeeds(s, map[string]bool{channelOf(s, &personDraft{}): true}, &probs)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	in := build(s)
	in.Okta = buildOkta(s)
	return in, nil
}

func buildOkta(s *draft) *Okta {
	o := s.okta
	out := &Okta{OrgURL: strings.TrimRight(o.org.V, "/"), Adopt: o.adopt.V, Deliver: channelOf(s, &personDraft{}), draft: s}
	grant := func(g grantDraft) OktaGrant {
		return OktaGrant{Key: g.key.V, Groups: dedupe(values(g.person.groups), true),
			Assignments: buildAssignments(&personDraft{}, &g.person), Pos: g.key.Pos}
	}
	for _, g := range o.apps {
		out.Apps = append(out.Apps, grant(g))
	}
	for _, g := range o.groups {
		out.Groups = append(out.Groups, grant(g))
	}
	out.Workflows = grant(o.workflows)
	return out
}

// Person is the person Okta's profile describes, with the defaults and
// then each grant's groups and assignments, checked as a person in a spec
// is: a profile Identity Center cannot take (no address, one name only, a
// user name it refuses) comes back as Problems, positioned at where.
func (o *Okta) Person(p OktaProfile, where string, grants ...OktaGrant) (Person, error) {
	pos := Pos{File: where}
	d := personDraft{pos: pos, userName: setVal(p.Login, pos), email: setVal(p.Email, pos)}
	for _, f := range []struct {
		to *val[string]
		v  string
	}{{&d.displayName, p.DisplayName}, {&d.givenName, p.GivenName}, {&d.familyName, p.FamilyName}} {
		if f.v != "" {
			*f.to = setVal(f.v, pos)
		}
	}
	var probs Problems
	if p.Email == "" {
		d.email = val[string]{}
	}
	validateCenterPerson(o.draft, &d, &probs, checkEmail(d.email, &probs))
	if len(probs) > 0 {
		return Person{}, probs.sorted()
	}
	out := buildPerson(o.draft, &d, strings.ToLower(first(o.draft.delivery.language, LanguageEnglish)))
	for _, g := range grants {
		out.Groups = dedupe(append(out.Groups, g.Groups...), true)
		out.Assignments = append(out.Assignments, g.Assignments...)
	}
	return out, nil
}
