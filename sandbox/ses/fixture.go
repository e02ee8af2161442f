package ses

import (
	"regexp"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// accountFixture is SES's keys of an account's mapping: region → verified
// e-mail addresses and domains, region → identities whose verification is
// pending (created, the link never followed, the DNS records never
// published: SES will not send from them), and how the account may send.
type accountFixture struct {
	Line       int                             `yaml:"-"`
	Identities map[string][]fixture.LineString `yaml:"ses_identities"`
	Pending    map[string][]fixture.LineString `yaml:"ses_pending_identities"`
	Sending    *sendingFixture                 `yaml:"ses_account"`
}

// sendingFixture is ses_account: production access and the sending quotas.
type sendingFixture struct {
	Line             int      `yaml:"-"`
	ProductionAccess *bool    `yaml:"production_access"`
	MaxSendRate      *float64 `yaml:"max_send_rate"`
	Max24HourSend    *float64 `yaml:"max_24_hour_send"`
}

var (
	fixtureDomain = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$`)
	fixtureEmail  = regexp.MustCompile(`^[^\s@]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$`)
	awsRegion     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// fixtureSection adds verified e-mail addresses and domains, per region.
func fixtureSection() fixture.Section {
	return fixture.PerAccount(func(l *fixture.Load, a *state.Account, f *accountFixture) {
		if f.Sending != nil {
			applySending(l, a, f.Sending)
		}
		addFixtureIdentities(l, a, f.Line, "ses_identities", f.Identities, true)
		addFixtureIdentities(l, a, f.Line, "ses_pending_identities", f.Pending, false)
	})
}

// addFixtureIdentities adds the identities of key, region by region.
func addFixtureIdentities(l *fixture.Load, a *state.Account, line int, key string, byRegion map[string][]fixture.LineString, verified bool) {
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		if !awsRegion.MatchString(region) {
			l.Errorf(line, "account %s: %s region %q is not an AWS region name (e.g. eu-west-1)", a.ID, key, region)
			continue
		}
		for _, id := range byRegion[region] {
			addFixtureIdentity(l, slot.Of(a), region, id, verified)
		}
	}
}

func addFixtureIdentity(l *fixture.Load, a *account, region string, id fixture.LineString, verified bool) {
	kind := typeDomain
	if strings.Contains(id.Value, "@") {
		kind = typeEmail
	}
	lower := strings.ToLower(id.Value)
	if (kind == typeDomain && !fixtureDomain.MatchString(lower)) || (kind == typeEmail && !fixtureEmail.MatchString(lower)) {
		l.Errorf(id.Line, "SES identity %q is neither an e-mail address nor a domain name", id.Value)
		return
	}
	ids := a.Identities[region]
	if ids == nil {
		ids = map[string]*identity{}
		a.Identities[region] = ids
	}
	if _, exists := ids[lower]; exists {
		l.Errorf(id.Line, "SES identity %s is listed twice in %s (or already exists)", id.Value, region)
		return
	}
	ids[lower] = &identity{Identity: id.Value, Type: kind, Verified: verified, Created: state.Now()}
}

// applySending sets the account's sending status; a fixture added to a running
// world may not change one already set (POST /_sandbox/ses/account does).
func applySending(l *fixture.Load, a *state.Account, f *sendingFixture) {
	s := &sendingSettings{ProductionAccess: f.ProductionAccess, MaxSendRate: f.MaxSendRate, Max24HourSend: f.Max24HourSend}
	if problem := s.check(); problem != "" {
		l.Errorf(f.Line, "account %s: ses_account: %s", a.ID, problem)
		return
	}
	part := slot.Of(a)
	if part.Sending != nil {
		l.Errorf(f.Line, "account %s: ses_account is already set (POST /_sandbox/ses/account changes it)", a.ID)
		return
	}
	part.Sending = s
}
