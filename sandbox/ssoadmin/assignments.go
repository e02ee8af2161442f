package ssoadmin

import (
	"fmt"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// assignmentRequest is CreateAccountAssignment's and DeleteAccountAssignment's input.
type assignmentRequest struct {
	InstanceArn      string
	TargetID         string `json:"TargetId"`
	TargetType       string
	PermissionSetArn string
	PrincipalType    string
	PrincipalID      string `json:"PrincipalId"`
}

func (in *assignmentRequest) target() idcstate.Target {
	return idcstate.Target{AccountID: in.TargetID, PermissionSetARN: in.PermissionSetArn, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}
}

func (in *assignmentRequest) check(v *validator) {
	v.RequiredValue("TargetId", in.TargetID, accountIDRule)
	v.RequiredValue("PermissionSetArn", in.PermissionSetArn, permissionSetARNRule)
	v.RequiredValue("PrincipalId", in.PrincipalID, principalIDRule)
	if in.TargetType != "AWS_ACCOUNT" {
		v.Addf("Value '%s' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_ACCOUNT]", in.TargetType)
	}
	checkPrincipalType(v, in.PrincipalType)
}

// checkPrincipalType checks a PrincipalType against the model's enum.
func checkPrincipalType(v *validator, t string) {
	if t != "USER" && t != "GROUP" {
		v.Addf("Value '%s' at 'principalType' failed to satisfy constraint: Member must satisfy enum value set: [USER, GROUP]", t)
	}
}

// statusJSON is AccountAssignmentOperationStatus.
type statusJSON struct {
	Status           string
	RequestID        string `json:"RequestId"`
	FailureReason    string `json:",omitempty"`
	TargetID         string `json:"TargetId"`
	TargetType       string
	PermissionSetArn string
	PrincipalType    string
	PrincipalID      string `json:"PrincipalId"`
	CreatedDate      awsproto.EpochTime
}

// statusShape is the operation as it stands at a moment: IN_PROGRESS until
// it is done, then its outcome and, when it failed, why.
func statusShape(op *idcstate.Operation, status string) statusJSON {
	out := statusJSON{
		Status: status, RequestID: op.RequestID, TargetID: op.AccountID, TargetType: "AWS_ACCOUNT",
		PermissionSetArn: op.PermissionSetARN, PrincipalType: op.PrincipalType, PrincipalID: op.PrincipalID,
		CreatedDate: awsproto.EpochTime(op.Created),
	}
	if status == "FAILED" {
		out.FailureReason = op.FailureReason
	}
	return out
}

func createAccountAssignment(r *awsproto.Request) (any, error) {
	op, err := startOperation(r, idcstate.Create)
	if err != nil {
		return nil, err
	}
	return struct{ AccountAssignmentCreationStatus statusJSON }{statusShape(op, "IN_PROGRESS")}, nil
}

func deleteAccountAssignment(r *awsproto.Request) (any, error) {
	op, err := startOperation(r, idcstate.Delete)
	if err != nil {
		return nil, err
	}
	return struct{ AccountAssignmentDeletionStatus statusJSON }{statusShape(op, "IN_PROGRESS")}, nil
}

// startOperation accepts a CreateAccountAssignment or DeleteAccountAssignment
// request as AWS does: the answer is always IN_PROGRESS, and what would make
// the assignment fail (a principal, permission set or account that is not
// there) shows only in its status later. The request itself is refused when
// an operation on the same assignment is still in progress (ConflictException)
// or when the instance has as many in progress as its quota allows.
func startOperation(r *awsproto.Request, kind string) (*idcstate.Operation, error) {
	var in assignmentRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := organizationInstance(r, in.InstanceArn, in.check)
	if err != nil {
		return nil, err
	}
	t, target := now(), in.target()
	inst.Settle(t)
	for _, op := range inst.InProgress(t) {
		if op.Target == target {
			return nil, conflict("An account assignment operation for this principal, permission set and account is already in progress (request %s).", op.RequestID)
		}
	}
	if !idcstate.Of(r.World).AdmitOperation(inst, t) {
		return nil, tooManyInProgress()
	}
	op := &idcstate.Operation{RequestID: idcstate.NewUUID(), Kind: kind, Target: target, Created: t,
		Done: t.Add(inst.Quotas.AssignmentDelay()), Outcome: "SUCCEEDED"}
	if reason := failureReason(r, inst, op); reason != "" {
		op.Outcome, op.FailureReason = "FAILED", reason
	}
	inst.Start(op)
	return op, nil
}

// failureReason is why an operation will fail, "" when it will succeed. The
// principal's wording is AWS's; the others follow it.
func failureReason(r *awsproto.Request, inst *idcstate.Instance, op *idcstate.Operation) string {
	store := inst.Store
	var principal bool
	if op.PrincipalType == "USER" {
		_, principal = store.Users[op.PrincipalID]
	} else {
		_, principal = store.Groups[op.PrincipalID]
	}
	_, ps := inst.PermissionSetByARN(op.PermissionSetARN)
	a, assigned := inst.Assignments[op.Target.Key()]
	switch {
	case !principal:
		return fmt.Sprintf("Received a 404 status error: the %s assignee %s was not found in directory %s", op.PrincipalType, op.PrincipalID, inst.IdentityStoreID)
	case !ps:
		return fmt.Sprintf("Received a 404 status error: the permission set %s was not found in instance %s", op.PermissionSetARN, inst.ID)
	case !orgstate.IsMember(r.World, op.AccountID):
		return fmt.Sprintf("Received a 400 status error: the account %s is not a member of the organization", op.AccountID)
	case op.Kind == idcstate.Delete && (!assigned || !a.Visible(op.Created)):
		return fmt.Sprintf("Received a 404 status error: the %s %s has no assignment of permission set %s in account %s", op.PrincipalType, op.PrincipalID, op.PermissionSetARN, op.AccountID)
	}
	return ""
}

// describeStatus finds the operation of a kind with a request ID and its
// status now.
func describeStatus(r *awsproto.Request, kind, instanceARN, idField, requestID string) (*idcstate.Operation, string, error) {
	inst, err := organizationInstance(r, instanceARN, func(v *validator) { v.RequiredValue(idField, requestID, requestIDRule) })
	if err != nil {
		return nil, "", err
	}
	op, ok := inst.Operations[requestID]
	if !ok || op.Kind != kind {
		return nil, "", notFound("Could not find the account assignment %s request with id %s.", kind, requestID)
	}
	return op, op.Status(now()), nil
}

func describeCreationStatus(r *awsproto.Request) (any, error) {
	var in struct {
		InstanceArn                        string
		AccountAssignmentCreationRequestID string `json:"AccountAssignmentCreationRequestId"`
	}
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	op, status, err := describeStatus(r, idcstate.Create, in.InstanceArn, "AccountAssignmentCreationRequestId", in.AccountAssignmentCreationRequestID)
	if err != nil {
		return nil, err
	}
	return struct{ AccountAssignmentCreationStatus statusJSON }{statusShape(op, status)}, nil
}

func describeDeletionStatus(r *awsproto.Request) (any, error) {
	var in struct {
		InstanceArn                        string
		AccountAssignmentDeletionRequestID string `json:"AccountAssignmentDeletionRequestId"`
	}
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	op, status, err := describeStatus(r, idcstate.Delete, in.InstanceArn, "AccountAssignmentDeletionRequestId", in.AccountAssignmentDeletionRequestID)
	if err != nil {
		return nil, err
	}
	return struct{ AccountAssignmentDeletionStatus statusJSON }{statusShape(op, status)}, nil
}
