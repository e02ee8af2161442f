package spec

import (
	"fmt"
	"testing"
)

// An Identity Center spec: names (given and family, or split from the
// display name — family first in Japanese), one e-mail, groups that may
// hold spaces, and assignments from the defaults and the person.
func TestIdentityCenterSpec(t *testing.T) {
	t.Parallel()
	in, err := Parse("idc.yaml", []byte(lines(
		"directory: identity-center",
		"identity_center: {region: eu-west-1}",
		"delivery: {channel: ses, from: it@example.com}",
		"defaults:",
		"  groups: [Everyone Staff]",
		"  assignments: [{permission_set: ReadOnly, accounts: all}]",
		"people:",
		"  - {email: ada@example.com, name: Ada Lovelace}",
		"  - email: taro@example.com",
		"    name: 山田 太郎",
		"    language: ja",
		"    assignments: [{permission_set: Developer, accounts: [\"222222222222\", {ou: ou-ab12-cd34ef56}]}]",
		"  - {email: grace@example.com, given_name: Grace, family_name: Hopper}",
	)), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Directory != DirectoryIdentityCenter || in.IdentityCenter.Region != "eu-west-1" {
		t.Errorf("input: %+v", in)
	}
	names := func(p Person) [2]string { return [2]string{p.GivenName, p.FamilyName} }
	if got := names(in.People[0]); got != [2]string{"Ada", "Lovelace"} {
		t.Errorf("ada's names %v", got)
	}
	if got := names(in.People[1]); got != [2]string{"太郎", "山田"} {
		t.Errorf("taro's names %v (Japanese puts the family name first)", got)
	}
	if got := names(in.People[2]); got != [2]string{"Grace", "Hopper"} {
		t.Errorf("grace's names %v", got)
	}
	want := []Assignment{{PermissionSet: "ReadOnly", Accounts: AccountSelector{All: true, IDs: []string{}, OUs: []string{}}},
		{PermissionSet: "Developer", Accounts: AccountSelector{IDs: []string{"222222222222"}, OUs: []string{"ou-ab12-cd34ef56"}}}}
	if fmt.Sprint(in.People[1].Assignments) != fmt.Sprint(want) || in.People[0].Groups[0] != "Everyone Staff" {
		t.Errorf("taro's assignments %+v, ada's groups %v", in.People[1].Assignments, in.People[0].Groups)
	}
}

func TestIdentityCenterProblems(t *testing.T) {
	t.Parallel()
	_, err := Parse("idc.yaml", []byte(lines(
		"directory: identity-center",
		"delivery: {channel: none}",
		"people:",
		"  - {user_name: Administrator, name: Root Admin, email: admin@example.com}",
		"  - {email: solo@example.com, name: Solo}",
		"  - {user_name: nomail, name: No Mail}",
		"  - {email: iam@example.com, name: I Am, path: /x/, policies: [ReadOnlyAccess]}",
		"  - {email: half@example.com, name: Half Way, assignments: [{permission_set: Dev}]}",
	)), Flags{})
	assertProblems(t, err, []string{
		`user name "Administrator" at idc.yaml:4: Identity Center user names are 1–128`,
		`person "solo@example.com" at idc.yaml:5: an Identity Center user needs given_name and family_name`,
		`person "nomail" at idc.yaml:6: an Identity Center user needs an email`,
		`path and boundary at idc.yaml:7: they are IAM's`,
		`policies at idc.yaml:7: Identity Center users get access through assignments`,
		`an assignment at idc.yaml:8: needs accounts`,
	})
	_, err = Parse("iam.yaml", []byte(lines("delivery: {channel: none}", "people:",
		"  - {email: a@example.com, given_name: A, assignments: [{permission_set: Dev, accounts: all}]}")), Flags{})
	assertProblems(t, err, []string{
		`given_name and family_name at iam.yaml:3: they are Identity Center's`,
		`assignments at iam.yaml:3: they are Identity Center's`,
	})
}

// Seed 004's payload is read as it is, and means one Identity Center user.
func TestSeed004Payload(t *testing.T) {
	t.Parallel()
	in, err := Parse("okta.json", []byte(`{"UserName": "hanako@example.com", "DisplayName": "Hanako Sato", "GivenName": "Hanako",
		"FamilyName": "Sato", "Emails": [{"Value": "hanako.sato@example.com", "Primary": true}]}`), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	p := in.People[0]
	if in.Format != FormatSeed004 || in.Directory != DirectoryIdentityCenter || in.Delivery.Channel != ChannelNone || len(in.People) != 1 ||
		p.UserName != "hanako@example.com" || p.Email != "hanako.sato@example.com" || p.DisplayName != "Hanako Sato" ||
		p.GivenName != "Hanako" || p.FamilyName != "Sato" {
		t.Errorf("input %+v", in)
	}
}

// Offboarding names Identity Center users by user name alone: what creating
// one needs (an e-mail, given and family names) is not asked.
func TestFromNamesSelectsIdentityCenterUsersByName(t *testing.T) {
	in, err := FromNames([]string{"taro.yamada", "ada@example.com"}, Flags{Directory: Set(DirectoryIdentityCenter), Deliver: Set(ChannelNone)})
	if err != nil {
		t.Fatalf("FromNames: %v", err)
	}
	if len(in.People) != 2 || in.People[0].UserName != "taro.yamada" {
		t.Fatalf("people %+v", in.People)
	}
}

// Claim links and encrypted files carry a secret; an Identity Center user
// has none. Choosing either for Identity Center users is one problem where
// it is chosen — the flag, the delivery section, a person — not one per
// person.
func TestIdentityCenterRefusesSecretChannels(t *testing.T) {
	t.Parallel()
	spec := lines(
		"directory: identity-center",
		"delivery: {channel: claim, from: it@example.com, claim: {url: https://claims.example.com}}",
		"people:",
		"  - {email: ada@example.com, name: Ada Lovelace}",
		"  - {email: grace@example.com, name: Grace Hopper}",
		"  - {email: alan@example.com, name: Alan Turing, deliver: file, public_key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj}",
		"  - {email: edsger@example.com, name: Edsger Dijkstra, deliver: ses}",
	)
	_, err := Parse("idc.yaml", []byte(spec), Flags{})
	assertProblems(t, err, []string{
		`deliver claim at idc.yaml:2: an Identity Center user has no password for a claim link to carry`,
		`deliver file at idc.yaml:6: an Identity Center user has no password for an encrypted file to carry`,
	})
	_, err = Parse("idc.yaml", []byte(spec), Flags{Deliver: Set(ChannelFile)})
	assertProblems(t, err, []string{`deliver file from --deliver: an Identity Center user has no password for an encrypted file to carry`})
	if _, err := Parse("idc.yaml", []byte(spec), Flags{Deliver: Set(ChannelSES)}); err != nil {
		t.Errorf("--deliver ses: %v", err)
	}
}
