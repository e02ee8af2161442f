package iamuser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// inlinePolicyAPI is what the inline policy entry calls.
type inlinePolicyAPI interface {
	ListUserPolicies(ctx context.Context, in *iam.ListUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	GetUserPolicy(ctx context.Context, in *iam.GetUserPolicyInput, optFns ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	DeleteUserPolicy(ctx context.Context, in *iam.DeleteUserPolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error)
}

var _ inlinePolicyAPI = (*iam.Client)(nil)

var inlinePolicies = &dependency{
	name: "inline policy", plural: "inline policies", action: "delete",
	list: listInlinePolicies,
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.InlinePolicies))
		for i, p := range rec.InlinePolicies {
			out[i] = Item{ID: p.PolicyName, Detail: fmt.Sprintf("document of %d bytes archived", len(p.PolicyDocument))}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: ptr(s.user), PolicyName: ptr(it.ID)})
		return err
	},
}

// listInlinePolicies lists the policy names, then reads every document at once.
func listInlinePolicies(ctx context.Context, s *session, rec *Record) error {
	var names []string
	pages := iam.NewListUserPoliciesPaginator(s.api, &iam.ListUserPoliciesInput{UserName: ptr(s.user)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		names = append(names, page.PolicyNames...)
	}
	policies := make([]*InlinePolicy, len(names))
	err := readEach(len(names), func(i int) error {
		out, err := s.api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: ptr(s.user), PolicyName: ptr(names[i])})
		if err != nil {
			return fmt.Errorf("reading inline policy (%s): %w", names[i], err)
		}
		doc, err := policyDocument(deref(out.PolicyDocument))
		if err != nil {
			return fmt.Errorf("reading inline policy (%s): %w", names[i], err)
		}
		policies[i] = &InlinePolicy{PolicyName: names[i], PolicyDocument: doc}
		return nil
	})
	for _, p := range policies {
		if p != nil {
			rec.InlinePolicies = append(rec.InlinePolicies, *p)
		}
	}
	return err
}

// policyDocument URL-decodes a policy document as IAM returns it (RFC 3986
// encoding) into the JSON object itself; a document that is not JSON is kept
// as a JSON string, so nothing is lost.
func policyDocument(encoded string) (json.RawMessage, error) {
	doc, err := url.PathUnescape(encoded) // RFC 3986: a "+" is a plus, not a space
	if err != nil {
		return nil, fmt.Errorf("decoding the policy document: %w", err)
	}
	if json.Valid([]byte(doc)) {
		return json.RawMessage(doc), nil
	}
	quoted, err := json.Marshal(doc)
	return json.RawMessage(quoted), err
}
