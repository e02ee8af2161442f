package onboard_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The organisation every test onboards into: the management account, whose
// root credentials gatehouse runs with and whose SES sends the mail, and
// three members it enters through OrganizationAccountAccessRole. Their
// password policies differ (strict with reuse prevention; 32 characters and
// self-service change; none, so AWS's default), so one run makes passwords
// of three lengths and attaches IAMUserChangePassword in two accounts only.
const (
	management  = "111111111111"
	production  = "222222222222"
	development = "333333333333"
	playground  = "444444444444"
	sender      = "it@example.com"
)

var members = []string{production, development, playground}

// aliases are the members' account aliases (the sign-in URL's host).
var aliases = map[string]string{"e2e-production": production, "e2e-development": development}

// changeAllowed says which accounts' password policies let users change their
// own password (where gatehouse must not attach IAMUserChangePassword).
var changeAllowed = map[string]bool{development: true}

const changePasswordPolicy = "arn:aws:iam::aws:policy/IAMUserChangePassword"

// preexisting are users gatehouse created in an earlier life (tagged as its
// own, no password yet), spelt in another case than the spec spells them.
var preexisting = map[string]string{production: "PERSON000@EXAMPLE.COM", playground: "Person003@Example.COM"}

const fixture = `organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: aws-management@example.com}
  units:
    - name: Workloads
      accounts:
        - {id: "222222222222", name: Production, email: aws-production@example.com}
        - {id: "333333333333", name: Development, email: aws-development@example.com}
        - {id: "444444444444", name: Playground, email: aws-playground@example.com}

accounts:
  "111111111111":
    ses_identities:
      us-east-1: [it@example.com]
  "222222222222":
    alias: e2e-production
    password_policy:
      minimum_password_length: 24
      require_symbols: true
      require_numbers: true
      require_uppercase_characters: true
      require_lowercase_characters: true
      password_reuse_prevention: 24
      max_password_age: 90
    roles:
      - &member-access
        name: OrganizationAccountAccessRole
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    groups: &groups
      - {name: developers, path: /staff/}
      - {name: on-call}
    users:
      - name: PERSON000@EXAMPLE.COM
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": person000@example.com}
      - name: bystander
  "333333333333":
    alias: e2e-development
    password_policy:
      minimum_password_length: 32
      require_symbols: true
      allow_users_to_change_password: true
    roles: [*member-access]
    groups: *groups
  "444444444444":
    roles: [*member-access]
    groups: *groups
    users:
      - name: Person003@Example.COM
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": person003@example.com}
        groups: [developers]
`

// fixtureUsers are the users the fixture makes that no spec names.
var fixtureUsers = map[string][]string{production: {"bystander"}}

// writeFixture writes the fixture into dir and returns its path.
func writeFixture(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "world.yaml")
	if err := os.WriteFile(path, []byte(fixture), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// person is someone a generated spec onboards, with what they should end up with.
type person struct {
	Email    string
	UserName string   // as the spec spells it
	Groups   []string // lower-cased
	Language string
}

// key identifies a person's user in an account, as IAM compares names.
func key(account, user string) string { return account + "/" + strings.ToLower(user) }

// writeSpec writes a gatehouse spec onboarding n people (numbered from
// first) into every member account and returns its path and the people.
// Every tenth reads Japanese mail; every seventh has a user name of its own
// in mixed case; everyone joins developers and every third also on-call,
// spelt in other cases now and then (IAM group names ignore case).
func writeSpec(t *testing.T, dir, name string, first, n int, channel string) (string, []person) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\naccounts: [%q, %q, %q]\n", production, development, playground)
	fmt.Fprintf(&b, "delivery: {channel: %s, from: %q}\n", channel, sender)
	b.WriteString("defaults: {groups: [developers]}\npeople:\n")
	var people []person
	for i := first; i < first+n; i++ {
		p := person{Email: fmt.Sprintf("person%03d@example.com", i), Groups: []string{"developers"}, Language: "en"}
		p.UserName = p.Email
		fmt.Fprintf(&b, "  - email: %s\n    name: Person %d\n", p.Email, i)
		if i%7 == 6 {
			p.UserName = fmt.Sprintf("Person%03d.Mixed-Case", i)
			fmt.Fprintf(&b, "    user_name: %s\n", p.UserName)
		}
		if i%10 == 9 {
			p.Language = "ja"
			b.WriteString("    language: ja\n")
		}
		if i%3 == 0 {
			p.Groups = append(p.Groups, "on-call")
			fmt.Fprintf(&b, "    groups: [%s]\n", []string{"on-call", "On-Call", "ON-CALL"}[i%9/3])
		}
		people = append(people, p)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, people
}

// credential is what one mail handed over.
type credential struct {
	Account, UserName, Password string
	To                          []string
	Message                     string // SES message ID
}

var (
	signInLine   = regexp.MustCompile(`(?m)^(?:Sign-in URL:|サインイン URL：)\s*https://([a-z0-9-]+)\.signin\.aws\.amazon\.com/console\s*$`)
	userNameLine = regexp.MustCompile(`(?m)^(?:User name:|ユーザー名：)\s*(\S+)\s*$`)
	passwordLine = regexp.MustCompile(`(?m)^(?:Password:|パスワード：)\s*(\S+)\s*$`)
)

// parseMail reads the account, user name and password out of a mail's text
// part, in English or Japanese.
func parseMail(m message) ([]credential, error) {
	urls, users, pws := signInLine.FindAllStringSubmatch(m.Text, -1), userNameLine.FindAllStringSubmatch(m.Text, -1), passwordLine.FindAllStringSubmatch(m.Text, -1)
	if len(urls) == 0 || len(urls) != len(users) || len(urls) != len(pws) {
		return nil, fmt.Errorf("mail %s (%q) has not one sign-in URL, user name and password line per account:\n%s", m.ID, m.Subject, m.Text)
	}
	var out []credential
	for i := range urls {
		c := credential{To: m.Destinations, Message: m.ID, Account: urls[i][1], UserName: users[i][1], Password: pws[i][1]}
		if id, ok := aliases[c.Account]; ok {
			c.Account = id
		}
		out = append(out, c)
	}
	return out, nil
}

// credentialsByUser parses every mail and groups the credentials by
// key(account, user), in the order SES accepted them.
func credentialsByUser(t *testing.T, msgs []message) map[string][]credential {
	t.Helper()
	out := map[string][]credential{}
	for _, m := range msgs {
		if m.Account != management {
			t.Errorf("mail %s was sent from account %s, want the management account %s", m.ID, m.Account, management)
		}
		cs, err := parseMail(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			out[key(c.Account, c.UserName)] = append(out[key(c.Account, c.UserName)], c)
		}
	}
	return out
}

// expectedUsers lists, per member account, the lower-cased names of every
// user that should exist there: the people's and the fixture's own.
func expectedUsers(people []person) map[string][]string {
	out := map[string][]string{}
	for _, a := range members {
		for _, p := range people {
			out[a] = append(out[a], strings.ToLower(p.UserName))
		}
		for _, u := range fixtureUsers[a] {
			out[a] = append(out[a], strings.ToLower(u))
		}
		slices.Sort(out[a])
	}
	return out
}
