package spec

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// The gatehouse spec, in YAML or JSON: field tables per mapping. Adding a key
// here without adding it to schema/gatehouse-spec.schema.json fails the schema
// test, and the other way round.

const passwordLengthFix = "use 20 to 128"

var specFields = fields[draft]{
	"version": func(d *decoder, v *yaml.Node, s *draft) {
		s.version = d.integer(v, "version", "write version: 1")
	},
	"accounts": func(d *decoder, v *yaml.Node, s *draft) { s.accounts = d.accounts(v) },
	"role": func(d *decoder, v *yaml.Node, s *draft) {
		s.role.pos = d.pos(resolve(v))
		decodeMapping(d, v, "role", roleFields, &s.role)
	},
	"password": func(d *decoder, v *yaml.Node, s *draft) {
		decodeMapping(d, v, "password", passwordFields, &s.password)
	},
	"delivery": func(d *decoder, v *yaml.Node, s *draft) {
		decodeMapping(d, v, "delivery", deliveryFields, &s.delivery)
	},
	"defaults": func(d *decoder, v *yaml.Node, s *draft) {
		s.defaults.pos = d.pos(resolve(v))
		decodeMapping(d, v, "defaults", defaultsFields, &s.defaults)
	},
	"people": func(d *decoder, v *yaml.Node, s *draft) {
		s.peoplePos = d.pos(resolve(v))
		s.people = d.people(v)
	},
	"directory": func(d *decoder, v *yaml.Node, s *draft) { s.directory = d.str(v, "directory") },
	"identity_center": func(d *decoder, v *yaml.Node, s *draft) {
		decodeMapping(d, v, "identity_center", identityCenterFields, s)
	},
	"events": func(d *decoder, v *yaml.Node, s *draft) {
		s.events = &eventsDraft{pos: d.pos(resolve(v))}
		decodeMapping(d, v, "events", eventsFields, s.events)
	},
	"okta": func(d *decoder, v *yaml.Node, s *draft) {
		s.okta = &oktaDraft{pos: d.pos(resolve(v))}
		decodeMapping(d, v, "okta", oktaFields, s.okta)
	},
	"checks": func(d *decoder, v *yaml.Node, s *draft) {
		decodeMapping(d, v, "checks", checksFields, &s.checks)
	},
}

// checksFields are what gatehouse doctor verifies besides what every run
// needs.
var checksFields = fields[checksDraft]{
	"deny_iam_groups": func(d *decoder, v *yaml.Node, c *checksDraft) {
		c.denyIAMGroups = d.list(v, "deny_iam_groups")
	},
}

var roleFields = fields[roleDraft]{
	"name":         func(d *decoder, v *yaml.Node, r *roleDraft) { r.name = d.str(v, "role name") },
	"arn":          func(d *decoder, v *yaml.Node, r *roleDraft) { r.arn = d.str(v, "role arn") },
	"external_id":  func(d *decoder, v *yaml.Node, r *roleDraft) { r.externalID = d.str(v, "external_id") },
	"session_name": func(d *decoder, v *yaml.Node, r *roleDraft) { r.sessionName = d.str(v, "session_name") },
}

var passwordFields = fields[passwordDraft]{
	"length": func(d *decoder, v *yaml.Node, p *passwordDraft) {
		p.length = d.integer(v, "password length", passwordLengthFix)
	},
	"source": func(d *decoder, v *yaml.Node, p *passwordDraft) { p.source = d.str(v, "password source") },
	"reset_required": func(d *decoder, v *yaml.Node, p *passwordDraft) {
		p.resetRequired = d.boolean(v, "reset_required")
	},
}

var deliveryFields = fields[deliveryDraft]{
	"channel":  func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.channel = d.str(v, "delivery channel") },
	"from":     func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.from = d.str(v, "from") },
	"reply_to": func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.replyTo = d.str(v, "reply_to") },
	"subject":  func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.subject = d.text(v, "subject") },
	"language": func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.language = d.str(v, "language") },
	"per_account": func(d *decoder, v *yaml.Node, m *deliveryDraft) {
		m.perAcct = d.boolean(v, "per_account")
	},
	"template": func(d *decoder, v *yaml.Node, m *deliveryDraft) {
		decodeMapping(d, v, "template", templateFields, m)
	},
	"smtp":  func(d *decoder, v *yaml.Node, m *deliveryDraft) { decodeMapping(d, v, "smtp", smtpFields, &m.smtp) },
	"slack": func(d *decoder, v *yaml.Node, m *deliveryDraft) { decodeMapping(d, v, "slack", slackFields, &m.slack) },
	"claim": func(d *decoder, v *yaml.Node, m *deliveryDraft) { decodeMapping(d, v, "claim", claimFields, &m.claim) },
	"file":  func(d *decoder, v *yaml.Node, m *deliveryDraft) { decodeMapping(d, v, "file", fileFields, &m.file) },
}

var templateFields = fields[deliveryDraft]{
	"text": func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.text = d.text(v, "text template") },
	"html": func(d *decoder, v *yaml.Node, m *deliveryDraft) { m.html = d.text(v, "html template") },
}

var personFields = fields[personDraft]{
	"email":     func(d *decoder, v *yaml.Node, p *personDraft) { p.email = d.str(v, "email") },
	"user_name": func(d *decoder, v *yaml.Node, p *personDraft) { p.userName = d.str(v, "user_name") },
	"name":      func(d *decoder, v *yaml.Node, p *personDraft) { p.displayName = d.str(v, "name") },
	"path":      func(d *decoder, v *yaml.Node, p *personDraft) { p.path = d.str(v, "path") },
	"boundary":  func(d *decoder, v *yaml.Node, p *personDraft) { p.boundary = d.str(v, "boundary") },
	"deliver":   func(d *decoder, v *yaml.Node, p *personDraft) { p.deliver = d.str(v, "deliver") },
	"language":  func(d *decoder, v *yaml.Node, p *personDraft) { p.language = d.str(v, "language") },
	"groups":    func(d *decoder, v *yaml.Node, p *personDraft) { p.groups = d.list(v, "groups") },
	"policies":  func(d *decoder, v *yaml.Node, p *personDraft) { p.policies = d.list(v, "policies") },
	"accounts":  func(d *decoder, v *yaml.Node, p *personDraft) { p.accounts = d.list(v, "accounts") },
	"tags":      func(d *decoder, v *yaml.Node, p *personDraft) { p.tags = d.tags(v, "tags") },
	"public_key": func(d *decoder, v *yaml.Node, p *personDraft) {
		p.publicKey = d.str(v, "public_key")
	},
	"public_key_file": func(d *decoder, v *yaml.Node, p *personDraft) {
		p.publicKeyFile = d.str(v, "public_key_file")
	},
	"given_name":  func(d *decoder, v *yaml.Node, p *personDraft) { p.givenName = d.str(v, "given_name") },
	"family_name": func(d *decoder, v *yaml.Node, p *personDraft) { p.familyName = d.str(v, "family_name") },
	"assignments": func(d *decoder, v *yaml.Node, p *personDraft) { p.assignments = d.assignments(v) },
	"suspended":   func(d *decoder, v *yaml.Node, p *personDraft) { p.suspended = d.boolean(v, "suspended") },
}

// defaultsFields are the person fields that make sense for everyone: not a
// public key, which is one person's.
var defaultsFields = pick(personFields, "groups", "policies", "boundary", "tags", "path", "language", "deliver", "assignments")

var ouFields = fields[accountsDraft]{
	"ou": func(d *decoder, v *yaml.Node, a *accountsDraft) {
		if ou := d.str(v, "ou"); ou.Set {
			a.ous = append(a.ous, ou)
		}
	},
}

func pick[T any](from fields[T], keys ...string) fields[T] {
	out := fields[T]{}
	for _, k := range keys {
		out[k] = from[k]
	}
	return out
}

// accounts reads `accounts: all` or a list of IDs and {ou: …} entries.
func (d *decoder) accounts(n *yaml.Node) accountsDraft {
	var a accountsDraft
	n = resolve(n)
	switch {
	case isNull(n):
		return a
	case n.Kind == yaml.ScalarNode && strings.EqualFold(strings.TrimSpace(n.Value), "all"):
		a.all = setVal(true, d.pos(n))
		return a
	case n.Kind != yaml.SequenceNode:
		d.probs.add(d.pos(n), "accounts", `expected all, or a list of 12-digit account IDs and {ou: ou-…} entries, not `+kindName(n))
		return a
	}
	for _, item := range n.Content {
		item = resolve(item)
		switch {
		case item.Kind == yaml.MappingNode:
			decodeMapping(d, item, "an accounts entry", ouFields, &a)
		case item.Kind == yaml.ScalarNode && strings.EqualFold(strings.TrimSpace(item.Value), "all"):
			d.probs.add(d.pos(item), "all in a list of accounts", "write accounts: all on its own")
		default:
			if id := d.str(item, "an account"); id.Set {
				a.ids = append(a.ids, id)
			}
		}
	}
	return a
}

// people reads the list of people; an entry may be just an e-mail address.
func (d *decoder) people(n *yaml.Node) []personDraft {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.add(d.pos(n), "people", "expected a list of people (- email: …), not "+kindName(n))
		return nil
	}
	out := make([]personDraft, 0, len(n.Content))
	for _, item := range n.Content {
		item = resolve(item)
		p := personDraft{pos: d.pos(item)}
		if item.Kind == yaml.ScalarNode {
			p.email = d.str(item, "email")
		} else {
			decodeMapping(d, item, "a person", personFields, &p)
		}
		out = append(out, p)
	}
	return out
}
