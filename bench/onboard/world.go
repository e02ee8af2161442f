package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The benchmark's organisation: a management account (gatehouse runs with its
// root credentials; its SES sends the mail) and members numbered from
// 200000000001, each with OrganizationAccountAccessRole trusting the
// management account, a developers group and a password policy that does not
// let users change their password (so IAMUserChangePassword is attached, as
// in the seeds).
const (
	management = "111111111111"
	sender     = "it@example.com"
	group      = "developers"
)

func memberID(i int) string { return fmt.Sprintf("%012d", 200000000001+i) }

// writeFixture writes a sandbox fixture with n member accounts. With n = 0
// the management account alone gets the group and the password policy (the
// single-account comparison with the AWS CLI).
func writeFixture(dir string, n int) (string, error) {
	var b strings.Builder
	b.WriteString("organization:\n  management_account: \"" + management + "\"\n  accounts:\n")
	fmt.Fprintf(&b, "    - {id: %q, name: Management, email: aws-management@example.com}\n", management)
	for i := range n {
		fmt.Fprintf(&b, "    - {id: %q, name: Member%d, email: aws-member%d@example.com}\n", memberID(i), i, i)
	}
	b.WriteString("accounts:\n")
	fmt.Fprintf(&b, "  %q:\n    ses_identities:\n      us-east-1: [%s]\n", management, sender)
	policy := `    password_policy: {minimum_password_length: 20, require_symbols: true, require_numbers: true, require_uppercase_characters: true, require_lowercase_characters: true}
`
	if n == 0 {
		b.WriteString(policy)
		fmt.Fprintf(&b, "    groups: [{name: %s}]\n", group)
	}
	for i := range n {
		fmt.Fprintf(&b, "  %q:\n    alias: bench-member-%d\n%s", memberID(i), i, policy)
		fmt.Fprintf(&b, "    groups: [{name: %s}]\n", group)
		fmt.Fprintf(&b, `    roles:
      - name: OrganizationAccountAccessRole
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::%s:root"}, Action: sts:AssumeRole}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`, management)
	}
	path := filepath.Join(dir, fmt.Sprintf("world-%d.yaml", n))
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// email is person i's address.
func email(i int) string { return fmt.Sprintf("person%04d@example.com", i) }

// writeSpec writes a gatehouse spec onboarding people into the accounts (the
// caller's own account when there are none), everyone in the developers group.
func writeSpec(dir string, people int, accounts []string, channel string) (string, error) {
	var b strings.Builder
	b.WriteString("version: 1\n")
	if len(accounts) > 0 {
		fmt.Fprintf(&b, "accounts: [\"%s\"]\n", strings.Join(accounts, `", "`))
	}
	fmt.Fprintf(&b, "delivery: {channel: %s, from: %q}\ndefaults: {groups: [%s]}\npeople:\n", channel, sender, group)
	for i := range people {
		fmt.Fprintf(&b, "  - email: %s\n", email(i))
	}
	path := filepath.Join(dir, fmt.Sprintf("spec-%d-%d-%s.yaml", people, len(accounts), channel))
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// writePeople writes one e-mail address per line, for the AWS CLI loop.
func writePeople(dir string, people int) (string, error) {
	var b strings.Builder
	for i := range people {
		b.WriteString(email(i) + "\n")
	}
	path := filepath.Join(dir, fmt.Sprintf("people-%d.txt", people))
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
