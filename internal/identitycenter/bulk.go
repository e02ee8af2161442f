package identitycenter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// Reading people one at a time (planning an onboarding, discovering users
// to offboard) costs one request each for a person who is
// not there (GetUserId) and three for one who is (GetUserId, DescribeUser,
// ListGroupMembershipsForMember), all of them against the instance's 20
// requests a second. The survey reads the store's users and the groups'
// memberships in pages of 100 instead when that costs fewer requests than
// the cheapest per-person reading could (one a person) — a rerun of 200
// people then costs a handful of requests, not 600 — and gives up as soon
// as it would not, falling back to reading each person.

// bulkMinPeople is the fewest people worth trying a bulk read for.
const bulkMinPeople = 10

// bulkPage is the largest page ListUsers and ListGroupMemberships give.
const bulkPage = 100

// prefetched is what the survey read of one person, used once: the plan's
// Read takes it, and a later Read of the same user (after CreateUser found
// it there, say) asks the store afresh.
type prefetched struct {
	found bool
	cur   current
}

// Prefetch reads in bulk the users offboarding is about to discover
// (engine.Prefetcher), when that is cheaper; where it fails, Discover reads
// each user and meets the failure there.
func (d *Directory) Prefetch(ctx context.Context, s *engine.Scope, names []string) {
	st := facts(s)
	if len(names) >= bulkMinPeople && (d.clients() != nil || d.readNames(ctx, st) != nil) {
		names = nil // Discover meets the failure, person by person
	}
	_ = d.readBulk(ctx, st, names) // with too few names, it only forgets an earlier plan's reading
}

// readBulk reads the users and memberships of the store for the users
// called names, in pages, unless that would take more requests than there
// are names; it leaves st.prefetched empty then.
func (d *Directory) readBulk(ctx context.Context, st *store, names []string) error {
	st.mu.Lock()
	st.prefetched = nil // what an earlier plan read and did not use is stale
	st.mu.Unlock()
	budget := len(names)
	if budget < bulkMinPeople {
		return nil
	}
	st.mu.Lock()
	groups := len(st.groupNames)
	st.mu.Unlock()
	if 1+groups > budget {
		return nil // a page of users and one of each group's members already cost more
	}
	users, used, err := d.listUsers(ctx, st, budget-groups)
	if err != nil || used < 0 {
		return d.bulkFailed(ctx, err)
	}
	members, err := d.listMemberships(ctx, st, budget-used)
	if err != nil || members == nil {
		return d.bulkFailed(ctx, err)
	}
	byName := make(map[string]current, len(users))
	for _, cur := range users {
		cur.memberships = append([]Membership{}, members[cur.id]...) // [] not null in an archive, as memberships gives
		for _, m := range cur.memberships {
			cur.groups[m.GroupID] = true
		}
		byName[strings.ToLower(cur.userName)] = cur.current
	}
	pre := make(map[string]prefetched, len(names))
	for _, name := range names {
		key := strings.ToLower(name)
		cur, ok := byName[key]
		if ok {
			st.learn(name, cur.id)
		}
		pre[key] = prefetched{found: ok, cur: cur}
	}
	st.mu.Lock()
	st.prefetched = pre
	st.mu.Unlock()
	return nil
}

// bulkFailed makes a failed bulk read a fallback to reading each person,
// said once per directory: the bulk read only saves requests, and a caller
// whose policy predates it (no identitystore:ListGroupMemberships) or a
// backend that lacks an action can still read people one by one. Only a
// cancelled run stops here.
func (d *Directory) bulkFailed(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	d.bulkWarning.Do(func() {
		d.opts.Logger.Warn("reading Identity Center users one by one (up to three requests a person): the bulk read failed; "+
			"gatehouse policy --for identity-center lists what it needs", "error", err)
	})
	return nil
}

// listed is a user ListUsers returned, with its name.
type listed struct {
	current
	userName string
}

// listUsers lists every user of the store and says how many requests that
// took, or gives up (used -1, no error) once it has made budget requests.
func (d *Directory) listUsers(ctx context.Context, st *store, budget int) ([]listed, int, error) {
	var out []listed
	pages := identitystore.NewListUsersPaginator(d.idstore, &identitystore.ListUsersInput{
		IdentityStoreId: aws.String(st.id), MaxResults: aws.Int32(bulkPage)})
	used := 0
	for pages.HasMorePages() {
		if used >= budget {
			return nil, -1, nil
		}
		page, err := pages.NextPage(ctx)
		used++
		if err != nil {
			return nil, -1, fmt.Errorf("listing the users of identity store %s: %w", st.id, awsx.Classify(err))
		}
		for _, u := range page.Users {
			out = append(out, listed{
				current:  profile(aws.ToString(u.UserId), aws.ToString(u.DisplayName), aws.ToTime(u.CreatedAt), u.Name, u.Emails),
				userName: aws.ToString(u.UserName),
			})
		}
	}
	return out, used, nil
}

// listMemberships lists every group's members, by user ID, or gives up (nil,
// no error) once it has made budget requests.
func (d *Directory) listMemberships(ctx context.Context, st *store, budget int) (map[string][]Membership, error) {
	st.mu.Lock()
	ids := make([]string, 0, len(st.groupNames))
	for id := range st.groupNames {
		ids = append(ids, id)
	}
	st.mu.Unlock()
	slices.Sort(ids)
	out := map[string][]Membership{}
	used := 0
	for _, gid := range ids {
		pages := identitystore.NewListGroupMembershipsPaginator(d.idstore, &identitystore.ListGroupMembershipsInput{
			IdentityStoreId: aws.String(st.id), GroupId: aws.String(gid), MaxResults: aws.Int32(bulkPage)})
		for pages.HasMorePages() {
			if used >= budget {
				return nil, nil
			}
			page, err := pages.NextPage(ctx)
			used++
			if err != nil {
				return nil, fmt.Errorf("listing the members of group %s: %w", gid, awsx.Classify(err))
			}
			for _, m := range page.GroupMemberships {
				u, ok := m.MemberId.(*idtypes.MemberIdMemberUserId)
				if !ok {
					continue
				}
				out[u.Value] = append(out[u.Value], Membership{GroupID: gid, DisplayName: st.groupName(gid), MembershipID: aws.ToString(m.MembershipId)})
			}
		}
	}
	return out, nil
}

// takePrefetched returns, once, what the survey read of the user called
// name; false when it read nothing of use — nothing, or a listed user
// without its creation time, which is what tells a user created just
// before a kill (owned), so it is described afresh.
func (st *store) takePrefetched(name string) (prefetched, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := strings.ToLower(name)
	p, ok := st.prefetched[key]
	delete(st.prefetched, key)
	return p, ok && (!p.found || !p.cur.created.IsZero())
}

// profile is a user's names, e-mail and creation time as the store gives
// them (DescribeUser and ListUsers alike), without memberships.
func profile(id, displayName string, created time.Time, name *idtypes.Name, emails []idtypes.Email) current {
	cur := current{id: id, groups: map[string]bool{}, displayName: displayName, created: created}
	if name != nil {
		cur.given, cur.family = aws.ToString(name.GivenName), aws.ToString(name.FamilyName)
	}
	for _, e := range emails {
		if cur.email == "" || e.Primary {
			cur.email = aws.ToString(e.Value)
		}
	}
	return cur
}
