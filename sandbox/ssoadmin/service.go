// Package ssoadmin is the sandbox's IAM Identity Center administration API
// (sso-admin, which signs as "sso"): instances, permission sets and account
// assignments. Assignments are asynchronous as AWS's are — a request ID that
// is IN_PROGRESS, then SUCCEEDED or FAILED with a reason — and name a user or
// group of the instance's identity store (package idcstate, which
// identitystore shares) and an account of the organisation (orgstate).
//
// The package also owns Identity Center's state and its fixture section, and
// the quotas both APIs share: a collective request rate per instance and at
// most 15 assignment operations in progress.
package ssoadmin

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// read and write mark what an operation does to the world.
var read, write = awsproto.Read, awsproto.Write

// Service is sso-admin's API (JSON 1.1), Identity Center's state, its
// fixture section and the quota inspection endpoints.
func Service() service.Definition {
	return service.Definition{
		APIs:    []*awsproto.API{api()},
		State:   []state.Slot{idcstate.Slot},
		Fixture: []fixture.Section{fixtureSection()},
		Hooks:   hooks(),
	}
}

func api() *awsproto.API {
	return &awsproto.API{
		Name: "sso", ID: "sso-admin",
		Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "SWBExternalService"},
		Operations: map[string]awsproto.Operation{
			"ListInstances":                           read(listInstances),
			"CreateInstance":                          write(createInstance),
			"DescribeInstance":                        read(describeInstance),
			"CreatePermissionSet":                     write(createPermissionSet),
			"DescribePermissionSet":                   read(describePermissionSet),
			"ListPermissionSets":                      read(listPermissionSets),
			"AttachManagedPolicyToPermissionSet":      write(attachManagedPolicy),
			"ListManagedPoliciesInPermissionSet":      read(listManagedPolicies),
			"CreateAccountAssignment":                 write(createAccountAssignment),
			"DeleteAccountAssignment":                 write(deleteAccountAssignment),
			"DescribeAccountAssignmentCreationStatus": read(describeCreationStatus),
			"DescribeAccountAssignmentDeletionStatus": read(describeDeletionStatus),
			"ListAccountAssignments":                  read(listAccountAssignments),
			"ListAccountAssignmentsForPrincipal":      read(listAssignmentsForPrincipal),
			"ListAccountsForProvisionedPermissionSet": read(listAccountsForPermissionSet),
		},
	}
}

// Errors, as the model shapes them: every one is HTTP 400.

func ssoError(code, format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, code, format, args...)
}

func validation(format string, args ...any) error {
	return ssoError("ValidationException", format, args...)
}

func conflict(format string, args ...any) error {
	return ssoError("ConflictException", format, args...)
}

func notFound(format string, args ...any) error {
	return ssoError("ResourceNotFoundException", format, args...)
}

func accessDenied() error {
	return ssoError("AccessDeniedException", "User is not authorized to perform this operation on the instance.")
}

// The two ways the quotas refuse a request. AWS documents the limits, not the
// error of the second; clients have seen ThrottlingException with this message
// for it, and the SDKs retry both.
func throttled() error { return ssoError("ThrottlingException", "Rate exceeded") }

func tooManyInProgress() error {
	return ssoError("ThrottlingException", "There are too many requests processing. Please try again later.")
}

// The model's constraints (sso-admin 2020-07-20).
var (
	instanceARNRule      = awsproto.NewRule(10, 1224, `arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}`)
	permissionSetARNRule = awsproto.NewRule(10, 1224, `arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}`)
	accountIDRule        = awsproto.NewRule(12, 12, `\d{12}`)
	principalIDRule      = awsproto.NewRule(1, 47, `([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}`)
	requestIDRule        = awsproto.NewRule(36, 36, `\b[0-9a-f]{8}\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\b[0-9a-f]{12}\b`)
)

// validator collects problems as the model's validation reports them.
type validator struct{ awsproto.Validator }

func (v *validator) err() error { return v.ErrCode("ValidationException") }

// instanceFor returns the instance a request names once the caller — its
// owner; sso-admin gives member accounts nothing — may use it and its request
// bucket admits the request. An instance the caller cannot see is refused as
// AWS refuses it, with AccessDeniedException.
func instanceFor(r *awsproto.Request, arn string) (*idcstate.Instance, error) {
	var v validator
	v.RequiredValue("InstanceArn", arn, instanceARNRule)
	if err := v.err(); err != nil {
		return nil, err
	}
	idc := idcstate.Of(r.World)
	in, ok := idc.ByARN(arn)
	if !ok || in.Owner != r.Caller.Account {
		return nil, accessDenied()
	}
	if !idc.Admit(in) {
		return nil, throttled()
	}
	return in, nil
}

// organizationInstance is instanceFor for what only the organisation's
// instance has — permission sets and access to accounts — once the request's
// other members pass check (nil: it has none).
func organizationInstance(r *awsproto.Request, arn string, check func(*validator)) (*idcstate.Instance, error) {
	in, err := instanceFor(r, arn)
	if err != nil {
		return nil, err
	}
	if !in.Organization {
		return nil, validation("Account instances of IAM Identity Center do not support permission sets or access to AWS accounts; use the organization's instance.")
	}
	var v validator
	if check != nil {
		check(&v)
	}
	return in, v.err()
}

// readPage checks MaxResults and NextToken and returns the key the page
// starts at and its size.
func readPage(token *string, max *int) (start string, size int, err error) {
	start, size, problem := idcstate.ReadPage(token, max)
	if problem != "" {
		return "", 0, validation("%s", problem)
	}
	return start, size, nil
}

// now is the sandbox's clock for Identity Center: to the millisecond, as
// an assignment's delay is counted in milliseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
