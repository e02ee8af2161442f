package differential

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ListUsers / ListGroups: "MaxItems: Use this only when paginating results to
// indicate the maximum number of items you want in the response. If additional
// items exist beyond the maximum you specify, the IsTruncated response element
// is true." "Marker: … Set it to the value of the Marker element in the response
// that you received to indicate where the next call should start." MaxItems is
// 1–1000; 0 is a ValidationError.
const (
	refListUsers  = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html"
	refListGroups = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListGroups.html"
)

// page is one page of a Marker/MaxItems listing.
type page struct {
	names     []string
	truncated bool
	marker    *string
}

// lister lists one page of an IAM collection.
type lister func(r *run, marker *string, max int32) (page, error)

func listUsersPage(r *run, marker *string, max int32) (page, error) {
	out, err := r.IAM.ListUsers(r.ctx, &iam.ListUsersInput{Marker: marker, MaxItems: aws.Int32(max)})
	if err != nil {
		return page{}, err
	}
	p := page{truncated: out.IsTruncated, marker: out.Marker}
	for _, u := range out.Users {
		p.names = append(p.names, aws.ToString(u.UserName))
	}
	return p, nil
}

func listGroupsPage(r *run, marker *string, max int32) (page, error) {
	out, err := r.IAM.ListGroups(r.ctx, &iam.ListGroupsInput{Marker: marker, MaxItems: aws.Int32(max)})
	if err != nil {
		return page{}, err
	}
	p := page{truncated: out.IsTruncated, marker: out.Marker}
	for _, g := range out.Groups {
		p.names = append(p.names, aws.ToString(g.GroupName))
	}
	return p, nil
}

func TestListingsPaginateWithMaxItems(t *testing.T) {
	t.Parallel()
	requireMoto(t)
	kinds := []struct {
		action string
		ref    string
		create func(r *run, name string) error
		list   lister
	}{
		{"ListUsers", refListUsers, func(r *run, name string) error {
			_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &name})
			return err
		}, listUsersPage},
		{"ListGroups", refListGroups, func(r *run, name string) error {
			_, err := r.IAM.CreateGroup(r.ctx, &iam.CreateGroupInput{GroupName: &name})
			return err
		}, listGroupsPage},
	}
	for _, k := range kinds {
		t.Run(k.action, func(t *testing.T) {
			scenario(t, k.action+" with MaxItems and Marker", func(r *run) {
				const total, max = 5, 2
				for i := range total {
					r.must("creating entity", k.create(r, fmt.Sprintf("entity-%d", i)))
				}
				_, err := k.list(r, nil, 0)
				r.wantError(k.action+" MaxItems=0", awsDoc{
					says: "ValidationError (HTTP 400): MaxItems must be at least 1", ref: k.ref,
				}, err, "ValidationError")
				first, err := k.list(r, nil, max)
				r.must(k.action, err)
				r.gate(r.check(k.action+" MaxItems=2 over 5 entities", awsDoc{
					says: "returns at most 2, with IsTruncated true and a Marker", ref: k.ref,
				}, len(first.names) <= max && first.truncated && aws.ToString(first.marker) != "", describePage(first)))
				seen := map[string]int{}
				pages, p := 0, first
				for {
					pages++
					for _, n := range p.names {
						seen[n]++
					}
					if !p.truncated || pages > total {
						break
					}
					p, err = k.list(r, p.marker, max)
					r.must(k.action+" with the previous Marker", err)
				}
				r.check("following Marker to the end", awsDoc{
					says: "yields every entity exactly once, in pages of at most 2", ref: k.ref,
				}, len(seen) == total && allOnce(seen) && pages == (total+max-1)/max, fmt.Sprintf("%d pages, %d distinct entities", pages, len(seen)))
			})
		})
	}
}

func describePage(p page) string {
	return fmt.Sprintf("returns %d, IsTruncated %t, Marker %s", len(p.names), p.truncated, optionalString(p.marker))
}

func optionalString(s *string) string {
	if s == nil || *s == "" {
		return "absent"
	}
	return "present"
}

func allOnce(seen map[string]int) bool {
	for _, n := range seen {
		if n != 1 {
			return false
		}
	}
	return true
}
