package organizations

import (
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// fixtureSection is the top-level organization of a fixture file.
func fixtureSection() fixture.Section {
	return fixture.TopLevel("organization", func(l *fixture.Load, f *orgFixture) {
		fixtureLoad{l}.applyOrganization(f)
	})
}

// fixtureLoad is a fixture being applied, as Organizations' section loads it.
type fixtureLoad struct{ *fixture.Load }

// orgFixture is the organization section: the management account, the
// accounts under the root and the OUs.
type orgFixture struct {
	Line              int             `yaml:"-"`
	ManagementAccount string          `yaml:"management_account"`
	FeatureSet        string          `yaml:"feature_set"`
	Accounts          []memberFixture `yaml:"accounts"`
	Units             []unitFixture   `yaml:"units"`
}

type unitFixture struct {
	Line     int             `yaml:"-"`
	Name     string          `yaml:"name"`
	Accounts []memberFixture `yaml:"accounts"`
	Units    []unitFixture   `yaml:"units"`
}

type memberFixture struct {
	Line  int    `yaml:"-"`
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

// applyOrganization creates the organisation (or extends the one a previous
// fixture created with the same management account): OUs by name under their
// parent, and member accounts with their name and e-mail.
func (l fixtureLoad) applyOrganization(f *orgFixture) {
	if !state.IsAccountID(f.ManagementAccount) {
		l.Errorf(f.Line, "organization: management_account %q must be a 12-digit account ID in quotes", f.ManagementAccount)
		return
	}
	switch f.FeatureSet {
	case "":
		f.FeatureSet = "ALL"
	case "ALL", "CONSOLIDATED_BILLING":
	default:
		l.Errorf(f.Line, "organization: feature_set %q must be ALL or CONSOLIDATED_BILLING", f.FeatureSet)
	}
	org := orgstate.Of(l.World)
	if org == nil {
		root := lowerID(4)
		org = &orgstate.Organization{
			ID: "o-" + lowerID(10), ManagementAccount: f.ManagementAccount, RootID: "r-" + root,
			FeatureSet: f.FeatureSet, OUs: map[string]*orgstate.OU{},
		}
		orgstate.Set(l.World, org)
	} else if org.ManagementAccount != f.ManagementAccount {
		l.Errorf(f.Line, "organization: the sandbox already has organisation %s managed by %s; a fixture cannot add a second one", org.ID, org.ManagementAccount)
		return
	}
	names := map[string]bool{}
	l.applyMembers(org.RootID, f.Accounts)
	l.applyUnits(org, org.RootID, f.Units, 1, names)
	mgmt, ok := l.World.Accounts[f.ManagementAccount]
	if !ok || !orgstate.MembershipOf(mgmt).InOrg {
		l.Errorf(f.Line, "organization: management account %s must be listed under accounts (with name and email)", f.ManagementAccount)
	}
}

func (l fixtureLoad) applyUnits(org *orgstate.Organization, parent string, units []unitFixture, depth int, seen map[string]bool) {
	for _, u := range units {
		if n := utf8.RuneCountInString(u.Name); n < 1 || n > 128 {
			l.Errorf(u.Line, "organizational unit: name must be 1 to 128 characters")
			continue
		}
		if depth > maxOUNestingDeep {
			l.Errorf(u.Line, "organizational unit %s: AWS Organizations nests OUs at most %d deep", u.Name, maxOUNestingDeep)
			continue
		}
		key := parent + "/" + strings.ToLower(u.Name)
		if seen[key] {
			l.Errorf(u.Line, "organizational unit %s appears twice under the same parent", u.Name)
			continue
		}
		seen[key] = true
		ou := findOU(org, parent, u.Name)
		if ou == nil {
			ou = &orgstate.OU{ID: "ou-" + strings.TrimPrefix(org.RootID, "r-") + "-" + lowerID(8), Name: u.Name, ParentID: parent}
			org.OUs[ou.ID] = ou
		}
		l.applyMembers(ou.ID, u.Accounts)
		l.applyUnits(org, ou.ID, u.Units, depth+1, seen)
	}
}

// findOU returns the OU called name (case-insensitively) directly under parent.
func findOU(org *orgstate.Organization, parent, name string) *orgstate.OU {
	for _, ou := range org.OUs {
		if ou.ParentID == parent && strings.EqualFold(ou.Name, name) {
			return ou
		}
	}
	return nil
}

func (l fixtureLoad) applyMembers(parent string, members []memberFixture) {
	for _, m := range members {
		switch {
		case !state.IsAccountID(m.ID):
			l.Errorf(m.Line, "organization account: id %q must be a 12-digit account ID in quotes", m.ID)
			continue
		case m.Name == "" || utf8.RuneCountInString(m.Name) > 50:
			l.Errorf(m.Line, "organization account %s: name is required (at most 50 characters)", m.ID)
			continue
		case len(m.Email) < 6 || len(m.Email) > 64 || !emailPattern.MatchString(m.Email):
			l.Errorf(m.Line, "organization account %s: email %q must be an e-mail address of 6 to 64 characters", m.ID, m.Email)
			continue
		}
		if other := l.accountWithEmail(m.Email); other != "" && other != m.ID {
			l.Errorf(m.Line, "organization account %s: email %s is already used by account %s (AWS account e-mails are unique)", m.ID, m.Email, other)
			continue
		}
		a := orgstate.MembershipOf(l.World.Account(m.ID))
		if a.InOrg {
			l.Errorf(m.Line, "organization account %s is listed twice (or is already in the organisation)", m.ID)
			continue
		}
		a.InOrg, a.OrgName, a.OrgEmail, a.ParentID, a.Joined = true, m.Name, m.Email, parent, state.Now()
	}
}

// accountWithEmail returns the account that already uses an e-mail address.
func (l fixtureLoad) accountWithEmail(email string) string {
	for id, a := range l.World.Accounts {
		if m := orgstate.MembershipOf(a); m.InOrg && strings.EqualFold(m.OrgEmail, email) {
			return id
		}
	}
	return ""
}

// lowerID is n characters of AWS's ID alphabet in lower case, as Organizations' IDs are.
func lowerID(n int) string { return strings.ToLower(state.NewID("", n)) }
