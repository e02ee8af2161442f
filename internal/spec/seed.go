package spec

import (
	"gopkg.in/yaml.v3"
)

// The execution inputs of the Step Functions workflows gatehouse replaces are
// read as they are, so an existing input file is a drop-in: seed 000's
// {"IAMUserNames": [e-mail, …]} and seed 001's {"AccountId": "…", "UserNames": […]}.

var seed000Fields = fields[draft]{
	// Seed 000 names users by e-mail address, adds them to one group and mails
	// them through SES.
	"IAMUserNames": func(d *decoder, v *yaml.Node, s *draft) {
		pos := d.pos(resolve(v))
		s.peoplePos = pos
		for _, name := range d.list(v, "IAMUserNames") {
			s.people = append(s.people, personDraft{pos: name.Pos, email: name})
		}
		s.defaults.groups = []val[string]{setVal(Seed000Group, pos)}
		s.delivery.channel = setVal(ChannelSES, pos)
	},
}

var seed001Fields = fields[draft]{
	"AccountId": func(d *decoder, v *yaml.Node, s *draft) {
		if id := d.str(v, "AccountId"); id.Set {
			s.accounts.ids = []val[string]{id}
		}
	},
	// Seed 001 returns the credentials instead of mailing them; its user names
	// need not be e-mail addresses.
	"UserNames": func(d *decoder, v *yaml.Node, s *draft) {
		pos := d.pos(resolve(v))
		s.peoplePos = pos
		for _, name := range d.list(v, "UserNames") {
			p := personDraft{pos: name.Pos, userName: name}
			if isEmail(name.V) {
				p.email = name
			}
			s.people = append(s.people, p)
		}
		s.delivery.channel = setVal(ChannelNone, pos)
	},
}

// FormatSeed004 is seed 004's Lambda payload, which Okta Workflows builds
// from an Okta user: {"UserName", "DisplayName", "GivenName", "FamilyName",
// "Emails": [{"Value", "Primary"}]} — one Identity Center user.
const FormatSeed004 = "seed004"

var seed004Fields = fields[draft]{
	"UserName": func(d *decoder, v *yaml.Node, s *draft) {
		seedPerson(s, d.pos(resolve(v))).userName = d.str(v, "UserName")
	},
	"DisplayName": func(d *decoder, v *yaml.Node, s *draft) {
		seedPerson(s, d.pos(resolve(v))).displayName = d.str(v, "DisplayName")
	},
	"GivenName": func(d *decoder, v *yaml.Node, s *draft) {
		seedPerson(s, d.pos(resolve(v))).givenName = d.str(v, "GivenName")
	},
	"FamilyName": func(d *decoder, v *yaml.Node, s *draft) {
		seedPerson(s, d.pos(resolve(v))).familyName = d.str(v, "FamilyName")
	},
	"Emails": func(d *decoder, v *yaml.Node, s *draft) {
		p := seedPerson(s, d.pos(resolve(v)))
		for _, e := range d.seedEmails(v) {
			if !p.email.Set || e.primary {
				p.email = e.value
			}
		}
	},
}

// seedPerson is seed 004's one person, made on first use; the payload
// implies the Identity Center directory and, like the seed, no message.
func seedPerson(s *draft, pos Pos) *personDraft {
	if len(s.people) == 0 {
		s.people = []personDraft{{pos: pos}}
		s.peoplePos = pos
		s.directory = setVal(DirectoryIdentityCenter, pos)
		s.delivery.channel = setVal(ChannelNone, pos)
	}
	return &s.people[0]
}

type seedEmail struct {
	value   val[string]
	primary bool
}

var seedEmailFields = fields[seedEmail]{
	"Value":   func(d *decoder, v *yaml.Node, e *seedEmail) { e.value = d.str(v, "Emails Value") },
	"Primary": func(d *decoder, v *yaml.Node, e *seedEmail) { e.primary = d.boolean(v, "Emails Primary").V },
	"Type":    func(d *decoder, v *yaml.Node, e *seedEmail) {},
}

// seedEmails reads seed 004's Emails: a list of {Value, Primary, Type}.
func (d *decoder) seedEmails(n *yaml.Node) []seedEmail {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.probs.add(d.pos(n), "Emails", `expected a list of {"Value": ADDRESS, "Primary": true}, not `+kindName(n))
		return nil
	}
	var out []seedEmail
	for _, item := range n.Content {
		var e seedEmail
		decodeMapping(d, item, "an Emails entry", seedEmailFields, &e)
		out = append(out, e)
	}
	return out
}

// seedForm tells which form a document's top-level mapping is in.
func seedForm(root *yaml.Node) string {
	form := ""
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch resolve(root.Content[i]).Value {
		case "AccountId", "UserNames":
			return FormatSeed001
		case "IAMUserNames":
			form = FormatSeed000
		case "GivenName", "FamilyName", "Emails":
			return FormatSeed004
		}
	}
	return form
}

// decodeDocument reads a YAML or JSON document in any of the forms; false means
// it is not a mapping at all, so there is nothing more to check.
func decodeDocument(d *decoder, root *yaml.Node, s *draft) bool {
	root = resolve(root)
	if root.Kind != yaml.MappingNode {
		fix := "expected a mapping with people: (and accounts:, role:, delivery: …), not " + kindName(root)
		if root.Kind == yaml.ScalarNode {
			fix += "; a CSV file needs a header row with an email column"
		}
		d.probs.add(d.pos(root), "the top level", fix)
		return false
	}
	switch seedForm(root) {
	case FormatSeed000:
		s.format = FormatSeed000
		decodeMapping(d, root, `seed 000's input`, seed000Fields, s)
	case FormatSeed001:
		s.format = FormatSeed001
		decodeMapping(d, root, `seed 001's input`, seed001Fields, s)
	case FormatSeed004:
		s.format = FormatSeed004
		decodeMapping(d, root, `seed 004's payload`, seed004Fields, s)
	default:
		s.peoplePos = Pos{File: d.file}
		decodeMapping(d, root, "the spec", specFields, s)
	}
	return true
}
