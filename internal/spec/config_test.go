package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A watcher's configuration is a spec without people, with rules that
// choose what users created elsewhere get, over the defaults.
func TestParseConfig(t *testing.T) {
	t.Parallel()
	in, err := ParseConfig("watch.yaml", []byte(lines(
		"accounts: all",
		"role: {name: OrganizationAccountAccessRole}",
		"delivery: {channel: ses, from: it@example.com}",
		"defaults: {groups: [staff]}",
		"events:",
		"  email_tag: contact",
		"  complete_on_tag: {key: gatehouse:complete, value: \"yes\"}",
		"  rules:",
		"    - match: {path: /people/, tags: {team: platform}, accounts: [\"222222222222\"]}",
		"      groups: [developers]",
		"      policies: [ReadOnlyAccess]",
		"      language: ja",
		"    - match: {tags: {contractor: \"\"}}",
		"      groups: [contractors]",
	)), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	e := in.Events
	if e == nil || e.EmailTag != "contact" || e.CompleteTag != "gatehouse:complete" || e.CompleteValue != "yes" || len(e.Rules) != 2 {
		t.Fatalf("events = %+v", e)
	}
	r := e.Rules[0]
	if strings.Join(r.Person.Groups, ",") != "staff,developers" || r.Person.Language != "ja" || r.Person.Deliver != ChannelSES ||
		r.Person.Policies[0] != "ReadOnlyAccess" || r.Pos.Line != 9 {
		t.Errorf("rule 1 = %+v", r)
	}
	if !r.Match.Matches("/people/eng/", map[string]string{"team": "platform"}, "222222222222") ||
		r.Match.Matches("/people/", map[string]string{"team": "platform"}, "333333333333") ||
		r.Match.Matches("/", map[string]string{"team": "platform"}, "222222222222") {
		t.Error("rule 1 matches the wrong users")
	}
	if m := e.Rules[1].Match; !m.Matches("/", map[string]string{"contractor": "acme"}, "1") || m.Matches("/", nil, "1") {
		t.Error("a tag with an empty value must match any value, and only users carrying it")
	}
	if len(in.People) != 0 || !in.Accounts.All {
		t.Errorf("input = %+v", in)
	}
}

func TestParseConfigProblems(t *testing.T) {
	t.Parallel()
	_, err := ParseConfig("w.yaml", []byte(lines(
		"delivery: {channel: ses}",
		"people: [a@example.com]",
		"events:",
		"  rules:",
		"    - match: {accounts: [\"123\"], colour: red}",
		"      deliver: pigeon",
	)), Flags{})
	assertProblems(t, err, []string{
		`people at w.yaml:2: a watcher's configuration names nobody`,
		`unknown field "colour" at w.yaml:5`,
		`account ID "123" at w.yaml:5`,
		`deliver "pigeon" at w.yaml:6`,
		`delivery by ses in w.yaml: it needs a sender address`,
	})
	_, err = Parse("team.yaml", []byte(lines("delivery: {channel: none}", "events: {}", "people: [a@example.com]")), Flags{})
	assertProblems(t, err, []string{`events at team.yaml:2: the events section configures gatehouse watch`})
}

// The shipped watcher configuration parses.
func TestWatchExampleParses(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "watch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseConfig("watch.yaml", data, Flags{})
	if err != nil || len(in.Events.Rules) != 2 || in.Events.CompleteTag != "gatehouse:complete" {
		t.Fatalf("examples/watch.yaml: %v %+v", err, in)
	}
}
