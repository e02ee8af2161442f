package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The benchmark's organisation: a management account (gatehouse runs with
// its root credentials; it owns the Identity Center instance; its SES sends
// the welcomes) and members numbered from 200000000001.
const (
	management = "111111111111"
	sender     = "it@example.com"
)

func memberIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%012d", 200000000001+i)
	}
	return out
}

// writeFixture writes the organisation with its Identity Center instance at
// AWS's quotas (the sandbox's defaults), a ReadOnly permission set and a
// readers group.
func writeFixture(dir string, members []string) (string, error) {
	var b strings.Builder
	b.WriteString("organization:\n  management_account: \"" + management + "\"\n  accounts:\n")
	fmt.Fprintf(&b, "    - {id: %q, name: Management, email: aws-management@example.com}\n", management)
	for i, id := range members {
		fmt.Fprintf(&b, "    - {id: %q, name: Member%d, email: aws-member%d@example.com}\n", id, i, i)
	}
	b.WriteString(`identity_center:
  instance_id: ssoins-1111111111111111
  identity_store_id: d-1111111111
  permission_sets:
    - {name: ReadOnly, managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]}
  groups:
    - {display_name: readers}
accounts:
`)
	fmt.Fprintf(&b, "  %q:\n    ses_identities:\n      us-east-1: [%s]\n", management, sender)
	path := filepath.Join(dir, "world.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// writeSpec writes the Identity Center spec: everyone in readers, with
// ReadOnly in every member account.
func writeSpec(dir string, people int, members []string, channel string) (string, error) {
	var b strings.Builder
	b.WriteString("directory: identity-center\n")
	fmt.Fprintf(&b, "delivery: {channel: %s, from: %q}\n", channel, sender)
	fmt.Fprintf(&b, "defaults:\n  groups: [readers]\n  assignments: [{permission_set: ReadOnly, accounts: [\"%s\"]}]\npeople:\n",
		strings.Join(members, `", "`))
	for i := range people {
		fmt.Fprintf(&b, "  - {email: person%04d@example.com, given_name: Person, family_name: Number%04d}\n", i, i)
	}
	path := filepath.Join(dir, "spec.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
