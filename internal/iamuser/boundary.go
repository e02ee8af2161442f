package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// boundaryAPI is what the permissions boundary entry calls. GetUser (user.go)
// reads the boundary.
type boundaryAPI interface {
	DeleteUserPermissionsBoundary(ctx context.Context, in *iam.DeleteUserPermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error)
}

var _ boundaryAPI = (*iam.Client)(nil)

// permissionsBoundary does not keep IAM from deleting the user; it is removed
// anyway, with everything else, so a user left behind by a failure holds no
// policy reference either.
var permissionsBoundary = &dependency{
	name: "permissions boundary", plural: "permissions boundary", action: "delete",
	items: func(rec *Record) []Item {
		if rec.User.PermissionsBoundary == "" {
			return nil
		}
		return []Item{{ID: rec.User.PermissionsBoundary}}
	},
	remove: func(ctx context.Context, s *session, _ Item) error {
		_, err := s.api.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: ptr(s.user)})
		return err
	},
}
