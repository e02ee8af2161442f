package iamuser

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/engine"
)

var _ engine.Auditing = (*Directory)(nil)

// ReportWait bounds the wait for IAM to make an account's credential report
// (seconds for most accounts; AWS gives no bound).
const ReportWait = 10 * time.Minute

// Inventory reads every user of the account for an audit: the credential
// report, made by IAM at most every four hours (waiting while it is being
// made), and, in bulk, each user's tags and the policies attached to it.
// The listing says who exists now; the report, made up to four hours ago,
// what their credentials were then: a user created since has no Credentials,
// and one deleted since is not listed.
func (d *Directory) Inventory(ctx context.Context, s *engine.Scope) (engine.Inventory, error) {
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return engine.Inventory{}, err
	}
	wait, cancel := context.WithTimeoutCause(ctx, ReportWait,
		fmt.Errorf("IAM did not finish the credential report within %s; run the audit again later", ReportWait))
	defer cancel()
	rep, err := WaitForCredentialReport(wait, api)
	if err != nil {
		return engine.Inventory{}, fmt.Errorf("reading account %s: %w", s.ID, err)
	}
	dir, err := readDirectory(ctx, api, iamtypes.EntityTypeUser)
	if err != nil {
		return engine.Inventory{}, fmt.Errorf("reading account %s: %w", s.ID, err)
	}
	rows := map[string]*ReportRow{}
	for i := range rep.Rows {
		rows[strings.ToLower(rep.Rows[i].User)] = &rep.Rows[i]
	}
	inv := engine.Inventory{AsOf: rep.Generated, Users: make([]engine.InventoryUser, 0, len(dir.users))}
	for key, u := range dir.users {
		iu := engine.InventoryUser{Name: u.name, ARN: u.arn, Email: u.cur.tags[engine.TagEmail], Tags: u.cur.tags,
			Managed: u.managed, Self: d.self(s, u.id, u.name), ManagedPolicies: u.attached, InlinePolicies: u.inline}
		if row, ok := rows[key]; ok && row.ARN == u.arn && row.Created.Sub(u.created).Abs() < time.Second {
			// (a user deleted and made again since the report is not the row's)
			iu.Credentials = credentialsOf(row)
		}
		inv.Users = append(inv.Users, iu)
	}
	slices.SortFunc(inv.Users, func(a, b engine.InventoryUser) int { return strings.Compare(a.Name, b.Name) })
	return inv, nil
}

// credentialsOf is a report row as the audit reads it.
func credentialsOf(row *ReportRow) *engine.Credentials {
	c := &engine.Credentials{Password: row.PasswordEnabled, PasswordChanged: row.PasswordChanged,
		PasswordLastUsed: row.PasswordLastUsed, MFA: row.MFAActive}
	for i, k := range row.AccessKeys {
		if k.LastRotated.IsZero() { // no key in this slot
			continue
		}
		c.AccessKeys = append(c.AccessKeys, engine.AccessKeyUse{Slot: i + 1, Active: k.Active, Created: k.LastRotated, LastUsed: k.LastUsed})
	}
	return c
}
