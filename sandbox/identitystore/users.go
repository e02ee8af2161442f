package identitystore

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

type createUserRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	idcstate.Profile
}

// createUser adds a user: Identity Center needs a user name that is not
// reserved, a display name and a given and family name; the user name and
// the e-mail address are unique in the store, case-insensitively.
func createUser(r *awsproto.Request) (any, error) {
	var in createUserRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, true)
	if err != nil {
		return nil, err
	}
	var v validator
	checkProfile(&v, &in.Profile)
	if err := v.err(); err != nil {
		return nil, err
	}
	t := now()
	u := &idcstate.User{ID: inst.NewUserID(), Profile: in.Profile, Created: t, CreatedBy: r.Caller.ARN, Updated: t, UpdatedBy: r.Caller.ARN}
	if err := inst.Store.AddUser(u); err != nil {
		return nil, uniqueness(err)
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, UserID: u.ID}, nil
}

// uniqueness words a broken uniqueness rule as identitystore does.
func uniqueness(err error) error {
	var c *idcstate.Conflict
	if errors.As(err, &c) {
		return duplicate("Duplicate %s", c.What)
	}
	return err
}

// userJSON is a user as DescribeUser and ListUsers return it.
type userJSON struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
	idcstate.Profile
	ExternalIDs []idcstate.ExternalID `json:"ExternalIds,omitempty"`
	UserStatus  string
	CreatedAt   awsproto.EpochTime
	CreatedBy   string
	UpdatedAt   awsproto.EpochTime
	UpdatedBy   string
}

// userShape renders u; extensions are returned only when asked for by name.
func userShape(inst *idcstate.Instance, u *idcstate.User, extensions []string) userJSON {
	p := u.Profile
	p.Extensions = nil
	for _, name := range extensions {
		if ext, ok := u.Profile.Extensions[name]; ok {
			if p.Extensions == nil {
				p.Extensions = map[string]json.RawMessage{}
			}
			p.Extensions[name] = ext
		}
	}
	return userJSON{
		IdentityStoreID: inst.IdentityStoreID, UserID: u.ID, Profile: p, ExternalIDs: u.ExternalIDs, UserStatus: "ENABLED",
		CreatedAt: awsproto.EpochTime(u.Created), CreatedBy: u.CreatedBy,
		UpdatedAt: awsproto.EpochTime(u.Updated), UpdatedBy: u.UpdatedBy,
	}
}

type userRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
}

type describeUserRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
	Extensions      []string
}

// findUser returns the user a request names, after the store checks.
func findUser(r *awsproto.Request, storeID, userID string, write bool) (*idcstate.Instance, *idcstate.User, error) {
	inst, err := storeFor(r, storeID, write)
	if err != nil {
		return nil, nil, err
	}
	var v validator
	v.RequiredValue("UserId", userID, resourceIDRule)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	u, ok := inst.Store.Users[userID]
	if !ok {
		return nil, nil, notFound(userResource, userID)
	}
	return inst, u, nil
}

func describeUser(r *awsproto.Request) (any, error) {
	var in describeUserRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, u, err := findUser(r, in.IdentityStoreID, in.UserID, false)
	if err != nil {
		return nil, err
	}
	return userShape(inst, u, in.Extensions), nil
}

// deleteUser removes the user and its group memberships. Account
// assignments naming it stay, and can no longer be deleted (see sso-admin).
func deleteUser(r *awsproto.Request) (any, error) {
	var in userRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, u, err := findUser(r, in.IdentityStoreID, in.UserID, true)
	if err != nil {
		return nil, err
	}
	inst.Store.DeleteUser(u.ID)
	return nil, nil
}

type filter struct {
	AttributePath  string
	AttributeValue string
}

type listUsersRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	Extensions      []string
	MaxResults      *int
	NextToken       *string
	Filters         []filter
}

type listUsersResponse struct {
	Users     []userJSON
	NextToken string `json:",omitempty"`
}

// listUsers pages through the store's users in ID order. Filters (deprecated
// by AWS in favour of GetUserId, still widely used) take one UserName.
func listUsers(r *awsproto.Request) (any, error) {
	var in listUsersRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, false)
	if err != nil {
		return nil, err
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	name, err := filterValue(in.Filters, "UserName")
	if err != nil {
		return nil, err
	}
	var users []*idcstate.User
	for _, u := range inst.Store.Users {
		if name == "" || strings.EqualFold(u.Profile.UserName, name) {
			users = append(users, u)
		}
	}
	page, next := idcstate.Page(users, func(u *idcstate.User) string { return u.ID }, start, size)
	out := listUsersResponse{Users: make([]userJSON, len(page)), NextToken: next}
	for i, u := range page {
		out.Users[i] = userShape(inst, u, in.Extensions)
	}
	return out, nil
}

// filterValue returns the value of the one filter ListUsers and ListGroups
// take, on the one attribute they filter by ("" when none is given).
func filterValue(filters []filter, attribute string) (string, error) {
	var v validator
	v.AtMost("Filters", len(filters), 1)
	for _, f := range filters {
		v.RequiredValue("Filters.member.AttributePath", f.AttributePath, attributePathRule)
		v.RequiredValue("Filters.member.AttributeValue", f.AttributeValue, textRule)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if len(filters) == 0 {
		return "", nil
	}
	if !strings.EqualFold(filters[0].AttributePath, attribute) {
		return "", validation("Filtering by %s is not supported; filter by %s", filters[0].AttributePath, attribute)
	}
	return filters[0].AttributeValue, nil
}

// alternateIdentifier is GetUserId's and GetGroupId's union: an external
// ID, or a unique attribute whose value is a JSON document (a string).
type alternateIdentifier struct {
	ExternalID      *externalIDJSON `json:"ExternalId"`
	UniqueAttribute *struct {
		AttributePath  string
		AttributeValue json.RawMessage
	}
}

type externalIDJSON struct {
	Issuer string
	ID     string `json:"Id"`
}

// check validates the union: exactly one member, each well formed. It
// returns the unique attribute's path and value when that is the member.
func (a *alternateIdentifier) check() (path, value string, err error) {
	var v validator
	switch {
	case (a.ExternalID == nil) == (a.UniqueAttribute == nil):
		return "", "", validation("AlternateIdentifier must have exactly one of ExternalId and UniqueAttribute")
	case a.ExternalID != nil:
		v.RequiredValue("AlternateIdentifier.ExternalId.Issuer", a.ExternalID.Issuer, externalRule)
		v.RequiredValue("AlternateIdentifier.ExternalId.Id", a.ExternalID.ID, externalRule)
		return "", "", v.err()
	}
	path = a.UniqueAttribute.AttributePath
	v.RequiredValue("AlternateIdentifier.UniqueAttribute.AttributePath", path, attributePathRule)
	if json.Unmarshal(a.UniqueAttribute.AttributeValue, &value) != nil || value == "" {
		v.Addf("Value at 'alternateIdentifier.uniqueAttribute.attributeValue' failed to satisfy constraint: Member must be a non-empty string")
	}
	return path, value, v.err()
}

func (a *alternateIdentifier) external() idcstate.ExternalID {
	return idcstate.ExternalID{Issuer: a.ExternalID.Issuer, ID: a.ExternalID.ID}
}

type getIDRequest struct {
	IdentityStoreID     string `json:"IdentityStoreId"`
	AlternateIdentifier alternateIdentifier
}

// getUserID finds a user by user name, e-mail address (the only unique
// attributes AWS accepts: userName and emails.value) or external ID.
func getUserID(r *awsproto.Request) (any, error) {
	var in getIDRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, false)
	if err != nil {
		return nil, err
	}
	path, value, err := in.AlternateIdentifier.check()
	if err != nil {
		return nil, err
	}
	var (
		u     *idcstate.User
		found bool
	)
	switch {
	case in.AlternateIdentifier.ExternalID != nil:
		u, found = inst.Store.UserByExternalID(in.AlternateIdentifier.external())
	case strings.EqualFold(path, "userName"):
		u, found = inst.Store.UserByName(value)
	case strings.EqualFold(path, "emails.value"):
		u, found = inst.Store.UserByEmail(value)
	default:
		return nil, validation("Invalid AttributePath %s: a user's unique attributes are userName and emails.value", path)
	}
	if !found {
		return nil, notFound(userResource, "")
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, UserID: u.ID}, nil
}
