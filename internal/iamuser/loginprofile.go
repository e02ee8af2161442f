package iamuser

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// loginProfileAPI is what the login profile (console password) entry calls.
type loginProfileAPI interface {
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	DeleteLoginProfile(ctx context.Context, in *iam.DeleteLoginProfileInput, optFns ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
}

var _ loginProfileAPI = (*iam.Client)(nil)

// maxUnmodifiableRetries bounds the retries of a login profile IAM keeps
// calling temporarily unmodifiable (it says so for a while after a password
// was set).
const maxUnmodifiableRetries = 8

var loginProfile = &dependency{
	name: "login profile", plural: "login profile", action: "delete",
	list: func(ctx context.Context, s *session, rec *Record) error {
		out, err := s.api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: ptr(s.user)})
		if err != nil {
			return err
		}
		p := out.LoginProfile
		rec.LoginProfile = &LoginProfile{CreateDate: deref(p.CreateDate), PasswordResetRequired: p.PasswordResetRequired}
		return nil
	},
	items: func(rec *Record) []Item {
		if rec.LoginProfile == nil {
			return nil
		}
		return []Item{{Active: true, Detail: "console password, created " + day(rec.LoginProfile.CreateDate)}}
	},
	remove:  deleteLoginProfile,
	suspend: deleteLoginProfile, // a password cannot be deactivated; reinstating issues a new one
}

// deleteLoginProfile deletes the console password, retrying while IAM says
// the profile is temporarily unmodifiable.
func deleteLoginProfile(ctx context.Context, s *session, _ Item) error {
	for n := 1; ; n++ {
		_, err := s.api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: ptr(s.user)})
		var busy *iamtypes.EntityTemporarilyUnmodifiableException
		if !errors.As(err, &busy) || n > maxUnmodifiableRetries {
			return err
		}
		if err := sleep(ctx, s.backoff(n)); err != nil {
			return err
		}
	}
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// day formats a time for the plan: 2024-05-01.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
