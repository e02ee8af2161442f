package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// IAMUsers reads users through the accounts' roles, as onboarding enters
// them.
type IAMUsers struct {
	AWS *awsx.Factory
}

// userAPI is what reading a user for an event calls.
type userAPI interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

var _ userAPI = (*iam.Client)(nil)

// ReadUser reads the user's path and tags (GetUser) and whether it has a
// console password (GetLoginProfile).
func (r IAMUsers) ReadUser(ctx context.Context, account, name string) (UserInfo, error) {
	cfg, err := r.AWS.Config(ctx, account)
	if err != nil {
		return UserInfo{}, fmt.Errorf("entering account %s: %w", account, err)
	}
	return readUser(ctx, iam.NewFromConfig(cfg), name)
}

// readUser makes its two calls at once: they are on the path from
// CreateUser to the person's mail, one call latency each.
func readUser(ctx context.Context, api userAPI, name string) (UserInfo, error) {
	profile := make(chan error, 1)
	go func() {
		_, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
		profile <- awsx.Classify(err)
	}()
	out, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	profileErr := <-profile
	if err = awsx.Classify(err); errors.Is(err, awsx.ErrNotFound) {
		return UserInfo{}, ErrNoSuchUser
	} else if err != nil {
		return UserInfo{}, fmt.Errorf("getting IAM user (%s): %w", name, err)
	}
	u := UserInfo{Name: aws.ToString(out.User.UserName), Path: aws.ToString(out.User.Path), Tags: map[string]string{}}
	for _, t := range out.User.Tags {
		u.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	switch {
	case profileErr == nil:
		u.HasPassword = true
	case !errors.Is(profileErr, awsx.ErrNotFound):
		return UserInfo{}, fmt.Errorf("getting login profile of IAM user (%s): %w", name, profileErr)
	}
	return u, nil
}
