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
	u := &idcstate.User{ID: inst.NewUserID(), Profile: in.Profile, Stamps: idcstate.NewStamps(now(), r.Caller.ARN)}
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
	stampsJSON
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
		stampsJSON: stampsShape(u.Stamps),
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

type listUsersRequest struct {
	listRequest
	Extensions []string
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
	inst, page, next, err := pageOf(r, &in.listRequest, "UserName", func(s *idcstate.Store) map[string]*idcstate.User { return s.Users },
		func(u *idcstate.User) (string, string) { return u.ID, u.Profile.UserName })
	if err != nil {
		return nil, err
	}
	out := listUsersResponse{Users: make([]userJSON, len(page)), NextToken: next}
	for i, u := range page {
		out.Users[i] = userShape(inst, u, in.Extensions)
	}
	return out, nil
}

// getUserID finds a user by user name, e-mail address (the only unique
// attributes AWS accepts: userName and emails.value) or external ID.
func getUserID(r *awsproto.Request) (any, error) {
	in, inst, path, value, err := lookup(r)
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
