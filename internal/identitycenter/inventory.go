package identitycenter

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/gatehouse/gatehouse/internal/engine"
)

var _ engine.Auditing = (*Directory)(nil)

// Inventory lists the identity store's users for an audit. Identity Center
// keeps no password or key an audit could judge, and lets no client mark
// its users: what an audit finds here is whom the spec does not list and
// whom the journal does not know.
func (d *Directory) Inventory(ctx context.Context, s *engine.Scope) (engine.Inventory, error) {
	if err := d.clients(); err != nil {
		return engine.Inventory{}, err
	}
	var inv engine.Inventory
	err := d.eachUser(ctx, facts(s), func(u idtypes.User) {
		iu := engine.InventoryUser{Name: aws.ToString(u.UserName), Email: primaryEmail(u)}
		if u.Name != nil {
			iu.GivenName, iu.FamilyName = aws.ToString(u.Name.GivenName), aws.ToString(u.Name.FamilyName)
		}
		inv.Users = append(inv.Users, iu)
	})
	slices.SortFunc(inv.Users, func(a, b engine.InventoryUser) int { return strings.Compare(a.Name, b.Name) })
	return inv, err
}
