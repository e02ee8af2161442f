package awsx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// Account is an AWS account gatehouse acts in. Name is the organisation's
// name for it ("" when it was not read from Organizations).
type Account struct {
	ID   string
	Name string
}

// orgAPI is what ResolveAccounts needs from Organizations.
type orgAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
}

var _ orgAPI = (*organizations.Client)(nil)

// ResolveAccounts turns a selector into accounts, sorted by ID, without
// duplicates: the caller's own account for an empty selector; every ACTIVE
// account of the organisation for All; the ACTIVE accounts under each OU, at
// any depth; and listed IDs, named from the organisation when the caller may
// read it. A listed account the organisation reports as not ACTIVE is an error.
func (f *Factory) ResolveAccounts(ctx context.Context, sel spec.AccountSelector) ([]Account, error) {
	if !sel.All && len(sel.OUs) == 0 && len(sel.IDs) == 0 {
		id, err := f.Caller(ctx)
		if err != nil {
			return nil, err
		}
		return []Account{{ID: id.Account}}, nil
	}
	return resolveAccounts(ctx, organizations.NewFromConfig(f.base), sel)
}

func resolveAccounts(ctx context.Context, api orgAPI, sel spec.AccountSelector) ([]Account, error) {
	found := map[string]Account{}
	var org []orgtypes.Account // every account of the organisation, once listed
	if sel.All || len(sel.IDs) > 0 {
		var err error
		org, err = listAccounts(ctx, api)
		switch {
		case err != nil && (sel.All || !unreadableOrg(err)):
			return nil, err
		case sel.All:
			addActive(found, org)
		}
	}
	for _, ou := range sel.OUs {
		if err := addUnder(ctx, api, ou, found); err != nil {
			return nil, err
		}
	}
	for _, id := range sel.IDs {
		if !accountID.MatchString(id) {
			return nil, fmt.Errorf("resolving accounts: %q is not a 12-digit account ID", id)
		}
		acct := Account{ID: id}
		if i := slices.IndexFunc(org, func(a orgtypes.Account) bool { return aws.ToString(a.Id) == id }); i >= 0 {
			if st := accountState(org[i]); st != "ACTIVE" {
				return nil, fmt.Errorf("resolving accounts: account %s (%s) is %s in the organisation; remove it from the list", id, aws.ToString(org[i].Name), st)
			}
			acct.Name = aws.ToString(org[i].Name)
		}
		found[id] = acct
	}
	out := make([]Account, 0, len(found))
	for _, a := range found {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// unreadableOrg reports whether err means the organisation cannot be read by
// the caller (not in one, or not its management account): listed IDs are then
// used as they are.
func unreadableOrg(err error) bool {
	var apiErr smithy.APIError
	return errors.Is(err, ErrAccessDenied) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode() == "AWSOrganizationsNotInUseException"
}

func listAccounts(ctx context.Context, api orgAPI) ([]orgtypes.Account, error) {
	var all []orgtypes.Account
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the organisation's accounts: %w", Classify(err))
		}
		all = append(all, page.Accounts...)
	}
	return all, nil
}

// addUnder adds the ACTIVE accounts under parent (an OU or root ID) and under
// all its OUs, recursively.
func addUnder(ctx context.Context, api orgAPI, parent string, found map[string]Account) error {
	accts := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for accts.HasMorePages() {
		page, err := accts.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing accounts under organisational unit (%s): %w", parent, Classify(err))
		}
		addActive(found, page.Accounts)
	}
	var children []string
	ous := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for ous.HasMorePages() {
		page, err := ous.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing organisational units under (%s): %w", parent, Classify(err))
		}
		for _, ou := range page.OrganizationalUnits {
			children = append(children, aws.ToString(ou.Id))
		}
	}
	for _, child := range children {
		if err := addUnder(ctx, api, child, found); err != nil {
			return err
		}
	}
	return nil
}

func addActive(found map[string]Account, accts []orgtypes.Account) {
	for _, a := range accts {
		if accountState(a) == "ACTIVE" {
			found[aws.ToString(a.Id)] = Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)}
		}
	}
}

// accountState is the account's State, or its older Status field when State is unset.
func accountState(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}
