package ssoadmin_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

const (
	mgmt       = "111111111111" // the organisation's management account: owns its instance
	prod       = "222222222222" // a member account
	outsider   = "999999999999" // in no organisation
	storeID    = "d-1234567890"
	instanceID = "ssoins-0123456789abcdef"
	instance   = "arn:aws:sso:::instance/" + instanceID
)

// world is testdata/world.yaml: an organisation whose instance has a
// permission set, a group and a user.
var world = func() string {
	data, err := os.ReadFile(filepath.Join("testdata", "world.yaml"))
	if err != nil {
		panic(err)
	}
	return string(data)
}()

var ctx = context.Background()

// idc is a sandbox with world, and clients signed as the management account.
type idc struct {
	sb    *sandboxtest.Sandbox
	admin *ssoadmin.Client
	store *identitystore.Client
}

func newIDC(t *testing.T) *idc {
	t.Helper()
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, world)
	return &idc{sb: sb, admin: ssoadmin.NewFromConfig(sb.Config(mgmt)), store: identitystore.NewFromConfig(sb.Config(mgmt))}
}

// noRetries makes a client show the first error, throttling included.
func noRetries(o *ssoadmin.Options) { o.RetryMaxAttempts = 1 }

// permissionSet returns the ARN of a permission set by name.
func (w *idc) permissionSet(t *testing.T, name string) string {
	t.Helper()
	list, err := w.admin.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instance)})
	if err != nil {
		t.Fatal(err)
	}
	for _, arn := range list.PermissionSets {
		d, err := w.admin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
		if err == nil && aws.ToString(d.PermissionSet.Name) == name {
			return arn
		}
	}
	t.Fatalf("no permission set %s", name)
	return ""
}

// userID returns a user's ID by user name.
func (w *idc) userID(t *testing.T, name string) string {
	t.Helper()
	out, err := w.store.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID),
		Filters: []istypes.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String(name)}}})
	if err != nil || len(out.Users) != 1 {
		t.Fatalf("finding user %s: %+v, %v", name, out, err)
	}
	return aws.ToString(out.Users[0].UserId)
}

func assignment(ps, account, principalType, principal string) *ssoadmin.CreateAccountAssignmentInput {
	return &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(ps), TargetId: aws.String(account),
		TargetType: types.TargetTypeAwsAccount, PrincipalType: types.PrincipalType(principalType), PrincipalId: aws.String(principal)}
}

// waitCreation polls an assignment creation until it leaves IN_PROGRESS.
func (w *idc) waitCreation(t *testing.T, requestID string) *types.AccountAssignmentOperationStatus {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := w.admin.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(instance), AccountAssignmentCreationRequestId: aws.String(requestID)})
		if err != nil {
			t.Fatal(err)
		}
		if out.AccountAssignmentCreationStatus.Status != types.StatusValuesInProgress {
			return out.AccountAssignmentCreationStatus
		}
	}
	t.Fatalf("assignment creation %s still in progress", requestID)
	return nil
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// quotaState is an instance's quotas and counters as the inspection API shows them.
type quotaState struct {
	Quotas     idcstate.Quotas `json:"quotas"`
	InProgress int             `json:"in_progress"`
	Stats      idcstate.Stats  `json:"stats"`
}

// quotas reads the instance's quotas and counters.
func (w *idc) quotas(t *testing.T) quotaState {
	t.Helper()
	var all []quotaState
	w.sb.Get(t, "sso-admin/quotas", &all)
	if len(all) != 1 {
		t.Fatalf("quotas of %d instances", len(all))
	}
	return all[0]
}

// setQuotas changes the instance's quotas (and restarts its counters).
func (w *idc) setQuotas(t *testing.T, patch string) {
	t.Helper()
	w.sb.Put(t, "sso-admin/quotas", []byte(patch), nil)
}
