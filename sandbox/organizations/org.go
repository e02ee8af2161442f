package organizations

import (
	"fmt"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

type policyTypeJSON struct {
	Type   string
	Status string
}

type organizationJSON struct {
	ID                   string `json:"Id"`
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountID      string `json:"MasterAccountId"`
	MasterAccountEmail   string
	AvailablePolicyTypes []policyTypeJSON
}

type organizationResponse struct {
	Organization organizationJSON
}

func orgARN(org *orgstate.Organization) string {
	return fmt.Sprintf("arn:aws:organizations::%s:organization/%s", org.ManagementAccount, org.ID)
}

func accountARN(org *orgstate.Organization, account string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", org.ManagementAccount, org.ID, account)
}

func organizationShape(w *state.World) organizationJSON {
	org := orgstate.Of(w)
	return organizationJSON{
		ID: org.ID, Arn: orgARN(org), FeatureSet: org.FeatureSet,
		MasterAccountArn: accountARN(org, org.ManagementAccount), MasterAccountID: org.ManagementAccount,
		MasterAccountEmail:   orgstate.MembershipOf(w.LookupAccount(org.ManagementAccount)).OrgEmail,
		AvailablePolicyTypes: []policyTypeJSON{}, // deprecated by AWS; ListRoots tells what is enabled
	}
}

type createOrganizationRequest struct {
	FeatureSet *string
}

// createOrganization makes the caller the management account of a new
// organisation. The sandbox's world holds one organisation, so a second caller
// is refused with ConstraintViolationException rather than given another.
func createOrganization(r *awsproto.Request) (any, error) {
	var in createOrganizationRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	featureSet := "ALL"
	if in.FeatureSet != nil {
		featureSet = *in.FeatureSet
	}
	if featureSet != "ALL" && featureSet != "CONSOLIDATED_BILLING" {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'featureSet' failed to satisfy constraint: Member must satisfy enum value set: [ALL, CONSOLIDATED_BILLING]", featureSet)
	}
	if orgstate.IsMember(r.World, r.Caller.Account) {
		return nil, orgError("AlreadyInOrganizationException", "The provided account is already a member of an organization.")
	}
	if org := orgstate.Of(r.World); org != nil {
		return nil, orgError("ConstraintViolationException",
			"The sandbox holds one organization (%s, managed by %s); use its management account or reset the sandbox.", org.ID, org.ManagementAccount)
	}
	org := &orgstate.Organization{
		ID: "o-" + randomString(lowerAlnum, 10), ManagementAccount: r.Caller.Account,
		RootID: "r-" + randomString(lowerAlnum, 4), FeatureSet: featureSet, OUs: map[string]*orgstate.OU{},
	}
	orgstate.Set(r.World, org)
	a := membershipOf(r.Account())
	a.InOrg, a.ParentID, a.Joined = true, org.RootID, state.Now()
	if a.OrgEmail == "" {
		a.OrgEmail = "management-" + a.ID + "@example.com"
	}
	if a.OrgName == "" {
		a.OrgName = "Management account"
	}
	return organizationResponse{organizationShape(r.World)}, nil
}

func describeOrganization(r *awsproto.Request) (any, error) {
	if err := awsproto.DecodeJSON(r.Body, &struct{}{}); err != nil {
		return nil, err
	}
	if _, err := orgOf(r); err != nil {
		return nil, err
	}
	return organizationResponse{organizationShape(r.World)}, nil
}

type rootJSON struct {
	ID          string `json:"Id"`
	Arn         string
	Name        string
	PolicyTypes []policyTypeJSON
}

type listRequest struct {
	NextToken  *string
	MaxResults *int
}

type listRootsResponse struct {
	Roots     []rootJSON
	NextToken string `json:",omitempty"`
}

func listRoots(r *awsproto.Request) (any, error) {
	var in listRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	pg, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	root := rootJSON{
		ID: org.RootID, Arn: fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", org.ManagementAccount, org.ID, org.RootID),
		Name: "Root", PolicyTypes: []policyTypeJSON{},
	}
	roots, next := paginate([]rootJSON{root}, func(x rootJSON) string { return x.ID }, pg)
	return listRootsResponse{Roots: roots, NextToken: next}, nil
}
