package ssoadmin

import (
	"errors"
	"regexp"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// fixtureSection is the top-level identity_center of a fixture file: the
// organisation's instance with its quotas, permission sets, groups and users.
// It loads after organization, whose management account owns the instance.
func fixtureSection() fixture.Section {
	return fixture.TopLevel("identity_center", func(l *fixture.Load, f *idcFixture) {
		fixtureLoad{l}.apply(f)
	})
}

// fixtureLoad is a fixture being applied, as Identity Center's section loads it.
type fixtureLoad struct{ *fixture.Load }

type idcFixture struct {
	Line            int                    `yaml:"-"`
	Name            string                 `yaml:"name"`
	InstanceID      string                 `yaml:"instance_id"`
	IdentityStoreID string                 `yaml:"identity_store_id"`
	Quotas          *idcstate.QuotasPatch  `yaml:"quotas"`
	PermissionSets  []permissionSetFixture `yaml:"permission_sets"`
	Groups          []groupFixture         `yaml:"groups"`
	Users           []userFixture          `yaml:"users"`
}

type permissionSetFixture struct {
	Line            int      `yaml:"-"`
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	SessionDuration string   `yaml:"session_duration"`
	ManagedPolicies []string `yaml:"managed_policies"`
}

type externalIDFixture struct {
	Issuer string `yaml:"issuer"`
	ID     string `yaml:"id"`
}

type groupFixture struct {
	Line        int                `yaml:"-"`
	DisplayName string             `yaml:"display_name"`
	Description string             `yaml:"description"`
	ExternalID  *externalIDFixture `yaml:"external_id"`
}

type userFixture struct {
	Line        int                `yaml:"-"`
	UserName    string             `yaml:"user_name"`
	DisplayName string             `yaml:"display_name"`
	GivenName   string             `yaml:"given_name"`
	FamilyName  string             `yaml:"family_name"`
	Email       string             `yaml:"email"`
	ExternalID  *externalIDFixture `yaml:"external_id"`
	Groups      []string           `yaml:"groups"`
}

var (
	instanceIDPattern = regexp.MustCompile(`^ssoins-[0-9a-f]{16}$`)
	storeIDPattern    = regexp.MustCompile(`^d-[0-9a-f]{10}$`)
)

// apply creates the organisation's instance, or extends the one the world
// has (a posted fixture adds users to it), and fills it.
func (l fixtureLoad) apply(f *idcFixture) {
	inst := l.instance(f)
	if inst == nil {
		return
	}
	if f.Quotas != nil {
		if problem := f.Quotas.Problem(); problem != "" {
			l.Errorf(f.Line, "identity_center: quotas: %s", problem)
		} else {
			idcstate.Of(l.World).SetQuotas(inst, f.Quotas.Apply(inst.Quotas))
		}
	}
	for i := range f.PermissionSets {
		l.permissionSet(inst, &f.PermissionSets[i])
	}
	for i := range f.Groups {
		l.group(inst, &f.Groups[i])
	}
	for i := range f.Users {
		l.user(inst, &f.Users[i])
	}
}

// instance returns the instance the section fills: the management
// account's, made when the world has none.
func (l fixtureLoad) instance(f *idcFixture) *idcstate.Instance {
	org := orgstate.Of(l.World)
	if org == nil {
		l.Errorf(f.Line, "identity_center: the instance belongs to the organisation's management account; define organization first")
		return nil
	}
	idc := idcstate.Of(l.World)
	if inst, ok := idc.OwnedBy(org.ManagementAccount); ok {
		if (f.InstanceID != "" && f.InstanceID != inst.ID) || (f.IdentityStoreID != "" && f.IdentityStoreID != inst.IdentityStoreID) {
			l.Errorf(f.Line, "identity_center: the sandbox already has instance %s (identity store %s); a fixture cannot add a second one", inst.ID, inst.IdentityStoreID)
			return nil
		}
		return inst
	}
	switch {
	case f.InstanceID != "" && !instanceIDPattern.MatchString(f.InstanceID):
		l.Errorf(f.Line, "identity_center: instance_id %q must be ssoins- and 16 lower-case hex digits", f.InstanceID)
	case f.IdentityStoreID != "" && !storeIDPattern.MatchString(f.IdentityStoreID):
		l.Errorf(f.Line, "identity_center: identity_store_id %q must be d- and 10 lower-case hex digits", f.IdentityStoreID)
	default:
		if _, taken := idc.ByStoreID(f.IdentityStoreID); f.IdentityStoreID != "" && taken {
			l.Errorf(f.Line, "identity_center: identity store %s belongs to another instance", f.IdentityStoreID)
			return nil
		}
		if _, taken := idc.Instances[f.InstanceID]; taken {
			l.Errorf(f.Line, "identity_center: instance %s already exists", f.InstanceID)
			return nil
		}
		return idc.NewInstance(org.ManagementAccount, f.Name, f.IdentityStoreID, f.InstanceID, true)
	}
	return nil
}

func (l fixtureLoad) permissionSet(inst *idcstate.Instance, f *permissionSetFixture) {
	if !permissionSetNameRule.Re.MatchString(f.Name) || len(f.Name) > 32 {
		l.Errorf(f.Line, "permission set %q: name must be 1 to 32 letters, digits or +=,.@_-", f.Name)
		return
	}
	if _, taken := inst.PermissionSetByName(f.Name); taken {
		l.Errorf(f.Line, "permission set %s is defined twice (or already exists)", f.Name)
		return
	}
	if f.SessionDuration == "" {
		f.SessionDuration = defaultSessionDuration
	}
	if problem := CheckSessionDuration(f.SessionDuration); problem != "" {
		l.Errorf(f.Line, "permission set %s: %s", f.Name, problem)
		return
	}
	if len(f.Description) > 700 || !descriptionRule.Re.MatchString(f.Description) {
		l.Errorf(f.Line, "permission set %s: description must be at most 700 printable Latin-1 characters", f.Name)
		return
	}
	ps := inst.AddPermissionSet(f.Name, f.Description, f.SessionDuration, now())
	for _, arn := range f.ManagedPolicies {
		switch {
		case !managedPolicyARNRule.Re.MatchString(arn):
			l.Errorf(f.Line, "permission set %s: %q is not an AWS-managed policy ARN (arn:aws:iam::aws:policy/…)", f.Name, arn)
		case ps.AttachManagedPolicy(arn, maxManagedPolicies) != nil:
			l.Errorf(f.Line, "permission set %s: %s is listed twice, or more than %d policies are", f.Name, arn, maxManagedPolicies)
		}
	}
}

func (l fixtureLoad) externalIDs(line int, what string, e *externalIDFixture) []idcstate.ExternalID {
	if e == nil {
		return nil
	}
	id := idcstate.ExternalID{Issuer: e.Issuer, ID: e.ID}
	if problem := idcstate.CheckExternalID(id); problem != "" {
		l.Errorf(line, "%s: %s", what, problem)
	}
	return []idcstate.ExternalID{id}
}

func (l fixtureLoad) group(inst *idcstate.Instance, f *groupFixture) {
	what := "group " + f.DisplayName
	if problem := idcstate.CheckGroupName(f.DisplayName); problem != "" {
		l.Errorf(f.Line, "%s: %s", what, problem)
		return
	}
	g := &idcstate.Group{ID: inst.NewUserID(), DisplayName: f.DisplayName, Description: f.Description,
		ExternalIDs: l.externalIDs(f.Line, what, f.ExternalID), Stamps: fixtureStamps(inst)}
	if err := inst.Store.AddGroup(g); err != nil {
		l.Errorf(f.Line, "%s: its %s is already another group's", what, conflictWhat(err))
	}
}

func (l fixtureLoad) user(inst *idcstate.Instance, f *userFixture) {
	what := "user " + f.UserName
	problems := []string{idcstate.CheckUserName(f.UserName), idcstate.CheckText("display_name", f.DisplayName),
		idcstate.CheckText("given_name", f.GivenName), idcstate.CheckText("family_name", f.FamilyName)}
	if f.Email != "" {
		problems = append(problems, idcstate.CheckText("email", f.Email))
	}
	for _, p := range problems {
		if p != "" {
			l.Errorf(f.Line, "%s: %s", what, p)
			return
		}
	}
	u := &idcstate.User{ID: inst.NewUserID(), ExternalIDs: l.externalIDs(f.Line, what, f.ExternalID),
		Profile: idcstate.Profile{UserName: f.UserName, DisplayName: f.DisplayName,
			Name: &idcstate.Name{GivenName: f.GivenName, FamilyName: f.FamilyName}},
		Stamps: fixtureStamps(inst)}
	if f.Email != "" {
		primary := true
		u.Profile.Emails = []idcstate.Email{{Value: f.Email, Type: "work", Primary: &primary}}
	}
	if err := inst.Store.AddUser(u); err != nil {
		l.Errorf(f.Line, "%s: its %s is already another user's", what, conflictWhat(err))
		return
	}
	for _, name := range f.Groups {
		g, ok := inst.Store.GroupByName(name)
		if !ok {
			l.Errorf(f.Line, "%s: group %q is not in the identity store (define it under groups)", what, name)
			continue
		}
		m := &idcstate.Membership{ID: inst.NewUserID(), GroupID: g.ID, UserID: u.ID, Stamps: fixtureStamps(inst)}
		if inst.Store.AddMembership(m) != nil {
			l.Errorf(f.Line, "%s: group %s is listed twice", what, name)
		}
	}
}

func conflictWhat(err error) string {
	var c *idcstate.Conflict
	if errors.As(err, &c) {
		return c.What
	}
	return err.Error()
}

// fixtureStamps say a fixture's users and groups were made by the
// instance owner's root, now.
func fixtureStamps(inst *idcstate.Instance) idcstate.Stamps {
	return idcstate.NewStamps(now(), "arn:aws:iam::"+inst.Owner+":root")
}
