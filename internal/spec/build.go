package spec

import "strings"

// build turns a validated draft into an Input with every default filled in, so
// nothing downstream needs to know the precedence rules.
func build(s *draft) *Input {
	in := &Input{
		Source: s.source,
		Format: s.format,
		Accounts: AccountSelector{
			IDs: dedupe(values(s.accounts.ids), false),
			All: s.accounts.all.V,
			OUs: dedupe(values(s.accounts.ous), false),
		},
		Role: Role{
			Name:        s.role.name.V,
			ARNTemplate: s.role.arn.V,
			ExternalID:  s.role.externalID.V,
			SessionName: first(s.role.sessionName, DefaultSessionName),
		},
		Password: Password{
			Length:        DefaultPasswordLength,
			Source:        strings.ToLower(first(s.password.source, SourceCrypto)),
			ResetRequired: true,
		},
		Delivery: Delivery{
			Channel:    strings.ToLower(first(s.delivery.channel, ChannelSES)),
			From:       s.delivery.from.V,
			ReplyTo:    s.delivery.replyTo.V,
			Subject:    s.delivery.subject.V,
			Language:   strings.ToLower(first(s.delivery.language, LanguageEnglish)),
			PerAccount: s.delivery.perAcct.V,
			Template:   Template{Text: s.delivery.text.V, HTML: s.delivery.html.V},
			SMTP:       buildSMTP(s.delivery.smtp),
			Slack:      Slack{APIURL: withSlash(first(s.delivery.slack.apiURL, DefaultSlackAPIURL))},
			Claim: Claim{
				URL: strings.TrimRight(s.delivery.claim.url.V, "/"),
				Via: claimVia(s),
				TTL: ttlOr(s.delivery.claim.ttl, DefaultClaimTTL),
			},
			File: File{Dir: first(s.delivery.file.dir, DefaultFileDir)},
		},
	}
	in.Directory = strings.ToLower(first(s.directory, DirectoryIAM))
	in.IdentityCenter = IdentityCenter{Region: s.idc.region.V, InstanceARN: s.idc.instanceARN.V}
	in.Checks = Checks{DenyIAMGroups: dedupe(values(s.checks.denyIAMGroups), true)}
	if s.password.length.Set {
		in.Password.Length = s.password.length.V
	}
	if s.password.resetRequired.Set {
		in.Password.ResetRequired = s.password.resetRequired.V
	}
	in.People = make([]Person, 0, len(s.people))
	for i := range s.people {
		in.People = append(in.People, buildPerson(s, &s.people[i], in.Delivery.Language))
	}
	return in
}

func buildPerson(s *draft, p *personDraft, language string) Person {
	d := &s.defaults
	out := Person{
		Email:       p.email.V,
		UserName:    userNameOf(p).V,
		DisplayName: p.displayName.V,
		Suspended:   p.suspended.V,
		Path:        first(p.path, first(d.path, DefaultPath)),
		Groups:      dedupe(append(values(d.groups), values(p.groups)...), true),
		Policies:    dedupe(append(values(d.policies), values(p.policies)...), false),
		Boundary:    first(p.boundary, d.boundary.V),
		Accounts:    dedupe(values(p.accounts), false),
		Deliver:     channelOf(s, p),
		Language:    strings.ToLower(first(p.language, first(d.language, language))),
		PublicKey:   strings.TrimSpace(first(p.publicKey, p.keyFromFile.V)),
		Assignments: buildAssignments(d, p),
		Pos:         p.pos,
	}
	if s.identityCenter() {
		out.GivenName, out.FamilyName = namesOf(p, out.Language)
		if out.DisplayName == "" { // Identity Center requires one; the names in the language's order
			out.DisplayName = strings.TrimSpace(out.GivenName + " " + out.FamilyName)
			if out.Language == LanguageJapanese {
				out.DisplayName = strings.TrimSpace(out.FamilyName + " " + out.GivenName)
			}
		}
	}
	if tags := mergeTags(d.tags, p.tags); len(tags) > 0 {
		out.Tags = make(map[string]string, len(tags))
		for _, t := range tags {
			out.Tags[t.key.V] = t.value.V
		}
	}
	return out
}

func buildSMTP(m smtpDraft) SMTP {
	return SMTP{Addr: m.addr.V, User: m.user.V, TLS: strings.ToLower(first(m.tls, TLSStartTLS))}
}

// withSlash ends a base URL with /, so names can be added to it.
func withSlash(u string) string {
	if strings.HasSuffix(u, "/") {
		return u
	}
	return u + "/"
}

// first is v's value when it was given, else def.
func first(v val[string], def string) string {
	if v.Set && v.V != "" {
		return v.V
	}
	return def
}

// mergeTags puts a person's tags over the defaults' (keys compared without case).
func mergeTags(defaults, own []tagDraft) []tagDraft {
	out := make([]tagDraft, 0, len(defaults)+len(own))
	index := map[string]int{}
	for _, t := range append(append([]tagDraft(nil), defaults...), own...) {
		key := strings.ToLower(t.key.V)
		if i, ok := index[key]; ok {
			out[i] = t
			continue
		}
		index[key] = len(out)
		out = append(out, t)
	}
	return out
}

// dedupe drops repeated entries, keeping the first; fold compares without case
// (IAM group names are unique regardless of case).
func dedupe(list []string, fold bool) []string {
	if len(list) == 0 {
		return nil
	}
	seen := map[string]bool{}
	out := list[:0:0]
	for _, s := range list {
		key := s
		if fold {
			key = strings.ToLower(s)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	return out
}
