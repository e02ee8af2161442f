package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// groupAPI is what the group membership entry calls.
type groupAPI interface {
	ListGroupsForUser(ctx context.Context, in *iam.ListGroupsForUserInput, optFns ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	RemoveUserFromGroup(ctx context.Context, in *iam.RemoveUserFromGroupInput, optFns ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
}

var _ groupAPI = (*iam.Client)(nil)

var groupMemberships = &dependency{
	name: "group membership", plural: "group memberships", action: "remove",
	list: func(ctx context.Context, s *session, rec *Record) error {
		pages := iam.NewListGroupsForUserPaginator(s.api, &iam.ListGroupsForUserInput{UserName: ptr(s.user)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, g := range page.Groups {
				rec.Groups = append(rec.Groups, Group{GroupName: deref(g.GroupName), GroupID: deref(g.GroupId), Arn: deref(g.Arn), Path: deref(g.Path)})
			}
		}
		return nil
	},
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.Groups))
		for i, g := range rec.Groups {
			out[i] = Item{ID: g.GroupName, Detail: g.Arn}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: ptr(s.user), GroupName: ptr(it.ID)})
		return err
	},
}
