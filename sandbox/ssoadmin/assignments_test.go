package ssoadmin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

func TestAssignmentsAreAsynchronous(t *testing.T) {
	w := newIDC(t)
	ps, alice := w.permissionSet(t, "ReadOnly"), w.userID(t, "alice")
	list := &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(instance), AccountId: aws.String(prod), PermissionSetArn: aws.String(ps)}

	made, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", alice))
	if err != nil {
		t.Fatal(err)
	}
	st := made.AccountAssignmentCreationStatus
	if st.Status != types.StatusValuesInProgress || len(aws.ToString(st.RequestId)) != 36 || aws.ToString(st.TargetId) != prod || aws.ToString(st.PrincipalId) != alice {
		t.Errorf("CreateAccountAssignment = %+v", st)
	}
	if l, _ := w.admin.ListAccountAssignments(ctx, list); len(l.AccountAssignments) != 0 {
		t.Errorf("the assignment exists while its creation is in progress: %+v", l.AccountAssignments)
	}
	if done := w.waitCreation(t, aws.ToString(st.RequestId)); done.Status != types.StatusValuesSucceeded || done.FailureReason != nil {
		t.Fatalf("creation = %+v", done)
	}
	l, err := w.admin.ListAccountAssignments(ctx, list)
	if err != nil || len(l.AccountAssignments) != 1 || aws.ToString(l.AccountAssignments[0].PrincipalId) != alice || l.AccountAssignments[0].PrincipalType != types.PrincipalTypeUser {
		t.Errorf("ListAccountAssignments = %+v, %v", l, err)
	}
	accounts, err := w.admin.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(ps)})
	if err != nil || len(accounts.AccountIds) != 1 || accounts.AccountIds[0] != prod {
		t.Errorf("ListAccountsForProvisionedPermissionSet = %+v, %v", accounts, err)
	}
	mine, err := w.admin.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: aws.String(instance), PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser})
	if err != nil || len(mine.AccountAssignments) != 1 || aws.ToString(mine.AccountAssignments[0].PermissionSetArn) != ps {
		t.Errorf("ListAccountAssignmentsForPrincipal = %+v, %v", mine, err)
	}
	// Creating it again converges: it succeeds and there is still one.
	again, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", alice))
	if err != nil || w.waitCreation(t, aws.ToString(again.AccountAssignmentCreationStatus.RequestId)).Status != types.StatusValuesSucceeded {
		t.Fatalf("creating the assignment again: %v", err)
	}

	del, err := w.admin.DeleteAccountAssignment(ctx, (*ssoadmin.DeleteAccountAssignmentInput)(assignment(ps, prod, "USER", alice)))
	if err != nil || del.AccountAssignmentDeletionStatus.Status != types.StatusValuesInProgress {
		t.Fatalf("DeleteAccountAssignment = %+v, %v", del, err)
	}
	id := del.AccountAssignmentDeletionStatus.RequestId
	time.Sleep(150 * time.Millisecond)
	gone, err := w.admin.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(instance), AccountAssignmentDeletionRequestId: id})
	if err != nil || gone.AccountAssignmentDeletionStatus.Status != types.StatusValuesSucceeded {
		t.Errorf("deletion = %+v, %v", gone, err)
	}
	if l, _ := w.admin.ListAccountAssignments(ctx, list); len(l.AccountAssignments) != 0 {
		t.Errorf("after deletion: %+v", l.AccountAssignments)
	}
	// A creation's request ID is not a deletion's.
	_, err = w.admin.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(instance), AccountAssignmentDeletionRequestId: st.RequestId})
	wantCode(t, err, "ResourceNotFoundException")
}

// What would make an assignment fail shows in its status, not in the
// answer to the request, as AWS reports it.
func TestAssignmentsFailLater(t *testing.T) {
	w := newIDC(t)
	ps, alice := w.permissionSet(t, "ReadOnly"), w.userID(t, "alice")
	missing := "1234567890-00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name string
		in   *ssoadmin.CreateAccountAssignmentInput
		want string
	}{
		{"no such user", assignment(ps, prod, "USER", missing), "USER assignee " + missing + " was not found in directory " + storeID},
		{"a user's ID as a group's", assignment(ps, prod, "GROUP", alice), "GROUP assignee"},
		{"no such permission set", assignment("arn:aws:sso:::permissionSet/"+instanceID+"/ps-0000000000000000", prod, "USER", alice), "permission set"},
		{"an account outside the organisation", assignment(ps, outsider, "USER", alice), "not a member of the organization"},
	} {
		made, err := w.admin.CreateAccountAssignment(ctx, tc.in)
		if err != nil || made.AccountAssignmentCreationStatus.Status != types.StatusValuesInProgress {
			t.Fatalf("%s: CreateAccountAssignment = %+v, %v", tc.name, made, err)
		}
		done := w.waitCreation(t, aws.ToString(made.AccountAssignmentCreationStatus.RequestId))
		if done.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(done.FailureReason), tc.want) {
			t.Errorf("%s: status %s, reason %q, want FAILED with %q", tc.name, done.Status, aws.ToString(done.FailureReason), tc.want)
		}
	}
	// Deleting an assignment that does not exist fails the same way.
	del, err := w.admin.DeleteAccountAssignment(ctx, (*ssoadmin.DeleteAccountAssignmentInput)(assignment(ps, prod, "USER", alice)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	st, _ := w.admin.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(instance), AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus.RequestId})
	if st.AccountAssignmentDeletionStatus.Status != types.StatusValuesFailed {
		t.Errorf("deleting a missing assignment = %+v", st.AccountAssignmentDeletionStatus)
	}
	_, err = w.admin.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(instance), AccountAssignmentCreationRequestId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException")
}

// A user deleted before its assignments leaves them behind, and they can no
// longer be deleted: offboarding must remove assignments first.
func TestAssignmentsOutliveTheirUser(t *testing.T) {
	w := newIDC(t)
	ps, alice := w.permissionSet(t, "ReadOnly"), w.userID(t, "alice")
	made, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", alice))
	if err != nil || w.waitCreation(t, aws.ToString(made.AccountAssignmentCreationStatus.RequestId)).Status != types.StatusValuesSucceeded {
		t.Fatalf("assigning: %v", err)
	}
	if _, err := w.store.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(alice)}); err != nil {
		t.Fatal(err)
	}
	mine, _ := w.admin.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: aws.String(instance), PrincipalId: aws.String(alice), PrincipalType: types.PrincipalTypeUser})
	if len(mine.AccountAssignments) != 1 {
		t.Errorf("assignments of the deleted user = %+v", mine.AccountAssignments)
	}
	del, err := w.admin.DeleteAccountAssignment(ctx, (*ssoadmin.DeleteAccountAssignmentInput)(assignment(ps, prod, "USER", alice)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	st, _ := w.admin.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(instance), AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus.RequestId})
	if s := st.AccountAssignmentDeletionStatus; s.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(s.FailureReason), "was not found in directory") {
		t.Errorf("deleting the dangling assignment = %+v", s)
	}
}

func TestOneOperationPerAssignmentAtATime(t *testing.T) {
	w := newIDC(t)
	w.setQuotas(t, `{"assignment_delay_ms": 3600000}`)
	ps, alice := w.permissionSet(t, "ReadOnly"), w.userID(t, "alice")
	if _, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", alice)); err != nil {
		t.Fatal(err)
	}
	_, err := w.admin.DeleteAccountAssignment(ctx, (*ssoadmin.DeleteAccountAssignmentInput)(assignment(ps, prod, "USER", alice)), noRetries)
	wantCode(t, err, "ConflictException")
}
