package spec

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// validate checks everything that can be checked without AWS.
func validate(s *draft, probs *Problems) {
	validateSettings(s, probs)
	if s.events != nil {
		probs.add(s.events.pos, "events", "the events section configures gatehouse watch (--config); this command reads people")
	}
	if s.okta != nil {
		probs.add(s.okta.pos, "okta", "the okta section configures gatehouse serve --okta-config; this command reads people")
	}
	validatePeople(s, probs)
}

// validateSettings checks everything but the people.
func validateSettings(s *draft, probs *Problems) {
	if s.version.Set && s.version.V != 1 {
		probs.add(s.version.Pos, "version "+itoa(s.version.V), "this gatehouse reads version 1 specs; write version: 1")
	}
	validateAccounts(s, probs)
	validateRole(s, probs)
	validatePassword(s.password, probs)
	validateDelivery(s.delivery, probs)
	validateShared(s, &s.defaults, probs)
	validateDirectory(s, probs)
	validateChecks(s, probs)
}

// validateChecks checks the checks section: IAM group names, in a spec of
// IAM users.
func validateChecks(s *draft, probs *Problems) {
	for _, g := range s.checks.denyIAMGroups {
		if s.identityCenter() {
			probs.add(g.Pos, "deny_iam_groups", "names IAM groups, and this spec's people are Identity Center users; "+
				"remove checks.deny_iam_groups")
			return
		}
		groupRule.check(g, probs)
	}
}

func validateAccounts(s *draft, probs *Problems) {
	for _, id := range s.accounts.ids {
		accountIDRule.check(id, probs)
	}
	for _, ou := range s.accounts.ous {
		ouIDRule.check(ou, probs)
	}
}

func validateRole(s *draft, probs *Problems) {
	r := s.role
	if r.name.Set && r.arn.Set {
		probs.add(r.arn.Pos, "role with both name "+quote(r.name.V)+" and arn "+quote(r.arn.V),
			"set one: name (gatehouse builds arn:aws:iam::ACCOUNT:role/NAME) or arn (a template with {account})")
	}
	roleNameRule.check(r.name, probs)
	if roleARNRule.check(r.arn, probs) && r.arn.Set && !strings.Contains(r.arn.V, "{account}") {
		if !singleAccount(s.accounts, r.arn.V) {
			probs.add(r.arn.Pos, "role ARN template "+quote(r.arn.V), "it has no {account}, so every account "+
				"would be entered through the same role; write arn:aws:iam::{account}:role/NAME")
		}
	}
	if !r.name.Set && !r.arn.Set {
		for _, v := range []val[string]{r.externalID, r.sessionName} {
			if v.Set {
				probs.add(v.Pos, "a role setting "+quote(v.V), "it is used only when assuming a role; "+
					"set role.name or role.arn (or --role), or remove it")
			}
		}
	}
	externalIDRule.check(r.externalID, probs)
	sessionNameRule.check(r.sessionName, probs)
}

// singleAccount reports whether the selection is exactly the one account a
// fixed role ARN names.
func singleAccount(a accountsDraft, arn string) bool {
	if a.all.V || len(a.ous) > 0 || len(a.ids) == 0 {
		return false
	}
	for _, id := range a.ids {
		if !strings.Contains(arn, "::"+id.V+":") {
			return false
		}
	}
	return true
}

func validatePassword(p passwordDraft, probs *Problems) {
	if p.length.Set && (p.length.V < MinPasswordLength || p.length.V > MaxPasswordLength) {
		probs.add(p.length.Pos, "password length "+itoa(p.length.V), "use 20 to 128: gatehouse never "+
			"makes passwords shorter than 20 (an account policy asking for more wins), and IAM takes at most 128")
	}
	checkEnum(p.source, "password source", PasswordSources, probs)
}

func validateDelivery(m deliveryDraft, probs *Problems) {
	checkEnum(m.channel, "delivery channel", Channels, probs)
	checkEnum(m.language, "language", Languages, probs)
	checkSender(m.from, "sender address", probs)
	checkSender(m.replyTo, "reply_to address", probs)
	checkLine(m.subject, "subject", 200, probs)
	if m.subject.Set {
		if _, err := texttemplate.New("subject").Parse(m.subject.V); err != nil {
			probs.add(m.subject.Pos, "subject", "it does not parse as a Go template: "+err.Error())
		}
	}
	if m.text.Set {
		if _, err := texttemplate.New("text").Parse(m.text.V); err != nil {
			probs.add(m.text.Pos, "text template", "it does not parse as a Go template: "+err.Error())
		}
	}
	if m.html.Set {
		if _, err := htmltemplate.New("html").Parse(m.html.V); err != nil {
			probs.add(m.html.Pos, "html template", "it does not parse as a Go template: "+err.Error())
		}
	}
	validateChannelSettings(m, probs)
}

// validateShared checks the fields a person and the defaults have in common.
func validateShared(s *draft, p *personDraft, probs *Problems) {
	pathRule.check(p.path, probs)
	boundaryRule.check(p.boundary, probs)
	checkEnum(p.deliver, "deliver", Channels, probs)
	checkEnum(p.language, "language", Languages, probs)
	for _, g := range p.groups {
		if s.identityCenter() {
			checkLine(g, "group", 1024, probs) // Identity Center's group names may hold spaces
			continue
		}
		groupRule.check(g, probs)
	}
	for _, pol := range p.policies {
		policyRule.check(pol, probs)
	}
	checkTags(p.tags, probs)
}

// people checks each person, duplicates, and that someone is there at all.
func validatePeople(s *draft, probs *Problems) {
	if len(s.people) == 0 {
		if !s.incomplete {
			probs.add(s.peoplePos, "", noPeopleFix(s.format))
		}
		return
	}
	userNames := map[string]Pos{}
	emails := map[string]Pos{}
	used := map[string]bool{}
	for i := range s.people {
		p := &s.people[i]
		nameOK, emailOK := validatePerson(s, p, probs)
		// Duplicates are looked for among valid values only: a bad value has
		// its own message already.
		if name := userNameOf(p); nameOK {
			checkDuplicate(userNames, name, "user name", " (IAM user names ignore case); "+duplicateNameFix(s.format), probs)
		}
		if emailOK && p.email.Set {
			checkDuplicate(emails, p.email, "e-mail address", "; each person appears once, "+
				"so remove the duplicate", probs)
		}
		used[channelOf(s, p)] = true
	}
	validateChannelNeeds(s, used, probs)
}

// duplicateNameFix says how to mend a user name given twice: on the command
// line a person is named once (there is no user_name to change).
func duplicateNameFix(format string) string {
	if format == FormatArguments {
		return "they name the same user: give it once"
	}
	return "give one of them another user_name, or remove the duplicate"
}

// checkDuplicate reports v when seen (compared without case) has it already.
func checkDuplicate(seen map[string]Pos, v val[string], what, fix string, probs *Problems) {
	key := strings.ToLower(v.V)
	if first, dup := seen[key]; dup {
		probs.add(v.Pos, what+" "+quote(v.V), "already used at "+first.String()+fix)
		return
	}
	seen[key] = v.Pos
}

func noPeopleFix(format string) string {
	switch format {
	case FormatCSV:
		return "no people: add one row per person under the header"
	case FormatArguments:
		return "no people: give at least one e-mail address, or -f FILE"
	case FormatSeed000:
		return "no people: list e-mail addresses in IAMUserNames"
	case FormatSeed001:
		return "no people: list user names in UserNames"
	}
	return "no people: add at least one entry under people: (- email: name@example.com)"
}

// validatePerson checks one person; it reports whether the user name and the
// e-mail address are valid, for the duplicate checks.
func validatePerson(s *draft, p *personDraft, probs *Problems) (nameOK, emailOK bool) {
	if !p.email.Set && !p.userName.Set {
		probs.add(p.pos, "a person", "needs an email (the user name defaults to it) or a user_name")
		return false, false
	}
	emailOK = checkEmail(p.email, probs)
	name := userNameOf(p)
	nameOK = userNameRule.matches(name.V)
	if s.identityCenter() {
		return validateCenterPerson(s, p, probs, emailOK)
	}
	// A user name taken from a bad e-mail address has been reported already.
	if !nameOK && (p.userName.Set || emailOK) {
		fix := userNameRule.fix
		if !p.userName.Set {
			fix += "; this one is the e-mail address, so set a user_name for this person"
		}
		probs.add(name.Pos, "user name "+quote(name.V), fix)
	}
	nameOK = nameOK && (p.userName.Set || emailOK)
	checkLine(p.displayName, "name", 256, probs)
	validateShared(s, p, probs)
	for _, id := range p.accounts {
		if accountIDRule.check(id, probs) {
			checkPersonAccount(s.accounts, id, probs)
		}
	}
	if len(mergeTags(s.defaults.tags, p.tags)) > MaxUserTags {
		probs.add(p.pos, "person "+quote(p.label()), "has more than 48 tags with the defaults; "+
			"IAM allows 50 and gatehouse adds two of its own")
	}
	checkPersonKey(p, probs)
	checkPersonChannel(s, p, probs)
	return nameOK, emailOK
}

// checkPersonAccount reports a person's account that the spec does not select.
func checkPersonAccount(a accountsDraft, id val[string], probs *Problems) {
	if a.all.V || len(a.ous) > 0 {
		return // the organisation decides; the plan reports accounts outside it
	}
	for _, sel := range a.ids {
		if sel.V == id.V {
			return
		}
	}
	where := "the spec selects no accounts (so the caller's own account)"
	if len(a.ids) > 0 {
		where = "the spec selects " + oneOf(values(a.ids))
	}
	probs.add(id.Pos, "account "+quote(id.V), "a person's accounts must be among the selected ones, and "+
		where+"; add it to the spec's accounts (or --account), or remove it here")
}

// userNameOf is the person's user name: user_name, else the e-mail address.
func userNameOf(p *personDraft) val[string] {
	if p.userName.Set {
		return p.userName
	}
	return p.email
}

// channelOf is the channel that delivers to p: --deliver, else the person's,
// else the defaults', else the spec's, else ses.
func channelOf(s *draft, p *personDraft) string {
	for _, v := range []val[string]{s.deliverOverride, p.deliver, s.defaults.deliver, s.delivery.channel} {
		if v.Set && v.V != "" {
			return strings.ToLower(v.V)
		}
	}
	return ChannelSES
}

// validateCenterPerson checks an Identity Center person: a user name of its
// rules, one e-mail address, given and family names.
func validateCenterPerson(s *draft, p *personDraft, probs *Problems, emailOK bool) (nameOK, _ bool) {
	name := userNameOf(p)
	nameOK = identityCenterUserName(name.V)
	if !nameOK && (p.userName.Set || emailOK) {
		probs.add(name.Pos, "user name "+quote(name.V), "Identity Center user names are 1–128 letters, digits, "+
			"punctuation or symbols, without spaces, and not Administrator or AWSAdministrators")
	}
	if !p.email.Set && !s.selecting {
		probs.add(p.pos, "person "+quote(p.label()), "an Identity Center user needs an email")
	}
	if given, family := namesOf(p, ""); (given == "" || family == "") && !s.selecting {
		probs.add(p.pos, "person "+quote(p.label()), "an Identity Center user needs given_name and family_name "+
			"(or a name of two words or more, such as name: Ada Lovelace)")
	}
	checkLine(p.displayName, "name", 256, probs)
	validateShared(s, p, probs)
	checkPersonChannel(s, p, probs)
	return nameOK && (p.userName.Set || emailOK), emailOK
}
