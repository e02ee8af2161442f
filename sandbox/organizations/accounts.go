package organizations

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

var (
	accountIDPattern   = regexp.MustCompile(`^\d{12}$`)
	emailPattern       = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	accountNamePattern = regexp.MustCompile(`^[\x{0020}-\x{007E}]+$`)
	roleNamePattern    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

type accountJSON struct {
	ID              string `json:"Id"`
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	Paths           []string
	JoinedMethod    string
	JoinedTimestamp awsproto.EpochTime
}

// parentOfAccount is the account's parent, the root when none was recorded.
func parentOfAccount(w *state.World, id string) string {
	if a, ok := w.Accounts[id]; ok && orgstate.MembershipOf(a).ParentID != "" {
		return orgstate.MembershipOf(a).ParentID
	}
	return orgstate.Of(w).RootID
}

// accountShape renders a member account. The management account joined by
// creating the organisation and counts as INVITED, as AWS reports it; the
// sandbox has no invitations, so every other member was CREATED.
func accountShape(w *state.World, a orgAccount) accountJSON {
	org := orgstate.Of(w)
	method := "CREATED"
	if a.ID == org.ManagementAccount {
		method = "INVITED"
	}
	return accountJSON{
		ID: a.ID, Arn: accountARN(org, a.ID), Email: a.OrgEmail, Name: a.OrgName,
		Status: "ACTIVE", State: "ACTIVE", Paths: []string{pathOf(org, parentOfAccount(w, a.ID)) + a.ID + "/"},
		JoinedMethod: method, JoinedTimestamp: awsproto.EpochTime(a.Joined),
	}
}

// members returns the organisation's accounts, optionally only those under parentID.
func members(w *state.World, parentID string) []orgAccount {
	var out []orgAccount
	for id, a := range w.Accounts {
		if orgstate.IsMember(w, id) && (parentID == "" || parentOfAccount(w, id) == parentID) {
			out = append(out, membershipOf(a))
		}
	}
	// A fixture may name a management account that holds nothing yet.
	if mgmt := orgstate.Of(w).ManagementAccount; w.Accounts[mgmt] == nil && (parentID == "" || parentID == orgstate.Of(w).RootID) {
		out = append(out, membershipOf(w.LookupAccount(mgmt)))
	}
	return out
}

type accountsResponse struct {
	Accounts  []accountJSON
	NextToken string `json:",omitempty"`
}

func listAccounts(r *awsproto.Request) (any, error) {
	var in listRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if _, err := managed(r); err != nil {
		return nil, err
	}
	return listAccountsUnder(r, "", in.NextToken, in.MaxResults)
}

func listAccountsForParent(r *awsproto.Request) (any, error) {
	var in listForParentRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if err := findParent(org, in.ParentID, parentNotFound); err != nil {
		return nil, err
	}
	return listAccountsUnder(r, in.ParentID, in.NextToken, in.MaxResults)
}

func listAccountsUnder(r *awsproto.Request, parentID string, token *string, max *int) (any, error) {
	pg, err := readPage(token, max)
	if err != nil {
		return nil, err
	}
	accounts, next := paginate(members(r.World, parentID), func(a orgAccount) string { return a.ID }, pg)
	out := accountsResponse{Accounts: make([]accountJSON, len(accounts)), NextToken: next}
	for i, a := range accounts {
		out.Accounts[i] = accountShape(r.World, a)
	}
	return out, nil
}

type describeAccountRequest struct {
	AccountID string `json:"AccountId"`
}

type describeAccountResponse struct {
	Account accountJSON
}

func describeAccount(r *awsproto.Request) (any, error) {
	var in describeAccountRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if !accountIDPattern.MatchString(in.AccountID) {
		return nil, invalidAccountID(in.AccountID)
	}
	if _, err := managed(r); err != nil {
		return nil, err
	}
	if !orgstate.IsMember(r.World, in.AccountID) {
		return nil, accountNotFound()
	}
	return describeAccountResponse{accountShape(r.World, membershipOf(r.World.LookupAccount(in.AccountID)))}, nil
}

func invalidAccountID(id string) error {
	return invalidInput("1 validation error detected: Value '%s' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$", id)
}

type moveAccountRequest struct {
	AccountID           string `json:"AccountId"`
	SourceParentID      string `json:"SourceParentId"`
	DestinationParentID string `json:"DestinationParentId"`
}

func moveAccount(r *awsproto.Request) (any, error) {
	var in moveAccountRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if !accountIDPattern.MatchString(in.AccountID) {
		return nil, invalidAccountID(in.AccountID)
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if err := findParent(org, in.SourceParentID, func() error {
		return orgError("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	}); err != nil {
		return nil, err
	}
	if err := findParent(org, in.DestinationParentID, func() error {
		return orgError("DestinationParentNotFoundException", "We can't find a destination root or OU with the ParentId that you specified.")
	}); err != nil {
		return nil, err
	}
	if !orgstate.IsMember(r.World, in.AccountID) {
		return nil, accountNotFound()
	}
	current := parentOfAccount(r.World, in.AccountID)
	switch {
	case current == in.DestinationParentID:
		return nil, orgError("DuplicateAccountException", "That account is already present in the specified destination.")
	case current != in.SourceParentID:
		return nil, orgError("AccountNotFoundException", "You specified an account that doesn't exist in the source parent %s.", in.SourceParentID)
	}
	orgstate.MembershipOf(r.World.Account(in.AccountID)).ParentID = in.DestinationParentID
	return nil, nil
}

// checkNewAccount validates CreateAccount's parameters.
func checkNewAccount(in createAccountRequest) error {
	switch n := utf8.RuneCountInString(in.Email); {
	case n < 6 || n > 64 || !emailPattern.MatchString(in.Email):
		return invalidInput("You provided an email address that is not valid: %q.", in.Email)
	}
	if n := len(in.AccountName); n < 1 || n > 50 || !accountNamePattern.MatchString(in.AccountName) {
		return invalidInput("1 validation error detected: Value at 'accountName' failed to satisfy constraint: Member must have length between 1 and 50 and hold printable ASCII characters")
	}
	if in.RoleName != nil && !roleNamePattern.MatchString(*in.RoleName) {
		return invalidInput("You provided a role name that is not valid: %q.", *in.RoleName)
	}
	if b := in.IamUserAccessToBilling; b != nil && *b != "ALLOW" && *b != "DENY" {
		return invalidInput("1 validation error detected: Value '%s' at 'iamUserAccessToBilling' failed to satisfy constraint: Member must satisfy enum value set: [ALLOW, DENY]", *b)
	}
	return checkTags(in.Tags)
}

// emailTaken reports whether a member account already uses the address.
func emailTaken(w *state.World, email string) bool {
	for _, a := range members(w, "") {
		if strings.EqualFold(a.OrgEmail, email) {
			return true
		}
	}
	return false
}
