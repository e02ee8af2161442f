package idcstate

import (
	"strings"
	"time"
)

// Store is an instance's identity store: users, groups and memberships by
// ID, and the indexes that keep user names, e-mail addresses, group display
// names and external IDs unique, case-insensitively.
type Store struct {
	Users       map[string]*User       `json:"users"`
	Groups      map[string]*Group      `json:"groups"`
	Memberships map[string]*Membership `json:"memberships"`

	// Indexes, rebuilt from the maps by fill: lower-cased key → ID.
	userNames, emails, groupNames, externals map[string]string
	pairs                                    map[string]string // group ID + "/" + user ID → membership ID
}

// Stamps say who made and last changed a user, group or membership, and
// when: the API's CreatedAt, CreatedBy, UpdatedAt and UpdatedBy.
type Stamps struct {
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updated_by"`
}

// NewStamps are the stamps of something made at t by whom (an ARN).
func NewStamps(t time.Time, by string) Stamps { return Stamps{t, by, t, by} }

// Touch records a change made at t by whom.
func (s *Stamps) Touch(t time.Time, by string) { s.Updated, s.UpdatedBy = t, by }

// User is an identity store user.
type User struct {
	ID          string       `json:"id"`
	Profile     Profile      `json:"profile"`
	ExternalIDs []ExternalID `json:"external_ids,omitempty"`
	Stamps
}

// Group is an identity store group.
type Group struct {
	ID          string       `json:"id"`
	DisplayName string       `json:"display_name"`
	Description string       `json:"description,omitempty"`
	ExternalIDs []ExternalID `json:"external_ids,omitempty"`
	Stamps
}

// Membership makes a user a member of a group.
type Membership struct {
	ID      string `json:"id"`
	GroupID string `json:"group_id"`
	UserID  string `json:"user_id"`
	Stamps
}

// Conflict is a uniqueness rule a change would break: What names the
// attribute ("UserName", "emails.value", "DisplayName", "ExternalId",
// "membership").
type Conflict struct{ What string }

func (c *Conflict) Error() string { return "duplicate " + c.What }

func (s *Store) fill() {
	if s.Users == nil {
		s.Users = map[string]*User{}
	}
	if s.Groups == nil {
		s.Groups = map[string]*Group{}
	}
	if s.Memberships == nil {
		s.Memberships = map[string]*Membership{}
	}
	s.userNames, s.emails, s.groupNames = map[string]string{}, map[string]string{}, map[string]string{}
	s.externals, s.pairs = map[string]string{}, map[string]string{}
	for _, u := range s.Users {
		s.indexUser(u)
	}
	for _, g := range s.Groups {
		s.groupNames[key(g.DisplayName)] = g.ID
		s.indexExternals("g", g.ID, g.ExternalIDs)
	}
	for _, m := range s.Memberships {
		s.pairs[m.GroupID+"/"+m.UserID] = m.ID
	}
}

func key(s string) string { return strings.ToLower(s) }

func externalKey(kind string, e ExternalID) string { return kind + "|" + e.Issuer + "|" + e.ID }

func (s *Store) indexUser(u *User) {
	s.userNames[key(u.Profile.UserName)] = u.ID
	for _, e := range u.Profile.Emails {
		s.emails[key(e.Value)] = u.ID
	}
	s.indexExternals("u", u.ID, u.ExternalIDs)
}

func (s *Store) unindexUser(u *User) {
	delete(s.userNames, key(u.Profile.UserName))
	for _, e := range u.Profile.Emails {
		delete(s.emails, key(e.Value))
	}
	for _, e := range u.ExternalIDs {
		delete(s.externals, externalKey("u", e))
	}
}

func (s *Store) indexExternals(kind, id string, ids []ExternalID) {
	for _, e := range ids {
		s.externals[externalKey(kind, e)] = id
	}
}

// userConflict says which unique attribute of u another user (not u.ID)
// already has, nil when none.
func (s *Store) userConflict(u *User) error {
	if id, ok := s.userNames[key(u.Profile.UserName)]; ok && id != u.ID {
		return &Conflict{"UserName"}
	}
	for _, e := range u.Profile.Emails {
		if id, ok := s.emails[key(e.Value)]; ok && id != u.ID {
			return &Conflict{"emails.value"}
		}
	}
	for _, e := range u.ExternalIDs {
		if id, ok := s.externals[externalKey("u", e)]; ok && id != u.ID {
			return &Conflict{"ExternalId"}
		}
	}
	return nil
}

// NewUserID returns a user, group or membership ID as the store makes them:
// the store ID's ten characters, a dash and a UUID.
func (in *Instance) NewUserID() string {
	return strings.TrimPrefix(in.IdentityStoreID, "d-") + "-" + NewUUID()
}

// AddUser adds u (its ID already set) unless another user holds its user
// name, e-mail address or an external ID (*Conflict).
func (s *Store) AddUser(u *User) error {
	if err := s.userConflict(u); err != nil {
		return err
	}
	s.Users[u.ID] = u
	s.indexUser(u)
	return nil
}

// ReplaceUser swaps a user's stored state for changed, which has its ID,
// unless that breaks a uniqueness rule (*Conflict).
func (s *Store) ReplaceUser(changed *User) error {
	if err := s.userConflict(changed); err != nil {
		return err
	}
	s.unindexUser(s.Users[changed.ID])
	s.Users[changed.ID] = changed
	s.indexUser(changed)
	return nil
}

// DeleteUser removes a user and its memberships, as identitystore does.
// Account assignments that name the user stay (see Instance.Assignments).
func (s *Store) DeleteUser(id string) {
	u, ok := s.Users[id]
	if !ok {
		return
	}
	s.unindexUser(u)
	delete(s.Users, id)
	for _, m := range s.Memberships {
		if m.UserID == id {
			s.DeleteMembership(m.ID)
		}
	}
}

// UserByName returns the user with a user name, case-insensitively.
func (s *Store) UserByName(name string) (*User, bool) { return s.lookup(s.userNames, name) }

// UserByEmail returns the user with an e-mail address, case-insensitively.
func (s *Store) UserByEmail(email string) (*User, bool) { return s.lookup(s.emails, email) }

// UserByExternalID returns the user an external identity provider knows by e.
func (s *Store) UserByExternalID(e ExternalID) (*User, bool) {
	id, ok := s.externals[externalKey("u", e)]
	return s.Users[id], ok
}

func (s *Store) lookup(index map[string]string, k string) (*User, bool) {
	id, ok := index[key(k)]
	return s.Users[id], ok
}

// AddGroup adds g unless another group has its display name or an external
// ID (*Conflict).
func (s *Store) AddGroup(g *Group) error {
	if err := s.groupConflict(g); err != nil {
		return err
	}
	s.Groups[g.ID] = g
	s.groupNames[key(g.DisplayName)] = g.ID
	s.indexExternals("g", g.ID, g.ExternalIDs)
	return nil
}

func (s *Store) groupConflict(g *Group) error {
	if id, ok := s.groupNames[key(g.DisplayName)]; ok && id != g.ID {
		return &Conflict{"DisplayName"}
	}
	for _, e := range g.ExternalIDs {
		if id, ok := s.externals[externalKey("g", e)]; ok && id != g.ID {
			return &Conflict{"ExternalId"}
		}
	}
	return nil
}

// RenameGroup gives a group another display name unless a group has it.
func (s *Store) RenameGroup(g *Group, name string) error {
	if id, ok := s.groupNames[key(name)]; ok && id != g.ID {
		return &Conflict{"DisplayName"}
	}
	delete(s.groupNames, key(g.DisplayName))
	g.DisplayName = name
	s.groupNames[key(name)] = g.ID
	return nil
}

// DeleteGroup removes a group and its memberships.
func (s *Store) DeleteGroup(id string) {
	g, ok := s.Groups[id]
	if !ok {
		return
	}
	delete(s.groupNames, key(g.DisplayName))
	for _, e := range g.ExternalIDs {
		delete(s.externals, externalKey("g", e))
	}
	delete(s.Groups, id)
	for _, m := range s.Memberships {
		if m.GroupID == id {
			s.DeleteMembership(m.ID)
		}
	}
}

// GroupByName returns the group with a display name, case-insensitively.
func (s *Store) GroupByName(name string) (*Group, bool) {
	id, ok := s.groupNames[key(name)]
	return s.Groups[id], ok
}

// GroupByExternalID returns the group an external identity provider knows by e.
func (s *Store) GroupByExternalID(e ExternalID) (*Group, bool) {
	id, ok := s.externals[externalKey("g", e)]
	return s.Groups[id], ok
}

// AddMembership adds m unless its user already is in its group (*Conflict).
func (s *Store) AddMembership(m *Membership) error {
	pair := m.GroupID + "/" + m.UserID
	if _, ok := s.pairs[pair]; ok {
		return &Conflict{"membership"}
	}
	s.Memberships[m.ID] = m
	s.pairs[pair] = m.ID
	return nil
}

// MembershipOf returns the membership of a user in a group.
func (s *Store) MembershipOf(groupID, userID string) (*Membership, bool) {
	id, ok := s.pairs[groupID+"/"+userID]
	return s.Memberships[id], ok
}

// DeleteMembership removes a membership.
func (s *Store) DeleteMembership(id string) {
	if m, ok := s.Memberships[id]; ok {
		delete(s.pairs, m.GroupID+"/"+m.UserID)
		delete(s.Memberships, id)
	}
}
