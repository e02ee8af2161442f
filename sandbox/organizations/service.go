// Package organizations is the sandbox's AWS Organizations: one organisation per
// world (World.Organization) with its root, OUs and member accounts, enough to set
// one up from the CLI (CreateOrganization, CreateOrganizationalUnit, CreateAccount,
// MoveAccount) and to read it as gatehouse does, with AWS's access rules: only the
// management account may list and describe, members may only describe the
// organisation, and accounts outside it are told it is not in use.
package organizations

import (
	"crypto/rand"
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// read and write mark what an operation does to the world.
var read, write = awsproto.Read, awsproto.Write

// Service is Organizations: its API (JSON 1.1), the organisation (the world's)
// and each account's membership (package orgstate).
func Service() service.Definition {
	return service.Definition{
		APIs:    []*awsproto.API{api()},
		State:   []state.Slot{orgstate.WorldSlot, orgstate.MembershipSlot},
		Fixture: []fixture.Section{fixtureSection()},
	}
}

func api() *awsproto.API {
	return &awsproto.API{
		Name: "organizations", ID: "organizations",
		Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "AWSOrganizationsV20161128"},
		Operations: map[string]awsproto.Operation{
			"CreateOrganization":               write(createOrganization),
			"DescribeOrganization":             read(describeOrganization),
			"ListRoots":                        read(listRoots),
			"CreateOrganizationalUnit":         write(createOrganizationalUnit),
			"ListOrganizationalUnitsForParent": read(listOrganizationalUnitsForParent),
			"ListParents":                      read(listParents),
			"CreateAccount":                    write(createAccount),
			"DescribeCreateAccountStatus":      read(describeCreateAccountStatus),
			"DescribeAccount":                  read(describeAccount),
			"ListAccounts":                     read(listAccounts),
			"ListAccountsForParent":            read(listAccountsForParent),
			"MoveAccount":                      write(moveAccount),
		},
	}
}

// orgError builds an Organizations error; the service answers client errors with 400.
func orgError(code, format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, code, format, args...)
}

func invalidInput(format string, args ...any) error {
	return orgError("InvalidInputException", format, args...)
}

func notInUse() error {
	return orgError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

func accessDenied() error {
	return orgError("AccessDeniedException", "You don't have permissions to access this resource.")
}

func parentNotFound() error {
	return orgError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func accountNotFound() error {
	return orgError("AccountNotFoundException", "You specified an account that doesn't exist.")
}

// orgAccount is an account as Organizations sees it: its ID and its membership.
type orgAccount struct {
	ID string
	*orgstate.Membership
}

func membershipOf(a *state.Account) orgAccount { return orgAccount{a.ID, orgstate.MembershipOf(a)} }

// orgOf returns the caller's organisation, or AWSOrganizationsNotInUseException.
func orgOf(r *awsproto.Request) (*orgstate.Organization, error) {
	if !orgstate.IsMember(r.World, r.Caller.Account) {
		return nil, notInUse()
	}
	return orgstate.Of(r.World), nil
}

// managed returns the organisation when the caller is its management account:
// every call but DescribeOrganization is reserved to it.
func managed(r *awsproto.Request) (*orgstate.Organization, error) {
	org, err := orgOf(r)
	if err != nil {
		return nil, err
	}
	if r.Caller.Account != org.ManagementAccount {
		return nil, accessDenied()
	}
	return org, nil
}

// randomString returns n characters of alphabet from crypto/rand.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	decimal    = "0123456789"
)
