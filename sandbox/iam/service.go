// Package iam is the sandbox's IAM: the Query-protocol API with AWS's strictness
// where moto is loose — DeleteConflict for every dependency, password policy
// enforcement, case-insensitive unique names, Marker/MaxItems pagination, TOTP
// checks and the MFA device rules. Operations run with the world's lock held by the
// router, so they read and change the state directly.
package iam

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

const (
	namespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	version   = "2010-05-08"
)

// read and write mark what an operation does to the world.
var read, write = awsproto.Read, awsproto.Write

// Service is IAM: its API, its part of every account (package iamstate), that
// part of fixture files, and inspection endpoints for what AWS has no API for.
func Service() service.Definition {
	return service.Definition{
		APIs:    []*awsproto.API{api()},
		State:   []state.Slot{iamstate.Slot},
		Fixture: []fixture.Section{fixtureSection()},
		Hooks:   hooks(),
	}
}

// api is the IAM API with every supported operation.
func api() *awsproto.API {
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
		credentialReportOperations,
		simulateOperations,
	} {
		register(ops)
	}
	return &awsproto.API{
		Name: "iam", ID: "iam",
		Codec:      awsproto.Query{Namespace: namespace, Version: version},
		Operations: ops,
	}
}

// iamAccount is an account as IAM's operations see it: its ID and IAM's part of it.
type iamAccount struct {
	ID string
	*iamstate.Account
}

func accountOf(a *state.Account) iamAccount { return iamAccount{a.ID, iamstate.Of(a)} }

// accountToRead is the caller's account for reading: one never used reads as
// empty and is not created.
func accountToRead(r *awsproto.Request) iamAccount {
	return accountOf(r.World.LookupAccount(r.Caller.Account))
}

// accountToWrite is the caller's account, created on first use.
func accountToWrite(r *awsproto.Request) iamAccount { return accountOf(r.Account()) }
