package spec

import (
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Directories an input may name (Input.Directory).
const (
	DirectoryIAM            = "iam"
	DirectoryIdentityCenter = "identity-center"
)

// Directories lists them, in the order messages show them.
var Directories = []string{DirectoryIAM, DirectoryIdentityCenter}

// IdentityCenter says where the Identity Center instance is, when the
// caller's default region or its only instance would be wrong.
type IdentityCenter struct {
	Region      string // where the instance lives (default: the AWS region in use)
	InstanceARN string // arn:aws:sso:::instance/ssoins-… (default: the only one)
}

// Assignment is access to accounts through a permission set: Identity
// Center's account assignments of one person.
type Assignment struct {
	PermissionSet string // the permission set's name
	Accounts      AccountSelector
}

type assignmentDraft struct {
	pos           Pos
	permissionSet val[string]
	accounts      accountsDraft
}

var identityCenterFields = fields[draft]{
	"region":       func(d *decoder, v *yaml.Node, s *draft) { s.idc.region = d.str(v, "identity_center region") },
	"instance_arn": func(d *decoder, v *yaml.Node, s *draft) { s.idc.instanceARN = d.str(v, "identity_center instance_arn") },
}

var assignmentFields = fields[assignmentDraft]{
	"permission_set": func(d *decoder, v *yaml.Node, a *assignmentDraft) { a.permissionSet = d.str(v, "permission_set") },
	"accounts":       func(d *decoder, v *yaml.Node, a *assignmentDraft) { a.accounts = d.accounts(v) },
}

// assignments reads a list of assignments.
func (d *decoder) assignments(n *yaml.Node) []assignmentDraft {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.add(d.pos(n), "assignments", "expected a list of {permission_set: NAME, accounts: […]}, not "+kindName(n))
		return nil
	}
	var out []assignmentDraft
	for _, item := range n.Content {
		a := assignmentDraft{pos: d.pos(resolve(item))}
		decodeMapping(d, item, "an assignment", assignmentFields, &a)
		out = append(out, a)
	}
	return out
}

// identityCenter reports whether the input is about Identity Center users.
func (s *draft) identityCenter() bool {
	return strings.EqualFold(first(s.directory, DirectoryIAM), DirectoryIdentityCenter)
}

// validateDirectory checks the directory and that each person's fields
// belong to it: names and assignments are Identity Center's; path,
// policies and a boundary are IAM's.
func validateDirectory(s *draft, probs *Problems) {
	checkEnum(s.directory, "directory", Directories, probs)
	if !s.identityCenter() {
		for _, v := range []val[string]{s.idc.region, s.idc.instanceARN} {
			if v.Set {
				probs.add(v.Pos, "identity_center", "it is for directory: identity-center")
			}
		}
	}
	for _, p := range append([]*personDraft{&s.defaults}, peopleOf(s)...) {
		validateDirectoryFields(s, p, probs)
	}
	if s.identityCenter() {
		validateWelcomeChannels(s, probs)
	}
}

// validateWelcomeChannels refuses claim links and encrypted files for
// Identity Center users: both exist to carry a secret, and an Identity
// Center user has none — its welcome is the access portal's address. One
// problem where each such channel is chosen (the flag, the delivery
// section, the defaults, or a person), not one per person.
func validateWelcomeChannels(s *draft, probs *Problems) {
	seen := map[Pos]bool{}
	for _, p := range peopleOf(s) {
		for _, v := range []val[string]{s.deliverOverride, p.deliver, s.defaults.deliver, s.delivery.channel} {
			if !v.Set || v.V == "" {
				continue
			}
			if ch := strings.ToLower(v.V); (ch == ChannelClaim || ch == ChannelFile) && !seen[v.Pos] {
				seen[v.Pos] = true
				probs.add(v.Pos, "deliver "+ch, "an Identity Center user has no password for "+
					map[string]string{ChannelClaim: "a claim link", ChannelFile: "an encrypted file"}[ch]+" to carry: "+
					"send the welcome (the access portal's address) by ses, smtp or slack, or none to have it in the report")
			}
			break
		}
	}
}

func peopleOf(s *draft) []*personDraft {
	out := make([]*personDraft, len(s.people))
	for i := range s.people {
		out[i] = &s.people[i]
	}
	return out
}

func validateDirectoryFields(s *draft, p *personDraft, probs *Problems) {
	if !s.identityCenter() {
		for _, v := range []val[string]{p.givenName, p.familyName} {
			if v.Set {
				probs.add(v.Pos, "given_name and family_name", "they are Identity Center's: set directory: identity-center, or remove them")
			}
		}
		if len(p.assignments) > 0 {
			probs.add(p.assignments[0].pos, "assignments", "they are Identity Center's: set directory: identity-center, "+
				"or give IAM users groups and policies")
		}
		return
	}
	for _, v := range []val[string]{p.path, p.boundary} {
		if v.Set {
			probs.add(v.Pos, "path and boundary", "they are IAM's: Identity Center users have neither; give them groups and assignments")
		}
	}
	if len(p.policies) > 0 {
		probs.add(p.policies[0].Pos, "policies", "Identity Center users get access through assignments: "+
			"{permission_set: NAME, accounts: […]}")
	}
	validateAssignments(p, probs)
	checkLine(p.givenName, "given_name", 256, probs)
	checkLine(p.familyName, "family_name", 256, probs)
}

// validateAssignments checks each assignment: a permission set, and accounts
// that are account IDs, OU IDs or all.
func validateAssignments(p *personDraft, probs *Problems) {
	for _, a := range p.assignments {
		if !a.permissionSet.Set || a.permissionSet.V == "" {
			probs.add(a.pos, "an assignment", "needs permission_set: NAME")
		}
		if a.accounts.empty() {
			probs.add(a.pos, "an assignment", "needs accounts: all, or a list of account IDs and {ou: …} entries")
		}
		for _, id := range a.accounts.ids {
			accountIDRule.check(id, probs)
		}
		for _, ou := range a.accounts.ous {
			ouIDRule.check(ou, probs)
		}
	}
}

// identityCenterUserName checks an Identity Center user name: 1–128
// characters, letters, marks, numbers, punctuation and symbols (no spaces
// or controls), not one of the names Identity Center reserves.
func identityCenterUserName(name string) bool {
	if n := len([]rune(name)); n < 1 || n > 128 {
		return false
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)) {
			return false
		}
	}
	switch strings.ToLower(name) {
	case "administrator", "awsadministrators":
		return false
	}
	return true
}

// namesOf returns a person's given and family names: as written, else the
// display name split at its last space — "Ada Lovelace" is given Ada,
// family Lovelace; in Japanese the family name comes first ("山田 太郎") —
// else empty.
func namesOf(p *personDraft, language string) (given, family string) {
	given, family = p.givenName.V, p.familyName.V
	if given != "" && family != "" {
		return given, family
	}
	full := strings.TrimSpace(p.displayName.V)
	i := strings.LastIndexByte(full, ' ')
	if i <= 0 {
		return given, family
	}
	first, last := strings.TrimSpace(full[:i]), strings.TrimSpace(full[i+1:])
	if strings.EqualFold(language, LanguageJapanese) {
		first, last = last, first
	}
	return cmpOrStr(given, first), cmpOrStr(family, last)
}

func cmpOrStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func buildAssignments(d, p *personDraft) []Assignment {
	var out []Assignment
	for _, a := range append(append([]assignmentDraft{}, d.assignments...), p.assignments...) {
		out = append(out, Assignment{PermissionSet: a.permissionSet.V, Accounts: AccountSelector{
			IDs: dedupe(values(a.accounts.ids), false), All: a.accounts.all.V, OUs: dedupe(values(a.accounts.ous), false)}})
	}
	return out
}
