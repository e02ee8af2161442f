package iam

import (
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func userOperations(ops map[string]awsproto.Operation) {
	ops["CreateUser"] = write(createUser)
	ops["GetUser"] = read(getUser)
	ops["ListUsers"] = read(listUsers)
	ops["UpdateUser"] = write(updateUser)
	ops["TagUser"] = write(tagUser)
	ops["UntagUser"] = write(untagUser)
	ops["ListUserTags"] = read(listUserTags)
	ops["PutUserPermissionsBoundary"] = write(putUserPermissionsBoundary)
	ops["DeleteUserPermissionsBoundary"] = write(deleteUserPermissionsBoundary)
}

// xmlUser is the User shape; listings leave out Tags and PermissionsBoundary, as AWS does.
type xmlUser struct {
	Path                string `xml:",omitempty"` // the root user (GetUser without UserName) has none
	UserName            string `xml:",omitempty"`
	UserID              string `xml:"UserId"`
	Arn                 string
	CreateDate          time.Time
	PasswordLastUsed    *time.Time       `xml:",omitempty"`
	PermissionsBoundary *xmlBoundary     `xml:",omitempty"`
	Tags                *members[xmlTag] `xml:",omitempty"`
}

// xmlBoundary is AttachedPermissionsBoundary.
type xmlBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func userXML(account string, u *iamstate.User, full bool) xmlUser {
	x := xmlUser{
		Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: userARN(account, u),
		CreateDate: u.Created, PasswordLastUsed: optionalTime(u.PasswordLastUsed),
	}
	if full {
		if u.PermissionsBoundary != "" {
			x.PermissionsBoundary = &xmlBoundary{"PermissionsBoundaryPolicy", u.PermissionsBoundary}
		}
		x.Tags = optionalList(tagsXML(u.Tags))
	}
	return x
}

func createUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	path := v.Optional(r.Params, "Path", pathRule)
	boundary := v.Optional(r.Params, "PermissionsBoundary", arnRule)
	tags := readTags(r.Params, &v, "Tags")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	a := accountToWrite(r)
	if _, exists := a.Users.Get(name); exists {
		return nil, entityAlreadyExists("User with name %s already exists.", name)
	}
	if boundary != "" {
		if err := checkBoundary(a, boundary); err != nil {
			return nil, err
		}
	}
	u := &iamstate.User{Name: name, ID: state.NewID("AIDA", 17), Path: path, Created: state.Now(), Tags: tags, PermissionsBoundary: boundary}
	a.Users.Put(name, u)
	return struct{ User xmlUser }{userXML(a.ID, u, true)}, nil
}

func getUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	if name == "" {
		return callerAsUser(r, a)
	}
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	return struct{ User xmlUser }{userXML(a.ID, u, true)}, nil
}

// callerAsUser answers GetUser without UserName: the signing user, or the root.
func callerAsUser(r *awsproto.Request, a iamAccount) (any, error) {
	if cred, ok := r.World.Credentials[r.Caller.AccessKeyID]; ok && cred.User != "" {
		u, err := findUser(a, cred.User)
		if err != nil {
			return nil, err
		}
		return struct{ User xmlUser }{userXML(a.ID, u, true)}, nil
	}
	if _, ok := r.World.Sessions[r.Caller.AccessKeyID]; ok {
		return nil, awsproto.ValidationError("Must specify userName when calling with non-User credentials")
	}
	return struct{ User xmlUser }{xmlUser{Path: "", UserID: a.ID, Arn: "arn:aws:iam::" + a.ID + ":root", CreateDate: state.Now()}}, nil
}

type listUsersResult struct {
	Users []xmlUser `xml:"Users>member"`
	pageResult
}

func listUsers(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	prefix := v.Optional(r.Params, "PathPrefix", pathPrefixRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = "/"
	}
	a := accountToRead(r)
	users, res := paginateIndex(a.Users, pg, func(u *iamstate.User) bool { return hasPathPrefix(u.Path, prefix) })
	out := listUsersResult{Users: make([]xmlUser, len(users)), pageResult: res}
	for i, u := range users {
		out.Users[i] = userXML(a.ID, u, false)
	}
	return out, nil
}

func hasPathPrefix(path, prefix string) bool {
	return len(path) >= len(prefix) && path[:len(prefix)] == prefix
}

func updateUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	newName := v.Optional(r.Params, "NewUserName", userNameRule)
	newPath := v.Optional(r.Params, "NewPath", pathRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	if newName != "" && !strings.EqualFold(newName, u.Name) {
		if _, taken := a.Users.Get(newName); taken {
			return nil, entityAlreadyExists("User with name %s already exists.", newName)
		}
	}
	if newPath != "" {
		u.Path = newPath
	}
	if newName != "" {
		renameUser(r.World, a, u, newName)
	}
	return nil, nil
}

// renameUser moves the user to its new index key and updates everything that
// refers to it by name: its access keys' credentials and its MFA devices. Group
// membership is stored on the user, so it moves with it.
func renameUser(w *state.World, a iamAccount, u *iamstate.User, newName string) {
	old := u.Name
	a.Users.Delete(old)
	u.Name = newName
	a.Users.Put(newName, u)
	for _, c := range w.Credentials {
		if c.Account == a.ID && strings.EqualFold(c.User, old) {
			c.User = newName
		}
	}
	for _, d := range a.VirtualMFA {
		if strings.EqualFold(d.User, old) {
			d.User = newName
		}
	}
	for _, d := range u.MFADevices {
		d.User = newName
	}
}

// maxTags is IAM's quota of tags per user or role.
const maxTags = 50

func tagUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	tags := readRequiredTags(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	merged, err := addTags(u.Tags, tags)
	if err != nil {
		return nil, err
	}
	u.Tags = merged
	return nil, nil
}

func untagUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	keys := readTagKeys(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	u.Tags = removeTags(u.Tags, keys)
	return nil, nil
}

type listTagsResult struct {
	Tags []xmlTag `xml:"Tags>member"`
	pageResult
}

func listUserTags(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	return pageTags(u.Tags, pg), nil
}

// readRequiredTags reads a required Tags list (TagUser, TagRole).
func readRequiredTags(p awsproto.Params, v *awsproto.Validator) []state.Tag {
	tags := readTags(p, v, "Tags")
	if len(tags) == 0 && !p.Has("Tags") {
		v.Addf("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	return tags
}

// readTagKeys reads a required TagKeys list (UntagUser, UntagRole).
func readTagKeys(p awsproto.Params, v *awsproto.Validator) []string {
	keys := p.List("TagKeys")
	if len(keys) == 0 && !p.Has("TagKeys") {
		v.Addf("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	if len(keys) > maxTags {
		v.Addf("Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for i, k := range keys {
		v.Check(fmt.Sprintf("TagKeys.member.%d", i+1), k, tagKeyRule)
	}
	return keys
}

// addTags merges tags the way TagUser and TagRole do and enforces the quota.
func addTags(existing, add []state.Tag) ([]state.Tag, error) {
	merged := mergeTags(append([]state.Tag(nil), existing...), add)
	if len(merged) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	return merged, nil
}

// removeTags drops tags by case-insensitive key; unknown keys are ignored, as IAM does.
func removeTags(tags []state.Tag, keys []string) []state.Tag {
	out := tags[:0:0]
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			drop = drop || strings.EqualFold(t.Key, k)
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// pageTags pages through tags in the order they were added.
func pageTags(tags []state.Tag, pg page) listTagsResult {
	idx := make([]int, len(tags))
	for i := range idx {
		idx[i] = i
	}
	items, res := paginateSlice(idx, func(i int) string { return fmt.Sprintf("%04d", i) }, pg)
	out := listTagsResult{Tags: make([]xmlTag, len(items)), pageResult: res}
	for n, i := range items {
		out.Tags[n] = xmlTag{tags[i].Key, tags[i].Value}
	}
	return out
}

func putUserPermissionsBoundary(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	boundary := v.Required(r.Params, "PermissionsBoundary", arnRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	if err := checkBoundary(a, boundary); err != nil {
		return nil, err
	}
	u.PermissionsBoundary = boundary
	return nil, nil
}

func deleteUserPermissionsBoundary(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	u.PermissionsBoundary = ""
	return nil, nil
}
