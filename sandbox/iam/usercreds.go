package iam

import (
	"slices"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

// userCredential is one kind of a user's credential with an ID and a
// status — access keys, signing certificates, SSH public keys — so that
// UpdateX and DeleteX are written once, with the same order of checks.
type userCredential[T any] struct {
	idParam string        // the request parameter naming the credential ("AccessKeyId")
	idRule  awsproto.Rule // its model constraints
	// nameRequired: UserName must be given; otherwise it may be left out
	// for the user whose access key signed the request.
	nameRequired bool
	missing      string // NoSuchEntity's message, with %s for the ID
	items        func(*iamstate.User) *[]*T
	id           func(*T) string
	status       func(*T) *string
}

// find returns the index and the credential of u with id, or NoSuchEntity.
func (k userCredential[T]) find(u *iamstate.User, id string) (int, *T, error) {
	for i, c := range *k.items(u) {
		if k.id(c) == id {
			return i, c, nil
		}
	}
	return -1, nil, noSuchEntity(k.missing, id)
}

// target validates the user and ID parameters (and whatever more reads
// adds) and finds the credential.
func (k userCredential[T]) target(r *awsproto.Request, more func(*awsproto.Validator), check func() error) (*iamstate.User, int, *T, error) {
	var v awsproto.Validator
	var name string
	if k.nameRequired {
		name = v.Required(r.Params, "UserName", userNameRule)
	} else {
		name = v.Optional(r.Params, "UserName", existingUserNameRule)
	}
	id := v.Required(r.Params, k.idParam, k.idRule)
	if more != nil {
		more(&v)
	}
	if err := v.Err(); err != nil {
		return nil, -1, nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, -1, nil, err
		}
	}
	u, err := targetUser(r, accountToWrite(r), name)
	if err != nil {
		return nil, -1, nil, err
	}
	i, c, err := k.find(u, id)
	return u, i, c, err
}

// update is UpdateX: a new Status, Active or Inactive.
func (k userCredential[T]) update(r *awsproto.Request) (any, error) {
	var status string
	_, _, c, err := k.target(r, func(v *awsproto.Validator) { status = readStatus(r.Params, v) },
		func() error { return settableStatus(status) })
	if err != nil {
		return nil, err
	}
	*k.status(c) = status
	return nil, nil
}

// delete is DeleteX; forget, when set, drops what else the credential left
// (an access key's signing secret).
func (k userCredential[T]) delete(r *awsproto.Request, forget func(*T)) (any, error) {
	u, i, c, err := k.target(r, nil, nil)
	if err != nil {
		return nil, err
	}
	*k.items(u) = slices.Delete(*k.items(u), i, i+1)
	if forget != nil {
		forget(c)
	}
	return nil, nil
}
