package iamuser

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// listAPI is what listing an account's users with their tags calls.
type listAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

var _ listAPI = (*iam.Client)(nil)

// List reads every user of the account with its tags: one page per thousand
// users (ListUsers has no tags, and ListUserTags would be a call per user).
func (d *Directory) List(ctx context.Context, s *engine.Scope) ([]engine.Listed, error) {
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	var out []engine.Listed
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeUser}, MaxItems: ptr(int32(1000)),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IAM users with their tags: %w", awsx.Classify(err))
		}
		for _, u := range page.UserDetailList {
			l := engine.Listed{Name: deref(u.UserName), Tags: map[string]string{}}
			for _, t := range u.Tags {
				l.Tags[deref(t.Key)] = deref(t.Value)
			}
			l.Email = l.Tags[engine.TagEmail]
			out = append(out, l)
		}
	}
	return out, nil
}

// Discover reads the user and everything attached to it; see discover.
// The tags say whether gatehouse manages the user; known is not needed.
func (d *Directory) Discover(ctx context.Context, s *engine.Scope, name string, _ engine.Known) (engine.Record, error) {
	sess, err := d.session(ctx, s.ID, name)
	if err != nil {
		return nil, err
	}
	rec, err := discover(ctx, sess, s.ID)
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Leftovers adds the virtual MFA devices earlier archives of the user list
// that are no longer the user's and still exist, unassigned: an earlier
// removal deactivated them and was interrupted before deleting them (IAM no
// longer lists them under the user).
func (d *Directory) Leftovers(ctx context.Context, s *engine.Scope, name string, rec engine.Record, archives []journal.ArchiveRecord) (engine.Record, error) {
	r, _ := rec.(*Record)
	current := map[string]bool{}
	if r != nil {
		for _, dev := range r.MFADevices {
			current[dev.SerialNumber] = true
		}
	}
	var candidates []string
	for _, a := range archives {
		old, err := decodeRecord(a.Record)
		if err != nil {
			return nil, fmt.Errorf("reading archive %d of IAM user (%s) in account %s: %w", a.ID, name, s.ID, err)
		}
		for _, dev := range old.MFADevices {
			if dev.Type == MFAVirtual && !current[dev.SerialNumber] {
				current[dev.SerialNumber] = true
				candidates = append(candidates, dev.SerialNumber)
			}
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	unassigned, err := unassignedVirtualMFA(ctx, api)
	if err != nil {
		return nil, err
	}
	var found []MFADevice
	for _, serial := range candidates {
		if unassigned[serial] {
			found = append(found, MFADevice{SerialNumber: serial, Type: MFAVirtual})
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	if r == nil {
		r = newRecord(s.ID, name)
		r.normalise()
		r.absent = true
	}
	r.MFADevices = append(r.MFADevices, found...)
	return r, nil
}

// Self refuses the IAM user gatehouse's credentials belong to: the same
// user ID, or the user the caller's ARN names. A caller that assumed a role
// is that role, which offboarding never deletes.
func (d *Directory) Self(s *engine.Scope, rec engine.Record) string {
	if rec == nil {
		return ""
	}
	if why := d.self(s, rec.UserID(), rec.UserName()); why != "" {
		return "refused: " + why
	}
	return ""
}

// self says why the user with this ID and name in s is the identity
// gatehouse runs as, or "".
func (d *Directory) self(s *engine.Scope, userID, name string) string {
	caller, err := d.aws.Caller(context.Background()) // read once during planning; cached
	if err != nil {
		return ""
	}
	if caller.UserID != "" && caller.UserID == userID {
		return "it is the identity gatehouse runs as (" + caller.ARN + ")"
	}
	account, callerName, ok := callerUser(caller.ARN)
	if ok && account == s.ID && strings.EqualFold(callerName, name) {
		return "it is the identity gatehouse runs as (" + caller.ARN + ")"
	}
	return ""
}

// callerUser returns the account and user name of an IAM user's ARN.
func callerUser(arn string) (account, name string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || !strings.HasPrefix(f[5], "user/") {
		return "", "", false
	}
	return f[4], f[5][strings.LastIndexByte(f[5], '/')+1:], true
}

// Remove removes everything attached to the user, then the user, and checks
// it is gone; for a user already gone, what an earlier removal left.
func (d *Directory) Remove(ctx context.Context, s *engine.Scope, rec engine.Record, tell engine.Tell) error {
	r := rec.(*Record)
	sess, err := d.session(ctx, s.ID, r.User.UserName)
	if err != nil {
		return err
	}
	if r.absent {
		if n, _ := removeDependencies(ctx, sess, r, tell); n > 0 {
			return fmt.Errorf("%d left of an earlier removal", n)
		}
		return nil
	}
	return removeUser(ctx, sess, r, tell)
}

// Suspension is what suspending the user changes: the login profile
// (deleted) and the Active credentials of the kinds that can be deactivated.
func (d *Directory) Suspension(rec engine.Record) (bool, []journal.SuspendedItem) {
	plan := suspensionOf(rec.(*Record))
	return plan.login, plan.items()
}

// Suspend deletes the login profile and deactivates the credentials, all at
// once, then tags the user as suspended at now (unless it is already).
func (d *Directory) Suspend(ctx context.Context, s *engine.Scope, rec engine.Record, now time.Time, tell engine.Tell) error {
	r := rec.(*Record)
	sess, err := d.session(ctx, s.ID, r.User.UserName)
	if err != nil {
		return err
	}
	return suspendUser(ctx, sess, r, suspensionOf(r), now, tell)
}

// Reinstate reactivates exactly what the suspension deactivated and removes
// the suspended tag.
func (d *Directory) Reinstate(ctx context.Context, s *engine.Scope, rec engine.Record, susp journal.Suspension, tell engine.Tell) error {
	sess, err := d.session(ctx, s.ID, rec.UserName())
	if err != nil {
		return err
	}
	return reinstateUser(ctx, sess, &susp, tell)
}
