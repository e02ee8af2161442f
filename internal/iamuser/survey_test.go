package iamuser

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// noManagedPolicies is a backend that has groups but none of AWS's managed
// policies: moto without MOTO_IAM_LOAD_MANAGED_POLICIES.
type noManagedPolicies struct{ accountAPI }

func (noManagedPolicies) GetGroup(context.Context, *iam.GetGroupInput, ...func(*iam.Options)) (*iam.GetGroupOutput, error) {
	return &iam.GetGroupOutput{}, nil
}

func (noManagedPolicies) GetPolicy(_ context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	return nil, &iamtypes.NoSuchEntityException{Message: strPtr("Policy " + *in.PolicyArn + " was not found.")}
}

func strPtr(s string) *string { return &s }

// IAMUserChangePassword, which gatehouse attaches itself, is checked with
// the input's own references: on a backend without it, the plan stops
// before any user is created (they would have been left without a
// password). Where the password policy lets users change their password,
// it is not needed and not asked for.
func TestSurveyChecksChangePasswordPolicy(t *testing.T) {
	t.Parallel()
	people := []spec.Person{{Email: "a@example.com", UserName: "a@example.com", Groups: []string{"staff"}}}
	s := &engine.Scope{ID: "123456789012", Noun: "account"}
	probs, err := checkReferences(context.Background(), noManagedPolicies{}, s, &account{partition: "aws", policy: password.DefaultPolicy}, people)
	if err != nil || len(probs) != 1 || !strings.Contains(probs[0].String(), "IAMUserChangePassword") ||
		!strings.Contains(probs[0].String(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true") {
		t.Fatalf("problems %v, error %v", probs, err)
	}
	lenient := password.Policy{MinimumLength: 8, AllowUsersToChangePassword: true}
	probs, err = checkReferences(context.Background(), noManagedPolicies{}, s, &account{partition: "aws", policy: lenient}, people)
	if err != nil || len(probs) != 0 {
		t.Errorf("with users allowed to change their password: problems %v, error %v", probs, err)
	}
}
