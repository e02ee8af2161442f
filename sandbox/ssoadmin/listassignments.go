package ssoadmin

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// assignmentJSON is an account assignment as the list operations return it.
type assignmentJSON struct {
	AccountID        string `json:"AccountId"`
	PermissionSetArn string
	PrincipalType    string
	PrincipalID      string `json:"PrincipalId"`
}

type assignmentsResponse struct {
	AccountAssignments []assignmentJSON
	NextToken          string `json:",omitempty"`
}

// pageAssignments answers a list of the assignments that exist now and keep
// selects, in a stable order.
func pageAssignments(inst *idcstate.Instance, token *string, max *int, keep func(*idcstate.Assignment) bool) (any, error) {
	start, size, err := readPage(token, max)
	if err != nil {
		return nil, err
	}
	page, next := idcstate.Page(inst.VisibleAssignments(now(), keep), func(a *idcstate.Assignment) string { return a.Key() }, start, size)
	out := assignmentsResponse{AccountAssignments: make([]assignmentJSON, len(page)), NextToken: next}
	for i, a := range page {
		out.AccountAssignments[i] = assignmentJSON{AccountID: a.AccountID, PermissionSetArn: a.PermissionSetARN, PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}
	}
	return out, nil
}

type listAssignmentsRequest struct {
	InstanceArn      string
	AccountID        string `json:"AccountId"`
	PermissionSetArn string
	MaxResults       *int
	NextToken        *string
}

// listAccountAssignments lists who has a permission set in an account.
func listAccountAssignments(r *awsproto.Request) (any, error) {
	var in listAssignmentsRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, ps, err := findPermissionSet(r, in.InstanceArn, in.PermissionSetArn, func(v *validator) {
		v.RequiredValue("AccountId", in.AccountID, accountIDRule)
	})
	if err != nil {
		return nil, err
	}
	arn := inst.PermissionSetARN(ps)
	return pageAssignments(inst, in.NextToken, in.MaxResults, func(a *idcstate.Assignment) bool {
		return a.AccountID == in.AccountID && a.PermissionSetARN == arn
	})
}

type forPrincipalRequest struct {
	InstanceArn   string
	PrincipalID   string `json:"PrincipalId"`
	PrincipalType string
	Filter        *struct {
		AccountID string `json:"AccountId"`
	}
	MaxResults *int
	NextToken  *string
}

// listAssignmentsForPrincipal lists a user's or group's assignments in every
// account, or in the one account of its filter: what an offboarding removes.
func listAssignmentsForPrincipal(r *awsproto.Request) (any, error) {
	var in forPrincipalRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	account := ""
	if in.Filter != nil {
		account = in.Filter.AccountID
	}
	inst, err := organizationInstance(r, in.InstanceArn, func(v *validator) {
		v.RequiredValue("PrincipalId", in.PrincipalID, principalIDRule)
		checkPrincipalType(v, in.PrincipalType)
		v.OptionalValue("Filter.AccountId", account, accountIDRule)
	})
	if err != nil {
		return nil, err
	}
	return pageAssignments(inst, in.NextToken, in.MaxResults, func(a *idcstate.Assignment) bool {
		return a.PrincipalID == in.PrincipalID && a.PrincipalType == in.PrincipalType && (account == "" || a.AccountID == account)
	})
}

type provisionedRequest struct {
	InstanceArn        string
	PermissionSetArn   string
	ProvisioningStatus string
	MaxResults         *int
	NextToken          *string
}

type accountIDsResponse struct {
	AccountIDs []string `json:"AccountIds"`
	NextToken  string   `json:",omitempty"`
}

// listAccountsForPermissionSet lists the accounts a permission set is
// provisioned to: those where an assignment uses it. The sandbox provisions
// a permission set's latest version with every assignment, so no account is
// LATEST_PERMISSION_SET_NOT_PROVISIONED.
func listAccountsForPermissionSet(r *awsproto.Request) (any, error) {
	var in provisionedRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, ps, err := findPermissionSet(r, in.InstanceArn, in.PermissionSetArn, nil)
	if err != nil {
		return nil, err
	}
	switch in.ProvisioningStatus {
	case "", "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'provisioningStatus' failed to satisfy constraint: Member must satisfy enum value set: [LATEST_PERMISSION_SET_PROVISIONED, LATEST_PERMISSION_SET_NOT_PROVISIONED]", in.ProvisioningStatus)
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	arn, seen := inst.PermissionSetARN(ps), map[string]bool{}
	accounts := []string{}
	if in.ProvisioningStatus != "LATEST_PERMISSION_SET_NOT_PROVISIONED" {
		for _, a := range inst.VisibleAssignments(now(), func(a *idcstate.Assignment) bool { return a.PermissionSetARN == arn }) {
			if !seen[a.AccountID] {
				seen[a.AccountID] = true
				accounts = append(accounts, a.AccountID)
			}
		}
	}
	page, next := idcstate.Page(accounts, func(id string) string { return id }, start, size)
	return accountIDsResponse{AccountIDs: page, NextToken: next}, nil
}
