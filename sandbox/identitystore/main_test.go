package identitystore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	mgmt     = "111111111111" // owns the organisation's instance
	member   = "222222222222" // an account of the organisation
	outsider = "999999999999"
	storeID  = "d-1234567890"
)

var ctx = context.Background()

// newStore starts a sandbox holding world and returns a client of its
// identity store signed as account.
func newStore(t *testing.T, account string, extra ...string) (*sandboxtest.Sandbox, *identitystore.Client) {
	t.Helper()
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	world, err := os.ReadFile(filepath.Join("testdata", "world.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sb.LoadFixture(t, string(world))
	for _, f := range extra {
		sb.LoadFixture(t, f)
	}
	return sb, identitystore.NewFromConfig(sb.Config(account))
}

// person is the user seed 004's Lambda creates, by name.
func person(name string) *identitystore.CreateUserInput {
	return &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID), UserName: aws.String(name), DisplayName: aws.String(name + " Example"),
		Name:   &types.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")},
		Emails: []types.Email{{Value: aws.String(name + "@example.com"), Primary: true}},
	}
}

func createUser(t *testing.T, c *identitystore.Client, in *identitystore.CreateUserInput) string {
	t.Helper()
	out, err := c.CreateUser(ctx, in)
	if err != nil {
		t.Fatalf("creating user %s: %v", aws.ToString(in.UserName), err)
	}
	return aws.ToString(out.UserId)
}

func createGroup(t *testing.T, c *identitystore.Client, name string) string {
	t.Helper()
	out, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating group %s: %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

func doc(v any) document.Interface { return document.NewLazyDocument(v) }

func byUserName(name string) types.AlternateIdentifier {
	return &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: doc(name)}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// wantNotFound checks a ResourceNotFoundException names what is missing.
func wantNotFound(t *testing.T, err error, resourceType types.ResourceType, id string) {
	t.Helper()
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ResourceType != resourceType || aws.ToString(nf.ResourceId) != id {
		t.Fatalf("error = %v (%+v), want ResourceNotFoundException for %s %q", err, nf, resourceType, id)
	}
}

// wantConflict checks a ConflictException carries its reason.
func wantConflict(t *testing.T, err error, reason types.ConflictExceptionReason) {
	t.Helper()
	var ce *types.ConflictException
	if !errors.As(err, &ce) || ce.Reason != reason {
		t.Fatalf("error = %v, want ConflictException with reason %s", err, reason)
	}
}
