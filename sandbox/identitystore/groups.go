package identitystore

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

type createGroupRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	DisplayName     string
	Description     string
}

// checkGroup applies the model's constraints and the reserved names to a
// group's attributes.
func checkGroup(name, description string) error {
	var v validator
	v.RequiredValue("DisplayName", name, groupNameRule)
	if idcstate.Reserved(name) {
		v.Addf("Value at 'displayName' failed to satisfy constraint: %s is a reserved name and can't be used for users or groups", name)
	}
	v.OptionalValue("Description", description, textRule)
	return v.err()
}

// createGroup adds a group; display names are unique in the store.
func createGroup(r *awsproto.Request) (any, error) {
	var in createGroupRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := storeFor(r, in.IdentityStoreID, true)
	if err != nil {
		return nil, err
	}
	if err := checkGroup(in.DisplayName, in.Description); err != nil {
		return nil, err
	}
	g := &idcstate.Group{ID: inst.NewUserID(), DisplayName: in.DisplayName, Description: in.Description, Stamps: idcstate.NewStamps(now(), r.Caller.ARN)}
	if err := inst.Store.AddGroup(g); err != nil {
		return nil, uniqueness(err)
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, GroupID: g.ID}, nil
}

// groupJSON is a group as DescribeGroup and ListGroups return it.
type groupJSON struct {
	GroupID         string `json:"GroupId"`
	DisplayName     string
	ExternalIDs     []idcstate.ExternalID `json:"ExternalIds,omitempty"`
	Description     string                `json:",omitempty"`
	IdentityStoreID string                `json:"IdentityStoreId"`
	stampsJSON
}

func groupShape(inst *idcstate.Instance, g *idcstate.Group) groupJSON {
	return groupJSON{
		GroupID: g.ID, DisplayName: g.DisplayName, ExternalIDs: g.ExternalIDs, Description: g.Description,
		IdentityStoreID: inst.IdentityStoreID, stampsJSON: stampsShape(g.Stamps),
	}
}

type groupRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
}

// findGroup returns the group a request names, after the store checks.
func findGroup(r *awsproto.Request, storeID, groupID string, write bool) (*idcstate.Instance, *idcstate.Group, error) {
	inst, err := storeFor(r, storeID, write)
	if err != nil {
		return nil, nil, err
	}
	var v validator
	v.RequiredValue("GroupId", groupID, resourceIDRule)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	g, ok := inst.Store.Groups[groupID]
	if !ok {
		return nil, nil, notFound(groupResource, groupID)
	}
	return inst, g, nil
}

func describeGroup(r *awsproto.Request) (any, error) {
	var in groupRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, err := findGroup(r, in.IdentityStoreID, in.GroupID, false)
	if err != nil {
		return nil, err
	}
	return groupShape(inst, g), nil
}

// deleteGroup removes the group and its memberships.
func deleteGroup(r *awsproto.Request) (any, error) {
	var in groupRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, err := findGroup(r, in.IdentityStoreID, in.GroupID, true)
	if err != nil {
		return nil, err
	}
	inst.Store.DeleteGroup(g.ID)
	return nil, nil
}

type updateGroupRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
	Operations      []attributeOperation
}

// updateGroup changes a group's display name or description; like
// UpdateUser it changes nothing unless every operation is valid.
func updateGroup(r *awsproto.Request) (any, error) {
	var in updateGroupRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, g, err := findGroup(r, in.IdentityStoreID, in.GroupID, true)
	if err != nil {
		return nil, err
	}
	if err := checkOperations(in.Operations); err != nil {
		return nil, err
	}
	name, description := g.DisplayName, g.Description
	for _, op := range in.Operations {
		var target *string
		switch strings.ToLower(op.AttributePath) {
		case "displayname":
			target = &name
		case "description":
			target = &description
		default:
			return nil, validation("Invalid attribute path %s", op.AttributePath)
		}
		*target = ""
		if len(op.AttributeValue) > 0 && string(op.AttributeValue) != "null" && json.Unmarshal(op.AttributeValue, target) != nil {
			return nil, validation("The value of %s must be a string", op.AttributePath)
		}
	}
	if err := checkGroup(name, description); err != nil {
		return nil, err
	}
	if err := inst.Store.RenameGroup(g, name); err != nil {
		return nil, uniqueness(err)
	}
	g.Description = description
	g.Touch(now(), r.Caller.ARN)
	return nil, nil
}

type listGroupsResponse struct {
	Groups    []groupJSON
	NextToken string `json:",omitempty"`
}

// listGroups pages through the store's groups in ID order; its deprecated
// filter takes one DisplayName.
func listGroups(r *awsproto.Request) (any, error) {
	var in listRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, page, next, err := pageOf(r, &in, "DisplayName", func(s *idcstate.Store) map[string]*idcstate.Group { return s.Groups },
		func(g *idcstate.Group) (string, string) { return g.ID, g.DisplayName })
	if err != nil {
		return nil, err
	}
	out := listGroupsResponse{Groups: make([]groupJSON, len(page)), NextToken: next}
	for i, g := range page {
		out.Groups[i] = groupShape(inst, g)
	}
	return out, nil
}

// getGroupID finds a group by display name (its one unique attribute) or
// external ID.
func getGroupID(r *awsproto.Request) (any, error) {
	in, inst, path, value, err := lookup(r)
	if err != nil {
		return nil, err
	}
	var (
		g     *idcstate.Group
		found bool
	)
	switch {
	case in.AlternateIdentifier.ExternalID != nil:
		g, found = inst.Store.GroupByExternalID(in.AlternateIdentifier.external())
	case strings.EqualFold(path, "displayName"):
		g, found = inst.Store.GroupByName(value)
	default:
		return nil, validation("Invalid AttributePath %s: a group's unique attribute is displayName", path)
	}
	if !found {
		return nil, notFound(groupResource, "")
	}
	return idResponse{IdentityStoreID: inst.IdentityStoreID, GroupID: g.ID}, nil
}
