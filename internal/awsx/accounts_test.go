package awsx

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// fakeOrg serves an organisation from maps, one item per page so every
// listing must paginate, and logs each call.
type fakeOrg struct {
	accounts map[string][]orgtypes.Account // parent ID → accounts
	ous      map[string][]string           // parent ID → child OU IDs
	listErr  error
	calls    []string
}

func acct(id, name string, st orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: st}
}

// page returns item index tok and the token of the next one.
func page(tok *string, n int) (int, *string) {
	i, _ := strconv.Atoi(aws.ToString(tok))
	if i+1 < n {
		return i, aws.String(strconv.Itoa(i + 1))
	}
	return i, nil
}

func (f *fakeOrg) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	f.calls = append(f.calls, "ListAccounts "+aws.ToString(in.NextToken))
	if f.listErr != nil {
		return nil, f.listErr
	}
	var all []orgtypes.Account
	for _, parent := range slices.Sorted(maps.Keys(f.accounts)) {
		all = append(all, f.accounts[parent]...)
	}
	i, next := page(in.NextToken, len(all))
	return &organizations.ListAccountsOutput{Accounts: all[i : i+1], NextToken: next}, nil
}

func (f *fakeOrg) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	f.calls = append(f.calls, "ListAccountsForParent "+aws.ToString(in.ParentId)+" "+aws.ToString(in.NextToken))
	list := f.accounts[aws.ToString(in.ParentId)]
	if len(list) == 0 {
		return &organizations.ListAccountsForParentOutput{}, nil
	}
	i, next := page(in.NextToken, len(list))
	return &organizations.ListAccountsForParentOutput{Accounts: list[i : i+1], NextToken: next}, nil
}

func (f *fakeOrg) ListOrganizationalUnitsForParent(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	f.calls = append(f.calls, "ListOrganizationalUnitsForParent "+aws.ToString(in.ParentId)+" "+aws.ToString(in.NextToken))
	list := f.ous[aws.ToString(in.ParentId)]
	if len(list) == 0 {
		return &organizations.ListOrganizationalUnitsForParentOutput{}, nil
	}
	i, next := page(in.NextToken, len(list))
	return &organizations.ListOrganizationalUnitsForParentOutput{
		OrganizationalUnits: []orgtypes.OrganizationalUnit{{Id: aws.String(list[i])}}, NextToken: next,
	}, nil
}

func newFakeOrg() *fakeOrg {
	return &fakeOrg{
		accounts: map[string][]orgtypes.Account{
			"r-root": {acct("111111111111", "Management", orgtypes.AccountStateActive), acct("999999999999", "Closed", orgtypes.AccountStateClosed)},
			"ou-a": {acct("333333333333", "C", orgtypes.AccountStateActive), acct("222222222222", "B", orgtypes.AccountStateActive),
				acct("444444444444", "Suspended", orgtypes.AccountStateSuspended)},
			"ou-a2": {acct("555555555555", "E", orgtypes.AccountStateActive), acct("666666666666", "Pending", orgtypes.AccountStatePendingClosure)},
			"ou-a3": {{Id: aws.String("777777777777"), Name: aws.String("OldStatus"), Status: orgtypes.AccountStatusActive}},
		},
		ous: map[string][]string{"r-root": {"ou-a"}, "ou-a": {"ou-a2", "ou-a3"}},
	}
}

func ids(accts []Account) string {
	var s []string
	for _, a := range accts {
		s = append(s, a.ID+"="+a.Name)
	}
	return strings.Join(s, " ")
}

func TestResolveAccountsActiveOnlyAndPaginated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		sel  spec.AccountSelector
		want string
	}{
		{"all", spec.AccountSelector{All: true},
			"111111111111=Management 222222222222=B 333333333333=C 555555555555=E 777777777777=OldStatus"},
		{"OU", spec.AccountSelector{OUs: []string{"ou-a"}},
			"222222222222=B 333333333333=C 555555555555=E 777777777777=OldStatus"},
		{"nested OU", spec.AccountSelector{OUs: []string{"ou-a2"}}, "555555555555=E"},
		{"IDs", spec.AccountSelector{IDs: []string{"333333333333", "123456789012"}}, "123456789012= 333333333333=C"},
	} {
		got, err := resolveAccounts(ctx, newFakeOrg(), tc.sel)
		if err != nil || ids(got) != tc.want {
			t.Errorf("%s: = %q, %v; want %q", tc.name, ids(got), err, tc.want)
		}
	}
}

func TestResolveAccountsWalksEveryPage(t *testing.T) {
	t.Parallel()
	org := newFakeOrg()
	if _, err := resolveAccounts(context.Background(), org, spec.AccountSelector{OUs: []string{"ou-a"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ListAccountsForParent ou-a ", "ListAccountsForParent ou-a 1", "ListAccountsForParent ou-a 2",
		"ListOrganizationalUnitsForParent ou-a ", "ListOrganizationalUnitsForParent ou-a 1",
		"ListAccountsForParent ou-a2 ", "ListAccountsForParent ou-a2 1", "ListOrganizationalUnitsForParent ou-a2 ",
		"ListAccountsForParent ou-a3 ", "ListOrganizationalUnitsForParent ou-a3 ",
	}
	if !slices.Equal(org.calls, want) {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(org.calls, "\n"), strings.Join(want, "\n"))
	}
}

func TestResolveAccountsRefusesListedInactiveAccounts(t *testing.T) {
	t.Parallel()
	_, err := resolveAccounts(context.Background(), newFakeOrg(), spec.AccountSelector{IDs: []string{"444444444444"}})
	if err == nil || !strings.Contains(err.Error(), "444444444444 (Suspended) is SUSPENDED") {
		t.Errorf("listing a suspended account = %v", err)
	}
	if _, err := resolveAccounts(context.Background(), newFakeOrg(), spec.AccountSelector{IDs: []string{"12345678901"}}); err == nil {
		t.Error("an 11-digit ID was accepted")
	}
}

func TestResolveAccountsOrganisationErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	notInUse := apiErr("AWSOrganizationsNotInUseException")
	org := newFakeOrg()
	org.listErr = notInUse
	if _, err := resolveAccounts(ctx, org, spec.AccountSelector{All: true}); !errors.Is(err, notInUse) {
		t.Errorf("all without an organisation = %v", err)
	}
	got, err := resolveAccounts(ctx, org, spec.AccountSelector{IDs: []string{"222222222222"}})
	if err != nil || ids(got) != "222222222222=" {
		t.Errorf("IDs without an organisation = %q, %v", ids(got), err)
	}
	org.listErr = fmt.Errorf("after 10 attempts: %w", apiErr("TooManyRequestsException"))
	if _, err := resolveAccounts(ctx, org, spec.AccountSelector{IDs: []string{"222222222222"}}); !errors.Is(err, ErrThrottled) {
		t.Errorf("IDs when Organizations keeps throttling = %v; must fail, not guess", err)
	}
}
