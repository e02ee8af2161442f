package iamuser

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// userAPI is what reading, tagging and deleting the user itself calls.
type userAPI interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	DeleteUser(ctx context.Context, in *iam.DeleteUserInput, optFns ...func(*iam.Options)) (*iam.DeleteUserOutput, error)
	TagUser(ctx context.Context, in *iam.TagUserInput, optFns ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(ctx context.Context, in *iam.UntagUserInput, optFns ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

var _ userAPI = (*iam.Client)(nil)

// ErrUserNotFound means the IAM user does not exist (any more).
var ErrUserNotFound = fmt.Errorf("no such IAM user: %w", engine.ErrUserNotFound)

// getUser reads the user: its name as IAM spells it, IDs, path, boundary and tags.
func getUser(ctx context.Context, s *session, rec *Record) error {
	out, err := s.api.GetUser(ctx, &iam.GetUserInput{UserName: ptr(s.user)})
	if notFound(err) {
		return fmt.Errorf("getting IAM user (%s): %w", s.user, ErrUserNotFound)
	}
	if err != nil {
		return fmt.Errorf("getting IAM user (%s): %w", s.user, awsx.Classify(err))
	}
	u := out.User
	rec.User = User{UserName: deref(u.UserName), UserID: deref(u.UserId), Arn: deref(u.Arn), Path: deref(u.Path),
		CreateDate: deref(u.CreateDate), PasswordLastUsed: u.PasswordLastUsed, Tags: []Tag{}}
	if b := u.PermissionsBoundary; b != nil {
		rec.User.PermissionsBoundary = deref(b.PermissionsBoundaryArn)
	}
	for _, t := range u.Tags {
		rec.User.Tags = append(rec.User.Tags, Tag{Key: deref(t.Key), Value: deref(t.Value)})
	}
	return nil
}

// deleteUser deletes the user; NoSuchEntity means it is gone already.
func deleteUser(ctx context.Context, s *session) error {
	_, err := s.api.DeleteUser(ctx, &iam.DeleteUserInput{UserName: ptr(s.user)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("deleting IAM user (%s): %w", s.user, awsx.Classify(err))
	}
	return nil
}

// maxVerifyAttempts bounds how long verification waits for IAM, which is
// eventually consistent, to stop showing a deleted user.
const maxVerifyAttempts = 4

// verifyGone checks that GetUser answers NoSuchEntity.
func verifyGone(ctx context.Context, s *session) error {
	for n := 1; ; n++ {
		_, err := s.api.GetUser(ctx, &iam.GetUserInput{UserName: ptr(s.user)})
		switch {
		case notFound(err):
			return nil
		case err != nil:
			return fmt.Errorf("verifying IAM user (%s) is gone: %w", s.user, awsx.Classify(err))
		case n >= maxVerifyAttempts:
			return fmt.Errorf("verifying IAM user (%s) is gone: IAM still shows it after DeleteUser; run the same command again", s.user)
		}
		if err := sleep(ctx, s.backoff(n)); err != nil {
			return err
		}
	}
}

// tagUser sets one tag on the user.
func tagUser(ctx context.Context, s *session, key, value string) error {
	_, err := s.api.TagUser(ctx, &iam.TagUserInput{UserName: ptr(s.user), Tags: []iamtypes.Tag{{Key: ptr(key), Value: ptr(value)}}})
	if err != nil {
		return fmt.Errorf("tagging IAM user (%s) with %s: %w", s.user, key, awsx.Classify(err))
	}
	return nil
}

// untagUser removes one tag from the user.
func untagUser(ctx context.Context, s *session, key string) error {
	_, err := s.api.UntagUser(ctx, &iam.UntagUserInput{UserName: ptr(s.user), TagKeys: []string{key}})
	if err != nil && !notFound(err) {
		return fmt.Errorf("removing tag %s from IAM user (%s): %w", key, s.user, awsx.Classify(err))
	}
	return nil
}
