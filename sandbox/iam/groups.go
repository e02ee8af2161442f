package iam

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func groupOperations(ops map[string]awsproto.Operation) {
	ops["CreateGroup"] = write(createGroup)
	ops["GetGroup"] = read(getGroup)
	ops["ListGroups"] = read(listGroups)
	ops["UpdateGroup"] = write(updateGroup)
	ops["DeleteGroup"] = write(deleteGroup)
	ops["AddUserToGroup"] = write(addUserToGroup)
	ops["RemoveUserFromGroup"] = write(removeUserFromGroup)
	ops["ListGroupsForUser"] = read(listGroupsForUser)
}

// IAM's group quotas.
const (
	maxGroupsPerAccount = 300
	maxGroupsPerUser    = 10
)

// xmlGroup is the Group shape.
type xmlGroup struct {
	Path       string
	GroupName  string
	GroupID    string `xml:"GroupId"`
	Arn        string
	CreateDate time.Time
}

func groupARN(account string, g *iamstate.Group) string {
	return fmt.Sprintf("arn:aws:iam::%s:group%s%s", account, g.Path, g.Name)
}

func groupXML(account string, g *iamstate.Group) xmlGroup {
	return xmlGroup{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: groupARN(account, g), CreateDate: g.Created}
}

// findGroup returns the group or IAM's NoSuchEntity error.
func findGroup(a iamAccount, name string) (*iamstate.Group, error) {
	g, ok := a.Groups.Get(name)
	if !ok {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, nil
}

// inGroup reports whether the user is a member of the named group.
func inGroup(u *iamstate.User, group string) bool {
	return slices.ContainsFunc(u.Groups, func(g string) bool { return strings.EqualFold(g, group) })
}

// groupMembers lists the group's members in name order.
func groupMembers(a iamAccount, g *iamstate.Group) []*iamstate.User {
	var out []*iamstate.User
	a.Users.Each("", func(_ string, u *iamstate.User) bool {
		if inGroup(u, g.Name) {
			out = append(out, u)
		}
		return true
	})
	return out
}

func createGroup(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "GroupName", groupNameRule)
	path := v.Optional(r.Params, "Path", pathRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	a := accountToWrite(r)
	if _, exists := a.Groups.Get(name); exists {
		return nil, entityAlreadyExists("Group with name %s already exists.", name)
	}
	if a.Groups.Len() >= maxGroupsPerAccount {
		return nil, limitExceeded("Cannot exceed quota for GroupsPerAccount: %d", maxGroupsPerAccount)
	}
	g := &iamstate.Group{Name: name, ID: state.NewID("AGPA", 17), Path: path, Created: state.Now()}
	a.Groups.Put(name, g)
	return struct{ Group xmlGroup }{groupXML(a.ID, g)}, nil
}

type getGroupResult struct {
	Group xmlGroup
	Users []xmlUser `xml:"Users>member"`
	pageResult
}

func getGroup(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "GroupName", groupNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	g, err := findGroup(a, name)
	if err != nil {
		return nil, err
	}
	users, res := paginateSlice(groupMembers(a, g), func(u *iamstate.User) string { return state.Key(u.Name) }, pg)
	out := getGroupResult{Group: groupXML(a.ID, g), Users: make([]xmlUser, len(users)), pageResult: res}
	for i, u := range users {
		out.Users[i] = userXML(a.ID, u, false)
	}
	return out, nil
}

type listGroupsResult struct {
	Groups []xmlGroup `xml:"Groups>member"`
	pageResult
}

func listGroups(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	prefix := v.Optional(r.Params, "PathPrefix", pathPrefixRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	groups, res := paginateIndex(a.Groups, pg, func(g *iamstate.Group) bool { return hasPathPrefix(g.Path, prefix) })
	out := listGroupsResult{Groups: make([]xmlGroup, len(groups)), pageResult: res}
	for i, g := range groups {
		out.Groups[i] = groupXML(a.ID, g)
	}
	return out, nil
}

func updateGroup(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "GroupName", groupNameRule)
	newName := v.Optional(r.Params, "NewGroupName", groupNameRule)
	newPath := v.Optional(r.Params, "NewPath", pathRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	g, err := findGroup(a, name)
	if err != nil {
		return nil, err
	}
	if newName != "" && !strings.EqualFold(newName, g.Name) {
		if _, taken := a.Groups.Get(newName); taken {
			return nil, entityAlreadyExists("Group with name %s already exists.", newName)
		}
	}
	if newPath != "" {
		g.Path = newPath
	}
	if newName != "" {
		renameGroup(a, g, newName)
	}
	return nil, nil
}

// renameGroup moves the group to its new key and renames it in its members' lists.
func renameGroup(a iamAccount, g *iamstate.Group, newName string) {
	old := g.Name
	a.Groups.Delete(old)
	g.Name = newName
	a.Groups.Put(newName, g)
	for _, u := range a.Users.All() {
		for i, name := range u.Groups {
			if strings.EqualFold(name, old) {
				u.Groups[i] = newName
			}
		}
	}
}

func deleteGroup(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "GroupName", groupNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	g, err := findGroup(a, name)
	if err != nil {
		return nil, err
	}
	switch {
	case len(g.AttachedPolicies) > 0:
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	case len(g.InlinePolicies) > 0:
		return nil, deleteConflict("Cannot delete entity, must delete policies first.")
	case len(groupMembers(a, g)) > 0:
		return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	a.Groups.Delete(g.Name)
	return nil, nil
}

// readMembership reads GroupName and UserName and finds both.
func readMembership(r *awsproto.Request) (*iamstate.Group, *iamstate.User, error) {
	var v awsproto.Validator
	groupName := v.Required(r.Params, "GroupName", groupNameRule)
	userName := v.Required(r.Params, "UserName", existingUserNameRule)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, userName)
	if err != nil {
		return nil, nil, err
	}
	g, err := findGroup(a, groupName)
	if err != nil {
		return nil, nil, err
	}
	return g, u, nil
}

// addUserToGroup is idempotent: adding a member again changes nothing.
func addUserToGroup(r *awsproto.Request) (any, error) {
	g, u, err := readMembership(r)
	if err != nil {
		return nil, err
	}
	if inGroup(u, g.Name) {
		return nil, nil
	}
	if len(u.Groups) >= maxGroupsPerUser {
		return nil, limitExceeded("Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
	}
	u.Groups = append(u.Groups, g.Name)
	return nil, nil
}

// removeUserFromGroup succeeds when the user is not a member, as IAM does.
func removeUserFromGroup(r *awsproto.Request) (any, error) {
	g, u, err := readMembership(r)
	if err != nil {
		return nil, err
	}
	u.Groups = slices.DeleteFunc(u.Groups, func(name string) bool { return strings.EqualFold(name, g.Name) })
	return nil, nil
}

func listGroupsForUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	var groups []*iamstate.Group
	for _, gn := range u.Groups {
		if g, ok := a.Groups.Get(gn); ok {
			groups = append(groups, g)
		}
	}
	slices.SortFunc(groups, func(x, y *iamstate.Group) int { return strings.Compare(state.Key(x.Name), state.Key(y.Name)) })
	page, res := paginateSlice(groups, func(g *iamstate.Group) string { return state.Key(g.Name) }, pg)
	out := listGroupsResult{Groups: make([]xmlGroup, len(page)), pageResult: res}
	for i, g := range page {
		out.Groups[i] = groupXML(a.ID, g)
	}
	return out, nil
}
