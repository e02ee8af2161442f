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
