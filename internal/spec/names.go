package spec

import "strings"

// FromNames builds the input from IAM user names or e-mail addresses given on
// the command line, as offboarding takes them ("argument N" in messages): an
// argument that is an e-mail address names a person by address, any other
// one by user name. People named by user name alone have no address, so
// nothing is ever delivered to them (their channel is none). Everything else
// comes from the flags.
func FromNames(args []string, flags Flags) (*Input, error) {
	s := &draft{source: "arguments", format: FormatArguments, selecting: true}
	for i, a := range args {
		a = strings.TrimSpace(a)
		pos := Pos{Arg: i + 1}
		p := personDraft{pos: pos}
		if isEmail(a) {
			p.email = setVal(a, pos)
		} else {
			p.userName = setVal(a, pos)
			p.deliver = setVal(ChannelNone, pos)
		}
		s.people = append(s.people, p)
	}
	return finish(s, flags, nil)
}

// FromFlags builds an input that names nobody — the accounts, the role and
// the delivery settings come from the flags — for commands that select people
// otherwise (offboarding by tag). Its People is empty.
func FromFlags(flags Flags) (*Input, error) {
	s := &draft{source: "flags", format: FormatArguments}
	var probs Problems
	flags.apply(s, &probs)
	validateAccounts(s, &probs)
	validateRole(s, &probs)
	validatePassword(s.password, &probs)
	validateDelivery(s.delivery, &probs)
	validateDirectory(s, &probs)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	return build(s), nil
}

// SetupFromFlags builds an input that names nobody from the flags, for
// checking a setup before there is a spec (gatehouse doctor without -f).
// Unlike FromFlags, delivery is --deliver's channel alone, or none when it
// was not given — with nobody to deliver to, no channel is in use unless
// asked for — and what that channel needs (a sender, a server) is checked.
func SetupFromFlags(flags Flags) (*Input, error) {
	s := &draft{source: "flags", format: FormatArguments}
	var probs Problems
	flags.apply(s, &probs)
	validateSettings(s, &probs)
	used := map[string]bool{}
	if s.deliverOverride.Set {
		used[strings.ToLower(s.deliverOverride.V)] = true
	}
	validateChannelNeeds(s, used, &probs)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	in := build(s)
	if !s.deliverOverride.Set {
		in.Delivery.Channel = ChannelNone
	}
	return in, nil
}
