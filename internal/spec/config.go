package spec

// ParseConfig reads a watcher's configuration (gatehouse watch, the Lambda
// handler): a gatehouse spec in YAML or JSON — accounts, role, password,
// delivery and defaults as onboard reads them — without people, plus an
// optional events section with the rules that choose what each user created
// elsewhere gets. Every problem comes back with its file:line, as Parse's.
func ParseConfig(name string, data []byte, flags Flags) (*Input, error) {
	s, probs, ok := decodeConfig(name, data, "a watcher's configuration")
	if !ok {
		return nil, probs.sorted()
	}
	if len(s.people) > 0 {
		probs.add(s.peoplePos, "people", "a watcher's configuration names nobody: the events say who; remove people")
	}
	if s.okta != nil {
		probs.add(s.okta.pos, "okta", "the okta section configures gatehouse serve --okta-config; remove it here")
	}
	if s.events == nil {
		s.events = &eventsDraft{}
	}
	flags.apply(s, &probs)
	validateSettings(s, &probs)
	used := map[string]bool{}
	validateEvents(s, used, &probs)
	validateChannelNeeds(s, used, &probs)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	in := build(s)
	in.Events = buildEvents(s, in.Delivery.Language)
	return in, nil
}

// decodeConfig decodes a configuration file (what names it, for the
// message): a gatehouse spec in YAML or JSON and nothing else. ok is false
// when it cannot be read at all.
func decodeConfig(name string, data []byte, what string) (*draft, Problems, bool) {
	var probs Problems
	s := &draft{source: name}
	data, ok := prepare(name, data, &probs)
	if ok {
		ok = decode(name, data, s, &probs)
	}
	if ok && s.format != FormatYAML && s.format != FormatJSON {
		probs.add(Pos{File: name}, "", what+" is a gatehouse spec in YAML or JSON, without people")
		ok = false
	}
	return s, probs, ok
}
