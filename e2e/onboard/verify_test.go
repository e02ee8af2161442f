package onboard_test

import (
	"context"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// listUserNames lists account's users through IAM's own ListUsers, every
// page, signed as the account's root: what a person checking would see.
func (s *sandbox) listUserNames(t testing.TB, account string) []string {
	t.Helper()
	// Ten attempts: with the chaos test's faults (a fifth of requests
	// throttled) the SDK's default three failed a page now and then.
	api := iam.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(account, "x", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 10,
	})
	var names []string
	pages := iam.NewListUsersPaginator(api, &iam.ListUsersInput{MaxItems: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing users of account %s: %v", account, err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	return names
}

// checkUsersExistOnce checks, through ListUsers, that every person has
// exactly one user in every member account (names compared ignoring case)
// and that nobody else was created.
func checkUsersExistOnce(t *testing.T, sb *sandbox, people []person) {
	t.Helper()
	for account, want := range expectedUsers(people) {
		count := map[string]int{}
		for _, name := range sb.listUserNames(t, account) {
			count[strings.ToLower(name)]++
		}
		for _, name := range want {
			if count[name] != 1 {
				t.Errorf("account %s: %d users named %q (ignoring case), want exactly 1", account, count[name], name)
			}
		}
		if extra := slices.DeleteFunc(slices.Sorted(maps.Keys(count)), func(n string) bool { _, found := slices.BinarySearch(want, n); return found }); len(extra) > 0 {
			t.Errorf("account %s: users nobody asked for: %v", account, extra)
		}
	}
}

// checkUsersComplete checks each person's user in the sandbox's state: tagged
// as gatehouse's, a login profile that must be reset, exactly the groups
// asked for with no membership twice, and IAMUserChangePassword (once)
// exactly where the account's policy does not let users change passwords.
func checkUsersComplete(t *testing.T, sb *sandbox, people []person) {
	t.Helper()
	w := sb.world(t)
	for _, account := range members {
		users := w.Accounts[account].Users
		for _, p := range people {
			u, ok := users[strings.ToLower(p.UserName)]
			if !ok {
				t.Errorf("account %s: no user %s in the sandbox's state", account, p.UserName)
				continue
			}
			where := fmt.Sprintf("account %s user %s", account, u.Name)
			if !slices.Contains(u.Tags, tag{Key: "gatehouse:managed-by", Value: "gatehouse"}) {
				t.Errorf("%s: not tagged gatehouse:managed-by=gatehouse: %v", where, u.Tags)
			}
			if u.LoginProfile == nil || !u.LoginProfile.ResetRequired {
				t.Errorf("%s: login profile %+v, want one that requires a reset", where, u.LoginProfile)
			}
			groups := make([]string, len(u.Groups))
			for i, g := range u.Groups {
				groups[i] = strings.ToLower(g)
			}
			slices.Sort(groups)
			if want := slices.Sorted(slices.Values(p.Groups)); !slices.Equal(groups, want) {
				t.Errorf("%s: groups %v, want %v (each once)", where, u.Groups, want)
			}
			n := 0
			for _, arn := range u.AttachedPolicies {
				if arn == changePasswordPolicy {
					n++
				}
			}
			if want := map[bool]int{true: 0, false: 1}[changeAllowed[account]]; n != want || len(u.AttachedPolicies) != want {
				t.Errorf("%s: attached policies %v, want IAMUserChangePassword %d time(s) and nothing else", where, u.AttachedPolicies, want)
			}
		}
	}
}

// checkLastCredentialsSignIn checks that every person got at least one mail
// per account, that no password was mailed twice (one mail per credential),
// and that the last password each received signs in and must be changed. It
// returns the credentials per key(account, user).
func checkLastCredentialsSignIn(t *testing.T, sb *sandbox, people []person) map[string][]credential {
	t.Helper()
	creds := credentialsByUser(t, sb.messages(t))
	seen := map[string]string{}
	for k, list := range creds {
		for _, c := range list {
			if other, dup := seen[c.Password]; dup {
				t.Errorf("the same password was mailed twice: to %s and to %s (message %s)", other, k, c.Message)
			}
			seen[c.Password] = k
		}
	}
	for _, account := range members {
		for _, p := range people {
			list := creds[key(account, p.UserName)]
			if len(list) == 0 {
				t.Errorf("account %s user %s: no mail", account, p.UserName)
				continue
			}
			last := list[len(list)-1]
			if len(last.To) != 1 || !sameAddress(last.To[0], p.Email) {
				t.Errorf("account %s user %s: last mail went to %v, want %s", account, p.UserName, last.To, p.Email)
			}
			valid, reset := sb.signsIn(t, account, last.UserName, last.Password)
			if !valid || !reset {
				t.Errorf("account %s user %s: the last password mailed (message %s, %d mail(s) in all) signs in: %v, reset required: %v; want both",
					account, p.UserName, last.Message, len(list), valid, reset)
			}
		}
	}
	return creds
}

// checkNothingUnconfirmed opens the journal and checks that no credential was
// left issued but unconfirmed, and that it knows every pair as delivered.
func checkNothingUnconfirmed(t *testing.T, path string, people []person) {
	t.Helper()
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	left, err := j.Unconfirmed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range left {
		t.Errorf("journal: the credential %s of %s in account %s is still unconfirmed", p.CredentialID, p.UserName, p.Account)
	}
	known, err := j.People(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, p := range known {
		state[key(p.Account, p.UserName)] = p.CredentialState
	}
	for _, account := range members {
		for _, p := range people {
			if s := state[key(account, p.UserName)]; s != journal.CredentialDelivered {
				t.Errorf("journal: %s in account %s has credential state %q, want %q", p.UserName, account, s, journal.CredentialDelivered)
			}
		}
	}
}

// sameAddress reports whether a destination ("Name <a@b>" or "a@b") is addr.
func sameAddress(destination, addr string) bool {
	a, err := mail.ParseAddress(destination)
	return err == nil && strings.EqualFold(a.Address, addr)
}
