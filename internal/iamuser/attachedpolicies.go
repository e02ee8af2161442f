package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// attachedPolicyAPI is what the managed policy entry calls.
type attachedPolicyAPI interface {
	ListAttachedUserPolicies(ctx context.Context, in *iam.ListAttachedUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	DetachUserPolicy(ctx context.Context, in *iam.DetachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
}

var _ attachedPolicyAPI = (*iam.Client)(nil)

var attachedPolicies = &dependency{
	name: "managed policy", plural: "managed policies", action: "detach",
	list: func(ctx context.Context, s *session, rec *Record) error {
		pages := iam.NewListAttachedUserPoliciesPaginator(s.api, &iam.ListAttachedUserPoliciesInput{UserName: ptr(s.user)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, p := range page.AttachedPolicies {
				rec.AttachedPolicies = append(rec.AttachedPolicies, AttachedPolicy{PolicyName: deref(p.PolicyName), PolicyArn: deref(p.PolicyArn)})
			}
		}
		return nil
	},
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.AttachedPolicies))
		for i, p := range rec.AttachedPolicies {
			out[i] = Item{ID: p.PolicyArn}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: ptr(s.user), PolicyArn: ptr(it.ID)})
		return err
	},
}
