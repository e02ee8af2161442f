package events

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// fakeUsers is a userAPI with a func per method.
type fakeUsers struct {
	getUser         func(context.Context, *iam.GetUserInput) (*iam.GetUserOutput, error)
	getLoginProfile func(context.Context, *iam.GetLoginProfileInput) (*iam.GetLoginProfileOutput, error)
}

func (f fakeUsers) GetUser(ctx context.Context, in *iam.GetUserInput, _ ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	return f.getUser(ctx, in)
}

func (f fakeUsers) GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, _ ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	return f.getLoginProfile(ctx, in)
}

// Reading a user is one call latency, not two: GetUser and GetLoginProfile
// are in flight together (each fake call waits for the other to start).
func TestReadUserCallsAtOnce(t *testing.T) {
	t.Parallel()
	started := make(chan string, 2)
	both := func(name string) {
		started <- name
		deadline := time.After(5 * time.Second)
		for len(started) < 2 {
			select {
			case <-deadline:
				t.Errorf("%s: the other call never started while this one was in flight", name)
				return
			case <-time.After(time.Millisecond):
			}
		}
	}
	api := fakeUsers{
		getUser: func(context.Context, *iam.GetUserInput) (*iam.GetUserOutput, error) {
			both("GetUser")
			return &iam.GetUserOutput{User: &iamtypes.User{UserName: aws.String("ada@example.com"), Path: aws.String("/x/"),
				Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}, nil
		},
		getLoginProfile: func(context.Context, *iam.GetLoginProfileInput) (*iam.GetLoginProfileOutput, error) {
			both("GetLoginProfile")
			return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no login profile")}
		},
	}
	u, err := readUser(context.Background(), api, "ada@example.com")
	if err != nil || u.Name != "ada@example.com" || u.Path != "/x/" || u.Tags["team"] != "a" || u.HasPassword {
		t.Errorf("readUser = %+v, %v", u, err)
	}
	api.getUser = func(context.Context, *iam.GetUserInput) (*iam.GetUserOutput, error) {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no user")}
	}
	api.getLoginProfile = func(context.Context, *iam.GetLoginProfileInput) (*iam.GetLoginProfileOutput, error) {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no user")}
	}
	if _, err := readUser(context.Background(), api, "gone"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("a user that is gone: %v, want ErrNoSuchUser", err)
	}
}
