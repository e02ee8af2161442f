package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestFromNames(t *testing.T) {
	t.Parallel()
	in, err := FromNames([]string{"alice", " bob@example.com ", "svc.deploy+ci"}, Flags{
		Accounts: Set([]string{"111122223333"}), Deliver: Set("none"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make([][3]string, len(in.People))
	for i, p := range in.People {
		got[i] = [3]string{p.UserName, p.Email, p.Deliver}
	}
	want := [][3]string{{"alice", "", "none"}, {"bob@example.com", "bob@example.com", "none"}, {"svc.deploy+ci", "", "none"}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(in.Accounts.IDs, []string{"111122223333"}) || in.People[1].Pos.Arg != 2 {
		t.Errorf("people = %v, input %+v", got, in)
	}
}

func TestFromNamesProblems(t *testing.T) {
	t.Parallel()
	_, err := FromNames([]string{"alice", "has space", "ALICE", "a@example.com"}, Flags{Accounts: Set([]string{"12345"})})
	assertProblems(t, err, []string{
		`account ID "12345" from --account: AWS account IDs are exactly 12 digits`,
		`delivery by ses: it needs a sender address`,
		`user name "has space" at argument 2: IAM user names are 1–64 characters`,
		`user name "ALICE" at argument 3: already used at argument 1 (IAM user names ignore case)`,
	})
}

// `offboard alice ALICE` names one user twice: the message says so, with no
// onboarding advice (there is no user_name on a command line).
func TestFromNamesDuplicateAdvice(t *testing.T) {
	t.Parallel()
	_, err := FromNames([]string{"alice", "ALICE"}, Flags{Deliver: Set(ChannelNone)})
	if err == nil || !strings.Contains(err.Error(), "they name the same user: give it once") || strings.Contains(err.Error(), "user_name") {
		t.Errorf("error = %v", err)
	}
}

func TestFromFlags(t *testing.T) {
	t.Parallel()
	in, err := FromFlags(Flags{OUs: Set([]string{"ou-ab12-cd34ef56"}), Role: Set("arn:aws:iam::{account}:role/Offboard"), Deliver: Set("none")})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.People) != 0 || in.Role.ARNTemplate != "arn:aws:iam::{account}:role/Offboard" || in.Accounts.OUs[0] != "ou-ab12-cd34ef56" {
		t.Errorf("input = %+v", in)
	}
	_, err = FromFlags(Flags{AllAccounts: Set(true), Accounts: Set([]string{"1"}), Role: Set("a:b"), Directory: Set("ldap")})
	assertProblems(t, err, []string{
		`account ID "1" from --account`,
		`role name "a:b" from --role`,
		`directory "ldap" from --directory`,
		`--all-accounts with --account: choose one`,
	})
}
