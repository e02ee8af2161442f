package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// current is what an Identity Center user has now (engine.User.Facts).
type current struct {
	id                                string
	displayName, given, family, email string
	groups                            map[string]bool // group IDs
}

// Read reads the user called name: absent when the identity store has none;
// else its names, e-mail and group memberships. Whether gatehouse manages it
// is the journal's word (known.Managed): Identity Center lets no client mark
// a user. There is no password: a user that exists has what the welcome gives.
func (d *Directory) Read(ctx context.Context, s *engine.Scope, name string, known engine.Known) (engine.User, error) {
	st := facts(s)
	id, err := d.userID(ctx, st, name)
	if errors.Is(err, engine.ErrUserNotFound) {
		return engine.User{Name: name, State: engine.UserAbsent, Facts: current{groups: map[string]bool{}}}, nil
	}
	if err != nil {
		return engine.User{}, err
	}
	cur, err := d.describe(ctx, st, id)
	if err != nil {
		return engine.User{}, err
	}
	u := engine.User{Name: name, State: engine.UserForeign, HasCredential: true, Facts: cur}
	if known.Managed {
		u.State = engine.UserManaged
	}
	return u, nil
}

// userID finds the user's ID by user name (GetUserId), remembering it.
func (d *Directory) userID(ctx context.Context, st *store, name string) (string, error) {
	key := strings.ToLower(name)
	st.mu.Lock()
	id, ok := st.userIDs[key]
	st.mu.Unlock()
	if ok {
		return id, nil
	}
	out, err := d.idstore.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(st.id),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document(name)}}})
	if err = awsx.Classify(err); errors.Is(err, awsx.ErrNotFound) {
		return "", fmt.Errorf("finding Identity Center user (%s): %w", name, engine.ErrUserNotFound)
	} else if err != nil {
		return "", fmt.Errorf("finding Identity Center user (%s): %w", name, err)
	}
	st.learn(name, aws.ToString(out.UserId))
	return aws.ToString(out.UserId), nil
}

func (st *store) learn(name, id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.userIDs == nil {
		st.userIDs = map[string]string{}
	}
	st.userIDs[strings.ToLower(name)] = id
}

func (st *store) forget(name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.userIDs, strings.ToLower(name))
}

// describe reads a user's names, e-mail and memberships.
func (d *Directory) describe(ctx context.Context, st *store, id string) (current, error) {
	cur := current{id: id, groups: map[string]bool{}}
	out, err := d.idstore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(st.id), UserId: aws.String(id)})
	if err != nil {
		return cur, fmt.Errorf("describing Identity Center user (%s): %w", id, awsx.Classify(err))
	}
	cur.displayName = aws.ToString(out.DisplayName)
	if out.Name != nil {
		cur.given, cur.family = aws.ToString(out.Name.GivenName), aws.ToString(out.Name.FamilyName)
	}
	for _, e := range out.Emails {
		if cur.email == "" || e.Primary {
			cur.email = aws.ToString(e.Value)
		}
	}
	pages := identitystore.NewListGroupMembershipsForMemberPaginator(d.idstore, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: aws.String(st.id), MemberId: &idtypes.MemberIdMemberUserId{Value: id}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return cur, fmt.Errorf("listing the groups of Identity Center user (%s): %w", id, awsx.Classify(err))
		}
		for _, m := range page.GroupMemberships {
			cur.groups[aws.ToString(m.GroupId)] = true
		}
	}
	return cur, nil
}

// document wraps a value as the Document the Identity Store API takes.
func document(v any) iddoc.Interface { return iddoc.NewLazyDocument(v) }
