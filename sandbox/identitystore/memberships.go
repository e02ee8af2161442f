package identitystore

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// memberID is the MemberId union; a user is the only kind of member.
type memberID struct {
	UserID string `json:"UserId"`
}

// findMember returns the user a MemberId names.
func findMember(inst *idcstate.Instance, m memberID) (*idcstate.User, error) {
	var v validator
	v.RequiredValue("MemberId.UserId", m.UserID, resourceIDRule)
	if err := v.err(); err != nil {
		return nil, err
	}
	u, ok := inst.Store.Users[m.UserID]
	if !ok {
		return nil, notFound(userResource, m.UserID)
	}
	return u, nil
}

type membershipRequest struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	GroupID         string   `json:"GroupId"`
	MemberID        memberID `json:"MemberId"`
}

// findPair returns the group and the user a request names.
func findPair(r *awsproto.Request, in *membershipRequest, write bool) (*idcstate.Instance, *idcstate.Group, *idcstate.User, error) {
	inst, g, err := findGroup(r, in.IdentityStoreID, in.GroupID, write)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := findMember(inst, in.MemberID)
	if err != nil {
		return nil, nil, nil, err
	}
	return inst, g, u, nil
}

// createGroupMembership puts a user in a group, once.
func createGroupMembership(r *awsproto.Request) (any, error) {
	var in membershipRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, u, err := findPair(r, &in, true)
	if err != nil {
		return nil, err
	}
	m := &idcstate.Membership{ID: inst.NewUserID(), GroupID: g.ID, UserID: u.ID, Stamps: idcstate.NewStamps(now(), r.Caller.ARN)}
	if err := inst.Store.AddMembership(m); err != nil {
		return nil, duplicate("Member and Group relationship already exists")
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, MembershipID: m.ID}, nil
}

func getGroupMembershipID(r *awsproto.Request) (any, error) {
	var in membershipRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, u, err := findPair(r, &in, false)
	if err != nil {
		return nil, err
	}
	m, ok := inst.Store.MembershipOf(g.ID, u.ID)
	if !ok {
		return nil, notFound(membershipResource, "")
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, MembershipID: m.ID}, nil
}

// membershipJSON is a membership as the API returns it.
type membershipJSON struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MembershipID    string   `json:"MembershipId"`
	GroupID         string   `json:"GroupId"`
	MemberID        memberID `json:"MemberId"`
	stampsJSON
}

func membershipShape(inst *idcstate.Instance, m *idcstate.Membership) membershipJSON {
	return membershipJSON{
		IdentityStoreID: inst.IdentityStoreID, MembershipID: m.ID, GroupID: m.GroupID, MemberID: memberID{m.UserID},
		stampsJSON: stampsShape(m.Stamps),
	}
}

type membershipIDRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	MembershipID    string `json:"MembershipId"`
}

// findMembership returns the membership a request names.
func findMembership(r *awsproto.Request, write bool) (*idcstate.Instance, *idcstate.Membership, error) {
	var in membershipIDRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, write)
	if err != nil {
		return nil, nil, err
	}
	var v validator
	v.RequiredValue("MembershipId", in.MembershipID, resourceIDRule)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	m, ok := inst.Store.Memberships[in.MembershipID]
	if !ok {
		return nil, nil, notFound(membershipResource, in.MembershipID)
	}
	return inst, m, nil
}

func describeGroupMembership(r *awsproto.Request) (any, error) {
	inst, m, err := findMembership(r, false)
	if err != nil {
		return nil, err
	}
	return membershipShape(inst, m), nil
}

func deleteGroupMembership(r *awsproto.Request) (any, error) {
	inst, m, err := findMembership(r, true)
	if err != nil {
		return nil, err
	}
	inst.Store.DeleteMembership(m.ID)
	return nil, nil
}

type listGroupMembershipsRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
	MaxResults      *int
	NextToken       *string
}

type listForMemberRequest struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MemberID        memberID `json:"MemberId"`
	MaxResults      *int
	NextToken       *string
}

type listMembershipsResponse struct {
	GroupMemberships []membershipJSON
	NextToken        string `json:",omitempty"`
}

// listGroupMemberships pages through a group's members.
func listGroupMemberships(r *awsproto.Request) (any, error) {
	var in listGroupMembershipsRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, err := findGroup(r, in.IdentityStoreID, in.GroupID, false)
	if err != nil {
		return nil, err
	}
	return listMemberships(inst, in.NextToken, in.MaxResults, func(m *idcstate.Membership) bool { return m.GroupID == g.ID })
}

// listGroupMembershipsForMember pages through the groups a user is in.
func listGroupMembershipsForMember(r *awsproto.Request) (any, error) {
	var in listForMemberRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, false)
	if err != nil {
		return nil, err
	}
	u, err := findMember(inst, in.MemberID)
	if err != nil {
		return nil, err
	}
	return listMemberships(inst, in.NextToken, in.MaxResults, func(m *idcstate.Membership) bool { return m.UserID == u.ID })
}

// listMemberships pages through the memberships keep selects, in ID order.
func listMemberships(inst *idcstate.Instance, token *string, max *int, keep func(*idcstate.Membership) bool) (any, error) {
	start, size, err := readPage(token, max)
	if err != nil {
		return nil, err
	}
	var all []*idcstate.Membership
	for _, m := range inst.Store.Memberships {
		if keep(m) {
			all = append(all, m)
		}
	}
	page, next := idcstate.Page(all, func(m *idcstate.Membership) string { return m.ID }, start, size)
	out := listMembershipsResponse{GroupMemberships: make([]membershipJSON, len(page)), NextToken: next}
	for i, m := range page {
		out.GroupMemberships[i] = membershipShape(inst, m)
	}
	return out, nil
}

type isMemberRequest struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MemberID        memberID `json:"MemberId"`
	GroupIDs        []string `json:"GroupIds"`
}

type membershipExistence struct {
	GroupID          string   `json:"GroupId"`
	MemberID         memberID `json:"MemberId"`
	MembershipExists bool
}

// isMemberInGroups answers, for each group asked about, whether the user is
// a member of it; a group that does not exist has no members.
func isMemberInGroups(r *awsproto.Request) (any, error) {
	var in isMemberRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, false)
	if err != nil {
		return nil, err
	}
	var v validator
	if len(in.GroupIDs) == 0 {
		v.Addf("Value null at 'groupIds' failed to satisfy constraint: Member must not be null")
	}
	v.AtMost("GroupIds", len(in.GroupIDs), 100)
	for _, id := range in.GroupIDs {
		v.Check("GroupIds.member", id, resourceIDRule)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	u, err := findMember(inst, in.MemberID)
	if err != nil {
		return nil, err
	}
	results := make([]membershipExistence, len(in.GroupIDs))
	for i, id := range in.GroupIDs {
		_, exists := inst.Store.MembershipOf(id, u.ID)
		results[i] = membershipExistence{GroupID: id, MemberID: memberID{u.ID}, MembershipExists: exists}
	}
	return struct{ Results []membershipExistence }{results}, nil
}
