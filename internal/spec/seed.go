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

// seedForm tells which form a document's top-level mapping is in.
func seedForm(root *yaml.Node) string {
	form := ""
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch resolve(root.Content[i]).Value {
		case "AccountId", "UserNames":
			return FormatSeed001
		case "IAMUserNames":
			form = FormatSeed000
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
	default:
		s.peoplePos = Pos{File: d.file}
		decodeMapping(d, root, "the spec", specFields, s)
	}
	return true
}
