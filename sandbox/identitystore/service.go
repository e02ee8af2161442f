// Package identitystore is the sandbox's AWS Identity Store: the users,
// groups and memberships of an IAM Identity Center instance's identity store
// (package idcstate, which sso-admin shares), with AWS's validation — user
// names 1–128 characters and never a reserved name, one e-mail address, a
// display name and a given and family name — uniqueness answered as
// ConflictException with its Reason, missing things as
// ResourceNotFoundException with ResourceType and ResourceId, NextToken
// pagination, and the instance's collective request rate.
//
// The instance's owner (the organisation's management account) may do
// everything; other accounts of the organisation may read, as AWS lets
// member accounts use the read operations.
package identitystore

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// read and write mark what an operation does to the world.
var read, write = awsproto.Read, awsproto.Write

// Service is identitystore's API (JSON 1.1). Its state is idcstate's, which
// sso-admin declares, with the fixture section that fills it.
func Service() service.Definition {
	return service.Definition{APIs: []*awsproto.API{api()}}
}

func api() *awsproto.API {
	return &awsproto.API{
		Name: "identitystore", ID: "identitystore",
		Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "AWSIdentityStore"},
		Operations: map[string]awsproto.Operation{
			"CreateUser":                    write(createUser),
			"DescribeUser":                  read(describeUser),
			"UpdateUser":                    write(updateUser),
			"DeleteUser":                    write(deleteUser),
			"ListUsers":                     read(listUsers),
			"GetUserId":                     read(getUserID),
			"CreateGroup":                   write(createGroup),
			"DescribeGroup":                 read(describeGroup),
			"UpdateGroup":                   write(updateGroup),
			"DeleteGroup":                   write(deleteGroup),
			"ListGroups":                    read(listGroups),
			"GetGroupId":                    read(getGroupID),
			"CreateGroupMembership":         write(createGroupMembership),
			"DescribeGroupMembership":       read(describeGroupMembership),
			"DeleteGroupMembership":         write(deleteGroupMembership),
			"ListGroupMemberships":          read(listGroupMemberships),
			"ListGroupMembershipsForMember": read(listGroupMembershipsForMember),
			"GetGroupMembershipId":          read(getGroupMembershipID),
			"IsMemberInGroups":              read(isMemberInGroups),
		},
	}
}

// Errors, as the model shapes them: every one is HTTP 400.

func validation(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

// conflict is ConflictException with its Reason:
// UNIQUENESS_CONSTRAINT_VIOLATION or CONCURRENT_MODIFICATION.
func conflict(reason, format string, args ...any) error {
	e := awsproto.Errorf(http.StatusBadRequest, "ConflictException", format, args...)
	e.Fields = map[string]any{"Reason": reason}
	return e
}

func duplicate(format string, args ...any) error {
	return conflict("UNIQUENESS_CONSTRAINT_VIOLATION", format, args...)
}

// Resource types of ResourceNotFoundException.
const (
	userResource       = "USER"
	groupResource      = "GROUP"
	storeResource      = "IDENTITY_STORE"
	membershipResource = "GROUP_MEMBERSHIP"
)

// notFound is ResourceNotFoundException naming what is missing (its ID when
// the request gave one).
func notFound(resourceType, id string) error {
	e := awsproto.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "%s not found.", resourceType)
	e.Fields = map[string]any{"ResourceType": resourceType}
	if id != "" {
		e.Fields["ResourceId"] = id
	}
	return e
}

func accessDenied() error {
	return awsproto.Errorf(http.StatusBadRequest, "AccessDeniedException", "User is not authorized to perform this operation on this identity store.")
}

// throttled is the answer to a request over the instance's rate: the SDKs
// retry ThrottlingException, after RetryAfterSeconds when it is given.
func throttled() error {
	e := awsproto.Errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	e.Fields = map[string]any{"RetryAfterSeconds": 1}
	return e
}

// storeFor returns the instance whose identity store a request names, once
// the caller may use it (write: may change it) and the instance's request
// bucket admits the request.
func storeFor(r *awsproto.Request, storeID string, write bool) (*idcstate.Instance, error) {
	var v awsproto.Validator
	v.Check("IdentityStoreId", storeID, storeIDRule)
	if err := v.ErrCode("ValidationException"); err != nil {
		return nil, err
	}
	idc := idcstate.Of(r.World)
	in, ok := idc.ByStoreID(storeID)
	if !ok {
		return nil, notFound(storeResource, storeID)
	}
	member := in.Organization && orgstate.IsMember(r.World, r.Caller.Account)
	if r.Caller.Account != in.Owner && (write || !member) {
		return nil, accessDenied()
	}
	if !idc.Admit(in) {
		return nil, throttled()
	}
	return in, nil
}

// now is when a change is stamped, to the millisecond.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// idResponse is the answer of the operations that return an ID.
type idResponse struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId,omitempty"`
	GroupID         string `json:"GroupId,omitempty"`
	MembershipID    string `json:"MembershipId,omitempty"`
}

// stampsJSON are the members every user, group and membership answer ends with.
type stampsJSON struct {
	CreatedAt awsproto.EpochTime
	CreatedBy string
	UpdatedAt awsproto.EpochTime
	UpdatedBy string
}

func stampsShape(s idcstate.Stamps) stampsJSON {
	return stampsJSON{CreatedAt: awsproto.EpochTime(s.Created), CreatedBy: s.CreatedBy, UpdatedAt: awsproto.EpochTime(s.Updated), UpdatedBy: s.UpdatedBy}
}
