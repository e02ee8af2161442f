package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
	memberships                       []Membership    // with their IDs, for removal
	created                           time.Time       // zero when the store does not say
}

// Read reads the user called name: absent when the identity store has none;
// else its names, e-mail and group memberships. Whether gatehouse manages it
// is the journal's word (see owned): Identity Center lets no client mark a
// user. There is no password: the welcome is the user's credential, which it
// has once the journal says one was delivered.
func (d *Directory) Read(ctx context.Context, s *engine.Scope, name string, known engine.Known) (engine.User, error) {
	cur, err := d.readUser(ctx, facts(s), name)
	if errors.Is(err, engine.ErrUserNotFound) {
		return engine.User{Name: name, State: engine.UserAbsent, Facts: current{groups: map[string]bool{}}}, nil
	}
	if err != nil {
		return engine.User{}, err
	}
	u := engine.User{Name: name, State: engine.UserForeign, HasCredential: !known.Delivered.IsZero(), Facts: cur}
	if owned(known, cur.created) {
		u.State = engine.UserManaged
	}
	return u, nil
}

// readUser reads the user called name with its memberships (Read and
// Discover): from what the survey or Prefetch read, else from the store;
// engine.ErrUserNotFound when there is none.
func (d *Directory) readUser(ctx context.Context, st *store, name string) (current, error) {
	if pre, ok := st.takePrefetched(name); ok {
		if !pre.found {
			return current{}, engine.ErrUserNotFound
		}
		return pre.cur, nil
	}
	id, err := d.userID(ctx, st, name)
	if err != nil {
		return current{}, err
	}
	cur, err := d.describe(ctx, st, id)
	if errors.Is(awsx.Classify(err), awsx.ErrNotFound) {
		return current{}, engine.ErrUserNotFound
	}
	return cur, err
}

// clockSkew is how far the identity store's clock may be behind gatehouse's
// when it stamps a user gatehouse created just after journaling the intent.
const clockSkew = 5 * time.Second

// owned says whether gatehouse manages the user, on the journal's word:
// it recorded the user as its own, or it journaled the intent to create
// the user (known.Creating) in a run that ended before recording the
// creation, and the user was created since — a user older than the intent
// was someone else's, found when CreateUser answered that the name is
// taken. A store that gives no creation time is taken at the journal's word.
func owned(known engine.Known, created time.Time) bool {
	switch {
	case known.Managed:
		return true
	case known.Creating.IsZero():
		return false
	case created.IsZero():
		return true
	}
	return !created.Before(known.Creating.Add(-clockSkew))
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

// describe reads a user's names, e-mail and memberships (one listing serves
// the diff and removal).
func (d *Directory) describe(ctx context.Context, st *store, id string) (current, error) {
	out, err := d.idstore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(st.id), UserId: aws.String(id)})
	if err != nil {
		return current{id: id, groups: map[string]bool{}}, fmt.Errorf("describing Identity Center user (%s): %w", id, awsx.Classify(err))
	}
	cur := profile(id, aws.ToString(out.DisplayName), aws.ToTime(out.CreatedAt), out.Name, out.Emails)
	if cur.memberships, err = d.memberships(ctx, st, id); err != nil {
		return cur, err
	}
	for _, m := range cur.memberships {
		cur.groups[m.GroupID] = true
	}
	return cur, nil
}

// document wraps a value as the Document the Identity Store API takes.
func document(v any) iddoc.Interface { return iddoc.NewLazyDocument(v) }
