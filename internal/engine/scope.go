package engine

// Scope is where a directory keeps users: an AWS account for IAM users, an
// identity store for IAM Identity Center. Requests to a scope share one rate
// limit; the journal keys people by scope ID and user name (account IDs are
// twelve digits and identity store IDs start with "d-", so the two never
// meet).
type Scope struct {
	ID        string // account ID, identity store ID
	Noun      string // how messages name the kind: "account", "identity store"
	UserNoun  string // how messages name its users: "IAM user", "Identity Center user"
	Name      string // the organisation's name for it, when known
	Alias     string // the account alias, when there is one
	SignInURL string // where people sign in: the account's console URL, the access portal
	// Policy sums up in one line what the scope demands of a credential
	// (an account's password policy); "" when the directory sets none.
	Policy string
	// Facts is what the directory read of the scope for its own use (the
	// password policy, who exists there).
	Facts any
}

// Label names the scope in messages: "222222222222 (example-prod)".
func (s *Scope) Label() string {
	switch {
	case s.Alias != "":
		return s.ID + " (" + s.Alias + ")"
	case s.Name != "":
		return s.ID + " (" + s.Name + ")"
	}
	return s.ID
}

// UserState is what a directory found of a person's user in a scope.
type UserState string

// User states.
const (
	UserAbsent  UserState = "absent"  // no such user
	UserManaged UserState = "managed" // created (or adopted) by gatehouse
	UserForeign UserState = "foreign" // exists, not created by gatehouse
)
