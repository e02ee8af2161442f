package iam

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// A fixture may give a user a past: when it was created, when its password was
// last set and used, when its access keys were created and last used. An audit
// of stale keys and unused passwords needs a world that is months old, which
// no API call can make.

// keyUseFixture is an access key's last_used.
type keyUseFixture struct {
	Line    int    `yaml:"-"`
	Date    string `yaml:"date"`
	Service string `yaml:"service"` // default iam
	Region  string `yaml:"region"`  // default us-east-1
}

// pastTime reads an RFC 3339 time that must not lie ahead ("" is no time).
func (l fixtureLoad) pastTime(line int, owner, field, value string) (time.Time, bool) {
	if value == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, value)
	switch {
	case err != nil:
		l.Errorf(line, "%s: %s must be an RFC 3339 time such as 2024-01-31T09:00:00Z", owner, field)
		return time.Time{}, false
	case t.After(state.Now()):
		l.Errorf(line, "%s: %s %s is in the future", owner, field, value)
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Second), true
}

// userHistory applies created, password_last_used and
// login_profile.password_last_changed. Nothing may predate the user.
func (l fixtureLoad) userHistory(u *iamstate.User, f userFixture) {
	owner := "user " + u.Name
	if t, ok := l.pastTime(f.Line, owner, "created", f.Created); ok {
		u.Created = t
	}
	if t, ok := l.pastTime(f.Line, owner, "password_last_used", f.PasswordLastUsed); ok {
		if t.Before(u.Created) {
			l.Errorf(f.Line, "%s: password_last_used %s is before the user was created", owner, f.PasswordLastUsed)
		}
		u.PasswordLastUsed = t
	}
	if p := f.LoginProfile; p != nil && u.LoginProfile != nil {
		if t, ok := l.pastTime(p.Line, owner, "login_profile.password_last_changed", p.PasswordLastChanged); ok {
			if t.Before(u.Created) {
				l.Errorf(p.Line, "%s: login_profile.password_last_changed %s is before the user was created", owner, p.PasswordLastChanged)
			}
			u.LoginProfile.Created, u.LoginProfile.PasswordSet = t, t
		}
	}
}

// keyHistory applies an access key's created and last_used.
func (l fixtureLoad) keyHistory(u *iamstate.User, k *iamstate.AccessKey, f accessKeyFixture) {
	owner := "user " + u.Name + ": access key " + k.ID
	if t, ok := l.pastTime(f.Line, owner, "created", f.Created); ok {
		if t.Before(u.Created) {
			l.Errorf(f.Line, "%s: created %s is before the user was created", owner, f.Created)
		}
		k.Created = t
	}
	use := f.LastUsed
	if use == nil {
		return
	}
	t, ok := l.pastTime(use.Line, owner, "last_used.date", use.Date)
	switch {
	case !ok && use.Date == "":
		l.Errorf(use.Line, "%s: last_used needs a date", owner)
	case ok && t.Before(k.Created):
		l.Errorf(use.Line, "%s: last_used.date %s is before the key was created", owner, use.Date)
	case ok:
		k.LastUsed, k.LastUsedService, k.LastUsedRegion = t, defaultTo(use.Service, "iam"), defaultTo(use.Region, "us-east-1")
	}
}
