package iam

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func deleteUserOperations(ops map[string]awsproto.Operation) {
	ops["DeleteUser"] = write(deleteUser)
}

// userDependency is one kind of thing that keeps IAM from deleting a user, with
// the DeleteConflict message AWS answers while one remains.
type userDependency struct {
	kind    string
	present func(*iamstate.User) bool
	message string
}

// userDependencies are checked in this order; a permissions boundary and tags do
// not block deletion. AWS reports SSH public keys and service-specific
// credentials with its generic "referenced objects" message, and group
// membership with the DeleteGroup wording; those are AWS's own texts.
var userDependencies = []userDependency{
	{"login profile", func(u *iamstate.User) bool { return u.LoginProfile != nil },
		"Cannot delete entity, must delete login profile first."},
	{"access keys", func(u *iamstate.User) bool { return len(u.AccessKeys) > 0 },
		"Cannot delete entity, must delete access keys first."},
	{"signing certificates", func(u *iamstate.User) bool { return len(u.SigningCerts) > 0 },
		"Cannot delete entity, must delete certificates first."},
	{"SSH public keys", func(u *iamstate.User) bool { return len(u.SSHKeys) > 0 },
		"Cannot delete entity, must remove referenced objects first."},
	{"service-specific credentials", func(u *iamstate.User) bool { return len(u.ServiceCreds) > 0 },
		"Cannot delete entity, must remove referenced objects first."},
	{"MFA devices", func(u *iamstate.User) bool { return len(enabledDevices(u)) > 0 },
		"Cannot delete entity, must delete MFA device first."},
	{"group memberships", func(u *iamstate.User) bool { return len(u.Groups) > 0 },
		"Cannot delete entity, must remove users from group first."},
	{"inline policies", func(u *iamstate.User) bool { return len(u.InlinePolicies) > 0 },
		"Cannot delete entity, must delete policies first."},
	{"attached managed policies", func(u *iamstate.User) bool { return len(u.AttachedPolicies) > 0 },
		"Cannot delete entity, must detach all policies first."},
}

// deleteUser refuses with DeleteConflict while any dependency remains, as AWS
// does (moto deletes regardless).
func deleteUser(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	for _, dep := range userDependencies {
		if dep.present(u) {
			return nil, deleteConflict("%s", dep.message)
		}
	}
	a.Users.Delete(u.Name)
	return nil, nil
}
