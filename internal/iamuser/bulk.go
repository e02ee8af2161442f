package iamuser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// bulkAPI is what reading an account in bulk calls.
type bulkAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

var _ bulkAPI = (*iam.Client)(nil)

// userDetail is what the bulk listing says of one user.
type userDetail struct {
	name    string
	id, arn string
	created time.Time
	managed bool
	cur     current
	// attached (ARNs) and inline (names) are the policies on the user
	// itself, in IAM's order.
	attached, inline []string
}

// directory is an account's users and groups, read in bulk.
type directory struct {
	users  map[string]*userDetail // by lower-cased name
	groups map[string]bool        // lower-cased group names
}

// readDirectory reads every user — its tags, boundary, groups and attached
// and inline policies — and, when filter asks for them, every group of the
// account with GetAccountAuthorizationDetails, a thousand to a page: a few
// calls per account instead of four per person.
func readDirectory(ctx context.Context, api bulkAPI, filter ...iamtypes.EntityType) (*directory, error) {
	dir := &directory{users: map[string]*userDetail{}, groups: map[string]bool{}}
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{
		Filter: filter, MaxItems: aws.Int32(1000),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the account's users and groups: %w", awsx.Classify(err))
		}
		for _, u := range page.UserDetailList {
			dir.add(u)
		}
		for _, g := range page.GroupDetailList {
			dir.groups[strings.ToLower(aws.ToString(g.GroupName))] = true
		}
	}
	return dir, nil
}

func (dir *directory) add(u iamtypes.UserDetail) {
	d := &userDetail{name: aws.ToString(u.UserName), id: aws.ToString(u.UserId), arn: aws.ToString(u.Arn),
		created: aws.ToTime(u.CreateDate), cur: current{groups: map[string]string{}, policies: map[string]bool{},
			path: aws.ToString(u.Path), tags: map[string]string{}}}
	for _, t := range u.Tags {
		d.cur.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	d.managed = d.cur.tags[engine.TagManagedBy] == engine.ManagedByValue
	if b := u.PermissionsBoundary; b != nil {
		d.cur.boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	for _, g := range u.GroupList {
		d.cur.groups[strings.ToLower(g)] = g
	}
	for _, p := range u.AttachedManagedPolicies {
		d.cur.policies[aws.ToString(p.PolicyArn)] = true
		d.attached = append(d.attached, aws.ToString(p.PolicyArn))
	}
	for _, p := range u.UserPolicyList {
		d.inline = append(d.inline, aws.ToString(p.PolicyName))
	}
	dir.users[strings.ToLower(d.name)] = d
}

// names is the users' names, keyed lower-cased.
func (dir *directory) names() map[string]string {
	out := make(map[string]string, len(dir.users))
	for k, u := range dir.users {
		out[k] = u.name
	}
	return out
}

// surveyUsers reads the account's users in bulk, or, where the caller may
// not call GetAccountAuthorizationDetails, lists their names and leaves the
// rest to one read per person — and says so once per run.
func (d *Directory) surveyUsers(ctx context.Context, s *engine.Scope, api accountAPI, a *account) error {
	dir, err := readDirectory(ctx, api, iamtypes.EntityTypeUser, iamtypes.EntityTypeGroup)
	if errors.Is(err, awsx.ErrAccessDenied) {
		d.fallback.Do(func() {
			d.log.Warn("reading users one by one (four calls per person): the caller may not call iam:GetAccountAuthorizationDetails",
				"account", s.ID, "error", err)
		})
		a.users, err = listUserNames(ctx, api)
		return err
	}
	if err != nil {
		return err
	}
	a.users, a.bulk = dir.names(), dir
	return nil
}

// attached reports whether some user of the account has policy attached
// (or as its boundary). A nil directory knows of none.
func (dir *directory) attached(policy string) bool {
	if dir == nil {
		return false
	}
	for _, u := range dir.users {
		if u.cur.policies[policy] || u.cur.boundary == policy {
			return true
		}
	}
	return false
}
