// Package iam is the sandbox's IAM: the Query-protocol API with AWS's strictness
// where moto is loose — DeleteConflict for every dependency, password policy
// enforcement, case-insensitive unique names, Marker/MaxItems pagination, TOTP
// checks and the MFA device rules. Operations run with the world's lock held by the
// router, so they read and change the state directly.
package iam

import "github.com/gatehouse/gatehouse/sandbox/awsproto"

const (
	namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	version   = "2010-05-08"
)

type handler = func(*awsproto.Request) (any, error)

func read(h handler) awsproto.Operation  { return awsproto.Operation{Handle: h} }
func write(h handler) awsproto.Operation { return awsproto.Operation{Mutating: true, Handle: h} }

// Service returns the IAM API with every supported operation.
func Service() *awsproto.API {
	ops := map[string]awsproto.Operation{}
	for _, register := range []func(map[string]awsproto.Operation){
		userOperations,
		loginProfileOperations,
		passwordPolicyOperations,
		aliasOperations,
		groupOperations,
		policyOperations,
		policyVersionOperations,
		attachmentOperations,
		inlinePolicyOperations,
		roleOperations,
		authDetailsOperations,
		accessKeyOperations,
		sshKeyOperations,
		signingCertOperations,
		serviceCredOperations,
		mfaOperations,
		deleteUserOperations,
	} {
		register(ops)
	}
	return &awsproto.API{
		Name: "iam", ID: "iam",
		Codec:      awsproto.Query{Namespace: namespace, Version: version},
		Operations: ops,
	}
}
