package okta

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// presence is whether a person should have an Identity Center user.
type presence int

const (
	// unknown: no event the hook received says the person is in, or was
	// in, an app or group the mapping names — they may have been assigned
	// before the hook existed. Nobody is created or removed on that.
	unknown presence = iota
	present          // a member of at least one mapped app or group
	absent           // deactivated, or left every mapped app and group they were in
)

// desired is what the registers say a person should have.
type desired struct {
	presence presence
	// keep are the grants of the mapped apps and groups the person is a
	// member of; take those of the ones they left. Only what take grants
	// and keep does not is taken away: what the hook never heard of (an
	// assignment made by hand, a membership from before the hook) stays.
	keep, take []spec.OktaGrant
	why        string // for people: why present or absent
}

// desire reads what s's registers say under the mapping o.
func desire(o *spec.Okta, s journal.OktaSubject) desired {
	var d desired
	var in, left []string
	for _, m := range s.Memberships {
		g, ok := grantOf(o, m)
		if !ok {
			continue
		}
		if m.Member {
			d.keep, in = append(d.keep, g), append(in, m.SourceName)
		} else {
			d.take, left = append(d.take, g), append(left, m.SourceName)
		}
	}
	switch {
	case s.Status == journal.OktaDeactivated:
		d.presence, d.why = absent, "deactivated in Okta"
	case len(in) > 0:
		d.presence, d.why = present, "a member of "+strings.Join(in, ", ")
	case len(left) > 0:
		d.presence, d.why = absent, "left "+strings.Join(left, ", ")+", and is in no other mapped app or group"
	default:
		d.why = "no event has said the person is in a mapped app or group"
	}
	return d
}

// grantOf is the mapping's grant for the app or group of membership m.
func grantOf(o *spec.Okta, m journal.OktaMembership) (spec.OktaGrant, bool) {
	kind, id, _ := strings.Cut(m.Source, ":")
	grants := o.Apps
	if kind == "group" {
		grants = o.Groups
	}
	return findGrant(grants, id, m.SourceName)
}

// people turns grants into the person shapes a directory's Revoke takes:
// their groups and assignments together.
func grantsPerson(grants []spec.OktaGrant) spec.Person {
	var p spec.Person
	for _, g := range grants {
		p.Groups = append(p.Groups, g.Groups...)
		p.Assignments = append(p.Assignments, g.Assignments...)
	}
	return p
}
