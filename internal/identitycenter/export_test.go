package identitycenter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// FactsOf renders what Read found of a user — its state, names, e-mail and
// memberships (sorted) — for tests to compare two readings.
func FactsOf(u engine.User) string {
	cur, _ := u.Facts.(current)
	var ms []string
	for _, m := range cur.memberships {
		ms = append(ms, m.DisplayName+"="+m.GroupID+"/"+m.MembershipID)
	}
	slices.Sort(ms)
	return fmt.Sprintf("%s %v id=%s display=%q given=%q family=%q email=%q created=%v groups=%d [%s]",
		u.Name, u.State, cur.id, cur.displayName, cur.given, cur.family, cur.email, !cur.created.IsZero(), len(cur.groups), strings.Join(ms, " "))
}
