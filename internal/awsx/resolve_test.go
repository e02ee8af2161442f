package awsx_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// orgWorld: the management account and Sandbox at the root; Workloads holds
// Production and, nested two levels deeper, Staging and Dev; Security holds Audit.
const orgWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: aws@example.com}
    - {id: "900000000009", name: Sandbox, email: aws-sandbox@example.com}
  units:
    - name: Workloads
      accounts:
        - {id: "222222222222", name: Production, email: aws-prod@example.com}
      units:
        - name: NonProd
          units:
            - name: Teams
              accounts:
                - {id: "333333333333", name: Staging, email: aws-staging@example.com}
                - {id: "444444444444", name: Dev, email: aws-dev@example.com}
    - name: Security
      accounts:
        - {id: "555555555555", name: Audit, email: aws-audit@example.com}
`

// ouID finds an OU's ID by name directly under parent.
func ouID(t *testing.T, org *organizations.Client, parent, name string) string {
	t.Helper()
	out, err := org.ListOrganizationalUnitsForParent(context.Background(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ou := range out.OrganizationalUnits {
		if aws.ToString(ou.Name) == name {
			return aws.ToString(ou.Id)
		}
	}
	t.Fatalf("no OU %s under %s", name, parent)
	return ""
}

func TestResolveAccounts(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, orgWorld)
	ctx := context.Background()
	org := organizations.NewFromConfig(sb.Config(mgmt))
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	workloads := ouID(t, org, root, "Workloads")
	security := ouID(t, org, root, "Security")

	f := newFactory(t, sb, awsx.Options{})
	for _, tc := range []struct {
		name string
		sel  spec.AccountSelector
		want []awsx.Account
	}{
		{"empty is the caller's account", spec.AccountSelector{}, []awsx.Account{{ID: mgmt}}},
		{"all", spec.AccountSelector{All: true}, []awsx.Account{
			{"111111111111", "Management"}, {"222222222222", "Production"}, {"333333333333", "Staging"},
			{"444444444444", "Dev"}, {"555555555555", "Audit"}, {"900000000009", "Sandbox"}}},
		{"OU, recursively", spec.AccountSelector{OUs: []string{workloads}}, []awsx.Account{
			{"222222222222", "Production"}, {"333333333333", "Staging"}, {"444444444444", "Dev"}}},
		{"two OUs", spec.AccountSelector{OUs: []string{security, workloads}}, []awsx.Account{
			{"222222222222", "Production"}, {"333333333333", "Staging"}, {"444444444444", "Dev"}, {"555555555555", "Audit"}}},
		{"IDs, named, sorted", spec.AccountSelector{IDs: []string{"555555555555", "222222222222"}}, []awsx.Account{
			{"222222222222", "Production"}, {"555555555555", "Audit"}}},
		{"IDs and OU overlap once", spec.AccountSelector{IDs: []string{"222222222222", "900000000009"}, OUs: []string{workloads}}, []awsx.Account{
			{"222222222222", "Production"}, {"333333333333", "Staging"}, {"444444444444", "Dev"}, {"900000000009", "Sandbox"}}},
	} {
		got, err := f.ResolveAccounts(ctx, tc.sel)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: ResolveAccounts = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := f.ResolveAccounts(ctx, spec.AccountSelector{OUs: []string{"ou-none-12345678"}}); err == nil {
		t.Error("ResolveAccounts with an unknown OU succeeded")
	}
}

func TestResolveAccountsOutsideAnOrganisation(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, orgWorld)
	const outsider = "777777777777"
	f, err := awsx.New(context.Background(), awsx.Options{
		Endpoint: sb.URL, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(outsider, "s", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Listed IDs need no organisation: they come back as they are.
	got, err := f.ResolveAccounts(ctx, spec.AccountSelector{IDs: []string{"888888888888", outsider}})
	want := []awsx.Account{{ID: outsider}, {ID: "888888888888"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("IDs outside an organisation = %v, %v; want %v", got, err, want)
	}
	// "all" does: the error says so.
	if _, err := f.ResolveAccounts(ctx, spec.AccountSelector{All: true}); err == nil {
		t.Error("ResolveAccounts(all) outside an organisation succeeded")
	}
	// A member account may not list the organisation either.
	member := newMemberFactory(t, sb, "222222222222")
	if _, err := member.ResolveAccounts(ctx, spec.AccountSelector{All: true}); !errors.Is(err, awsx.ErrAccessDenied) {
		t.Errorf("ResolveAccounts(all) from a member account = %v, want access denied", err)
	}
}

func newMemberFactory(t *testing.T, sb *sandboxtest.Sandbox, account string) *awsx.Factory {
	t.Helper()
	f, err := awsx.New(context.Background(), awsx.Options{
		Endpoint: sb.URL, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(account, "s", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAccountAlias(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	ctx := context.Background()
	for account, want := range map[string]string{member: "example-prod", member2: ""} {
		f := newFactory(t, sb, awsx.Options{Role: spec.Role{Name: "GatehouseAccess"}})
		cfg, err := f.Config(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		got, err := awsx.AccountAlias(ctx, iam.NewFromConfig(cfg))
		if err != nil || got != want {
			t.Errorf("AccountAlias(%s) = %q, %v; want %q", account, got, err, want)
		}
	}
}
