package iam

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func userOperations(ops map[string]awsproto.Operation) {
	ops["CreateUser"] = write(createUser)
	ops["GetUser"] = read(getUser)
	ops["ListUsers"] = read(listUsers)
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

func userXML(account string, u *state.User, full bool) xmlUser {
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
	a := r.Account()
	if _, exists := a.Users.Get(name); exists {
		return nil, entityAlreadyExists("User with name %s already exists.", name)
	}
	if boundary != "" {
		if err := checkBoundary(a, boundary); err != nil {
			return nil, err
		}
	}
	u := &state.User{Name: name, ID: state.NewID("AIDA", 17), Path: path, Created: state.Now(), Tags: tags, PermissionsBoundary: boundary}
	a.Users.Put(name, u)
	return struct{ User xmlUser }{userXML(a.ID, u, true)}, nil
}

func getUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := r.World.LookupAccount(r.Caller.Account)
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
func callerAsUser(r *awsproto.Request, a *state.Account) (any, error) {
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
	a := r.World.LookupAccount(r.Caller.Account)
	users, res := paginateIndex(a.Users, pg, func(u *state.User) bool { return hasPathPrefix(u.Path, prefix) })
	out := listUsersResult{Users: make([]xmlUser, len(users)), pageResult: res}
	for i, u := range users {
		out.Users[i] = userXML(a.ID, u, false)
	}
	return out, nil
}

func hasPathPrefix(path, prefix string) bool {
	return len(path) >= len(prefix) && path[:len(prefix)] == prefix
}
