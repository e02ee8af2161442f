package iam

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// fixtureSection is IAM's part of every account in a fixture file: the alias,
// password policy, policies, groups, roles and users (docs/sandbox-fixture.md).
func fixtureSection() fixture.Section {
	return fixture.PerAccount(func(l *fixture.Load, a *state.Account, f *accountFixture) {
		fixtureLoad{l}.applyAccount(accountOf(a), f)
	})
}

// fixtureLoad is a fixture being applied, as IAM's section loads it.
type fixtureLoad struct{ *fixture.Load }

// accountFixture is IAM's keys of an account's mapping.
type accountFixture struct {
	Line           int                    `yaml:"-"`
	Alias          string                 `yaml:"alias"`
	PasswordPolicy *passwordPolicyFixture `yaml:"password_policy"`
	Policies       []policyFixture        `yaml:"policies"`
	Groups         []groupFixture         `yaml:"groups"`
	Roles          []roleFixture          `yaml:"roles"`
	Users          []userFixture          `yaml:"users"`
}

type passwordPolicyFixture struct {
	Line                       int  `yaml:"-"`
	MinimumPasswordLength      int  `yaml:"minimum_password_length"`
	RequireSymbols             bool `yaml:"require_symbols"`
	RequireNumbers             bool `yaml:"require_numbers"`
	RequireUppercaseCharacters bool `yaml:"require_uppercase_characters"`
	RequireLowercaseCharacters bool `yaml:"require_lowercase_characters"`
	AllowUsersToChangePassword bool `yaml:"allow_users_to_change_password"`
	MaxPasswordAge             int  `yaml:"max_password_age"`
	PasswordReusePrevention    int  `yaml:"password_reuse_prevention"`
	HardExpiry                 bool `yaml:"hard_expiry"`
}

type policyFixture struct {
	Line        int               `yaml:"-"`
	Name        string            `yaml:"name"`
	Path        string            `yaml:"path"`
	Description string            `yaml:"description"`
	Document    fixture.PolicyDoc `yaml:"document"`
	Tags        fixture.Tags      `yaml:"tags"`
}

type groupFixture struct {
	Line             int                          `yaml:"-"`
	Name             string                       `yaml:"name"`
	Path             string                       `yaml:"path"`
	AttachedPolicies []fixture.LineString         `yaml:"attached_policies"`
	InlinePolicies   map[string]fixture.PolicyDoc `yaml:"inline_policies"`
}

type roleFixture struct {
	Line                int                          `yaml:"-"`
	Name                string                       `yaml:"name"`
	Path                string                       `yaml:"path"`
	Description         string                       `yaml:"description"`
	TrustPolicy         fixture.PolicyDoc            `yaml:"trust_policy"`
	MaxSessionDuration  int                          `yaml:"max_session_duration"`
	PermissionsBoundary fixture.LineString           `yaml:"permissions_boundary"`
	Tags                fixture.Tags                 `yaml:"tags"`
	AttachedPolicies    []fixture.LineString         `yaml:"attached_policies"`
	InlinePolicies      map[string]fixture.PolicyDoc `yaml:"inline_policies"`
}

// IAM name and path rules from the service model.
var (
	iamName    = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPath    = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	aliasChars = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
)

// applyAccount adds one account's contents, in dependency order: policies first
// (groups, roles and users attach them), then groups (users join them).
func (l fixtureLoad) applyAccount(a iamAccount, f *accountFixture) {
	l.applyAlias(a, f)
	if p := f.PasswordPolicy; p != nil {
		l.applyPasswordPolicy(a, p)
	}
	for _, p := range f.Policies {
		l.applyPolicy(a, p)
	}
	for _, g := range f.Groups {
		l.applyGroup(a, g)
	}
	for _, r := range f.Roles {
		l.applyRole(a, r)
	}
	for _, u := range f.Users {
		l.applyUser(a, u)
	}
}

func (l fixtureLoad) applyAlias(a iamAccount, f *accountFixture) {
	if f.Alias == "" {
		return
	}
	if !aliasChars.MatchString(f.Alias) || strings.Contains(f.Alias, "--") {
		l.Errorf(f.Line, "account %s: alias %q must be 3 to 63 lower-case letters, digits and single hyphens, not starting or ending with a hyphen", a.ID, f.Alias)
		return
	}
	for _, other := range l.World.Accounts {
		if other.ID != a.ID && iamstate.Of(other).Alias == f.Alias {
			l.Errorf(f.Line, "account %s: alias %q is already used by account %s (aliases are unique across AWS)", a.ID, f.Alias, other.ID)
			return
		}
	}
	a.Alias = f.Alias
}

func (l fixtureLoad) applyPasswordPolicy(a iamAccount, p *passwordPolicyFixture) {
	if p.MinimumPasswordLength == 0 {
		p.MinimumPasswordLength = 6 // UpdateAccountPasswordPolicy's default
	}
	switch {
	case p.MinimumPasswordLength < 6 || p.MinimumPasswordLength > 128:
		l.Errorf(p.Line, "account %s: password_policy.minimum_password_length must be 6 to 128", a.ID)
	case p.MaxPasswordAge < 0 || p.MaxPasswordAge > 1095:
		l.Errorf(p.Line, "account %s: password_policy.max_password_age must be 1 to 1095 days (0: never expires)", a.ID)
	case p.PasswordReusePrevention < 0 || p.PasswordReusePrevention > 24:
		l.Errorf(p.Line, "account %s: password_policy.password_reuse_prevention must be 1 to 24 (0: not set)", a.ID)
	default:
		a.PasswordPolicy = &iamstate.PasswordPolicy{
			MinimumPasswordLength: p.MinimumPasswordLength, RequireSymbols: p.RequireSymbols,
			RequireNumbers: p.RequireNumbers, RequireUppercaseCharacters: p.RequireUppercaseCharacters,
			RequireLowercaseCharacters: p.RequireLowercaseCharacters, AllowUsersToChangePassword: p.AllowUsersToChangePassword,
			MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, HardExpiry: p.HardExpiry,
		}
	}
}

// checkName validates an entity's name and path (defaulting the path to "/").
func (l fixtureLoad) checkName(line int, kind, name string, maxLen int, path *string) bool {
	if len(name) == 0 || len(name) > maxLen || !iamName.MatchString(name) {
		l.Errorf(line, "%s name %q must be 1 to %d characters of letters, digits and +=,.@_-", kind, name, maxLen)
		return false
	}
	if *path == "" {
		*path = "/"
	}
	if len(*path) > 512 || !iamPath.MatchString(*path) {
		l.Errorf(line, "%s %s: path %q must begin and end with / (e.g. /staff/)", kind, name, *path)
		return false
	}
	return true
}

// checkDoc validates a policy document: a JSON object, as IAM requires.
func (l fixtureLoad) checkDoc(line int, what string, d fixture.PolicyDoc) bool {
	if d.Line != 0 {
		line = d.Line
	}
	var obj map[string]any
	if d.JSON == "" || json.Unmarshal([]byte(d.JSON), &obj) != nil {
		l.Errorf(line, "%s must be a JSON object or a YAML mapping", what)
		return false
	}
	if len(d.JSON) > 131072 {
		l.Errorf(line, "%s is longer than IAM's 131072 characters", what)
		return false
	}
	return true
}

func (l fixtureLoad) applyPolicy(a iamAccount, f policyFixture) {
	if !l.checkName(f.Line, "policy", f.Name, 128, &f.Path) || !l.checkDoc(f.Line, "policy "+f.Name+": document", f.Document) {
		return
	}
	if _, exists := a.Policies.Get(f.Name); exists {
		l.Errorf(f.Line, "policy %s already exists in account %s", f.Name, a.ID)
		return
	}
	now := state.Now()
	a.Policies.Put(f.Name, &iamstate.ManagedPolicy{
		Name: f.Name, ID: state.NewID("ANPA", 17), Path: f.Path, Description: f.Description,
		Created: now, Updated: now, Tags: f.Tags, DefaultVersion: "v1",
		Versions: []*iamstate.PolicyVersion{{ID: "v1", Document: f.Document.JSON, Created: now}},
	})
}

// attach checks managed policy ARNs (AWS-managed or the account's own) and
// returns them without duplicates.
func (l fixtureLoad) attach(a iamAccount, owner string, arns []fixture.LineString) []string {
	var out []string
	for _, arn := range arns {
		switch {
		case !policyExists(a, arn.Value):
			l.Errorf(arn.Line, "%s: policy %s does not exist in account %s (define it under policies, or use an AWS-managed policy ARN)", owner, arn.Value, a.ID)
		case slices.Contains(out, arn.Value):
			l.Errorf(arn.Line, "%s: policy %s is attached twice", owner, arn.Value)
		default:
			out = append(out, arn.Value)
		}
	}
	return out
}

// inline checks inline policies' names and documents.
func (l fixtureLoad) inline(line int, owner string, docs map[string]fixture.PolicyDoc) map[string]string {
	if len(docs) == 0 {
		return nil
	}
	out := map[string]string{}
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if len(name) > 128 || !iamName.MatchString(name) {
			l.Errorf(line, "%s: inline policy name %q must be 1 to 128 characters of letters, digits and +=,.@_-", owner, name)
			continue
		}
		if l.checkDoc(line, fmt.Sprintf("%s: inline policy %s", owner, name), docs[name]) {
			out[name] = docs[name].JSON
		}
	}
	return out
}

func (l fixtureLoad) applyGroup(a iamAccount, f groupFixture) {
	if !l.checkName(f.Line, "group", f.Name, 128, &f.Path) {
		return
	}
	if _, exists := a.Groups.Get(f.Name); exists {
		l.Errorf(f.Line, "group %s already exists in account %s", f.Name, a.ID)
		return
	}
	owner := "group " + f.Name
	a.Groups.Put(f.Name, &iamstate.Group{
		Name: f.Name, ID: state.NewID("AGPA", 17), Path: f.Path, Created: state.Now(),
		AttachedPolicies: l.attach(a, owner, f.AttachedPolicies), InlinePolicies: l.inline(f.Line, owner, f.InlinePolicies),
	})
}

func (l fixtureLoad) applyRole(a iamAccount, f roleFixture) {
	if !l.checkName(f.Line, "role", f.Name, 64, &f.Path) || !l.checkDoc(f.Line, "role "+f.Name+": trust_policy", f.TrustPolicy) {
		return
	}
	if _, exists := a.Roles.Get(f.Name); exists {
		l.Errorf(f.Line, "role %s already exists in account %s", f.Name, a.ID)
		return
	}
	if f.MaxSessionDuration == 0 {
		f.MaxSessionDuration = 3600
	}
	if f.MaxSessionDuration < 3600 || f.MaxSessionDuration > 43200 {
		l.Errorf(f.Line, "role %s: max_session_duration must be 3600 to 43200 seconds", f.Name)
		return
	}
	owner := "role " + f.Name
	a.Roles.Put(f.Name, &iamstate.Role{
		Name: f.Name, ID: state.NewID("AROA", 17), Path: f.Path, Created: state.Now(), Description: f.Description,
		MaxSessionDuration: f.MaxSessionDuration, TrustPolicy: f.TrustPolicy.JSON, Tags: f.Tags,
		PermissionsBoundary: l.boundary(a, owner, f.PermissionsBoundary),
		AttachedPolicies:    l.attach(a, owner, f.AttachedPolicies), InlinePolicies: l.inline(f.Line, owner, f.InlinePolicies),
	})
}

func (l fixtureLoad) boundary(a iamAccount, owner string, arn fixture.LineString) string {
	if arn.Value == "" {
		return ""
	}
	if !policyExists(a, arn.Value) {
		l.Errorf(arn.Line, "%s: permissions_boundary %s does not exist in account %s", owner, arn.Value, a.ID)
		return ""
	}
	return arn.Value
}
