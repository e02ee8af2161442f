package iam_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// inlineAPI is one identity kind's inline policy operations.
type inlineAPI struct {
	kind, entity string
	put          func(entity, name, doc string) error
	get          func(entity, name string) (entityName, policyName, doc string, err error)
	del          func(entity, name string) error
	list         func(entity, marker string, max int32) (names []string, next string, err error)
}

func (e *idEnv) inlineAPIs() []inlineAPI {
	return []inlineAPI{e.userInlineAPI(), e.groupInlineAPI(), e.roleInlineAPI()}
}

func (e *idEnv) userInlineAPI() inlineAPI {
	return inlineAPI{kind: "user", entity: "alice",
		put: func(entity, name, doc string) error {
			return justErr(e.iam.PutUserPolicy(e.ctx, &iam.PutUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
		},
		get: func(entity, name string) (string, string, string, error) {
			out, err := e.iam.GetUserPolicy(e.ctx, &iam.GetUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", "", err
			}
			return *out.UserName, *out.PolicyName, *out.PolicyDocument, nil
		},
		del: func(entity, name string) error {
			return justErr(e.iam.DeleteUserPolicy(e.ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(entity), PolicyName: aws.String(name)}))
		},
		list: func(entity, marker string, max int32) ([]string, string, error) {
			out, err := e.iam.ListUserPolicies(e.ctx, &iam.ListUserPoliciesInput{UserName: aws.String(entity), Marker: markerParam(marker), MaxItems: aws.Int32(max)})
			if err != nil {
				return nil, "", err
			}
			return out.PolicyNames, aws.ToString(out.Marker), nil
		},
	}
}

func (e *idEnv) groupInlineAPI() inlineAPI {
	return inlineAPI{kind: "group", entity: "devs",
		put: func(entity, name, doc string) error {
			return justErr(e.iam.PutGroupPolicy(e.ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
		},
		get: func(entity, name string) (string, string, string, error) {
			out, err := e.iam.GetGroupPolicy(e.ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", "", err
			}
			return *out.GroupName, *out.PolicyName, *out.PolicyDocument, nil
		},
		del: func(entity, name string) error {
			return justErr(e.iam.DeleteGroupPolicy(e.ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String(entity), PolicyName: aws.String(name)}))
		},
		list: func(entity, marker string, max int32) ([]string, string, error) {
			out, err := e.iam.ListGroupPolicies(e.ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String(entity), Marker: markerParam(marker), MaxItems: aws.Int32(max)})
			if err != nil {
				return nil, "", err
			}
			return out.PolicyNames, aws.ToString(out.Marker), nil
		},
	}
}

func (e *idEnv) roleInlineAPI() inlineAPI {
	return inlineAPI{kind: "role", entity: "app",
		put: func(entity, name, doc string) error {
			return justErr(e.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
		},
		get: func(entity, name string) (string, string, string, error) {
			out, err := e.iam.GetRolePolicy(e.ctx, &iam.GetRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", "", err
			}
			return *out.RoleName, *out.PolicyName, *out.PolicyDocument, nil
		},
		del: func(entity, name string) error {
			return justErr(e.iam.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(entity), PolicyName: aws.String(name)}))
		},
		list: func(entity, marker string, max int32) ([]string, string, error) {
			out, err := e.iam.ListRolePolicies(e.ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(entity), Marker: markerParam(marker), MaxItems: aws.Int32(max)})
			if err != nil {
				return nil, "", err
			}
			return out.PolicyNames, aws.ToString(out.Marker), nil
		},
	}
}

func markerParam(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// inlineIdentities creates alice, devs and app, the identities inlineAPIs use.
func (e *idEnv) inlineIdentities() {
	e.user("alice")
	e.group("devs")
	_, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	e.must("creating app", err)
}

func TestInlinePolicies(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.inlineIdentities()
	spaced := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n}"
	for _, api := range e.inlineAPIs() {
		t.Run(api.kind, func(t *testing.T) {
			e.must("putting", api.put(strings.ToUpper(api.entity), "Read", spaced))
			e.must("replacing, other case", api.put(api.entity, "READ", s3ReadDoc))
			entity, name, doc, err := api.get(api.entity, "read")
			e.must("getting", err)
			decoded, _ := url.QueryUnescape(doc)
			if entity != api.entity || name != "Read" || decoded != s3ReadDoc || doc == s3ReadDoc {
				t.Errorf("got %s %s %s", entity, name, doc)
			}
			for i := range 4 {
				e.must("putting more", api.put(api.entity, fmt.Sprintf("extra%d", i), s3ReadDoc))
			}
			var names []string
			marker := ""
			for pages := 1; ; pages++ {
				page, next, err := api.list(api.entity, marker, 2)
				e.must("listing", err)
				names = append(names, page...)
				if next == "" || pages > 5 {
					break
				}
				marker = next
			}
			if strings.Join(names, ",") != "extra0,extra1,extra2,extra3,Read" {
				t.Errorf("names = %v", names)
			}
			e.must("deleting", api.del(api.entity, "read"))
			_, _, _, err = api.get(api.entity, "Read")
			expectError(t, err, "NoSuchEntity", "The "+api.kind+" policy with name Read cannot be found.")
			expectError(t, api.del(api.entity, "Read"), "NoSuchEntity", "The "+api.kind+" policy with name Read cannot be found.")
			expectError(t, api.put("nobody", "p", s3ReadDoc), "NoSuchEntity", "")
		})
	}
}

// Inline policies share a per-identity size quota; white space is free.
func TestInlinePolicySizeQuota(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.inlineIdentities()
	limits := map[string]int{"user": 2048, "group": 5120, "role": 10240}
	for _, api := range e.inlineAPIs() {
		t.Run(api.kind, func(t *testing.T) {
			limit := limits[api.kind]
			half := docOfSize(limit / 2)
			e.must("first half", api.put(api.entity, "a", half))
			e.must("second half", api.put(api.entity, "b", half))
			// Replacing a policy counts its new size, not both.
			e.must("replacing b", api.put(api.entity, "b", half))
			want := fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", limit, api.kind, api.entity)
			expectError(t, api.put(api.entity, "c", s3ReadDoc), "LimitExceeded", want)
			e.must("white space is free", api.put(api.entity, "b", strings.ReplaceAll(half, ",", ",   \n")))
		})
	}
}

// docOfSize is an identity policy of exactly n non-space characters.
func docOfSize(n int) string {
	head, tail := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`, `"}]}`
	return head + strings.Repeat("b", n-len(head)-len(tail)) + tail
}
