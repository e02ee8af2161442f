package iamuser

import (
	"context"
	"errors"
	"sync"
)

// discover reads everything attached to the user. GetUser and every table
// entry's listing go out at once; a listing that needs more (inline policy
// documents, access keys' last use, SSH key bodies) asks for it as soon as it
// has its list. Without pagination that is two call latencies. A user that
// does not exist gives ErrUserNotFound.
func discover(ctx context.Context, s *session, account string) (*Record, error) {
	rec := newRecord(account, s.user)
	parts := make([]Record, len(removalTable)) // one per entry: no shared writes
	errs := make([]error, len(removalTable)+1)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = getUser(ctx, s, rec) })
	for i, d := range removalTable {
		if d.list == nil || s.unchecked[d] {
			continue
		}
		wg.Go(func() {
			err := d.list(ctx, s, &parts[i])
			if err != nil && !notFound(err) { // NoSuchEntity: none, or no user (GetUser says which)
				errs[i+1] = d.listFail(s.user, err)
			}
		})
	}
	wg.Wait()
	if errors.Is(errs[0], ErrUserNotFound) {
		return nil, errs[0]
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, p := range parts {
		merge(rec, &p)
	}
	rec.normalise()
	for _, d := range removalTable {
		if s.unchecked[d] {
			rec.NotCheckedKinds = append(rec.NotCheckedKinds, d.plural)
		}
	}
	s.user = rec.User.UserName
	return rec, nil
}

// merge copies what one entry's listing read into rec.
func merge(rec, p *Record) {
	if p.LoginProfile != nil {
		rec.LoginProfile = p.LoginProfile
	}
	rec.AccessKeys = append(rec.AccessKeys, p.AccessKeys...)
	rec.SSHPublicKeys = append(rec.SSHPublicKeys, p.SSHPublicKeys...)
	rec.SigningCertificates = append(rec.SigningCertificates, p.SigningCertificates...)
	rec.ServiceSpecificCredentials = append(rec.ServiceSpecificCredentials, p.ServiceSpecificCredentials...)
	rec.MFADevices = append(rec.MFADevices, p.MFADevices...)
	rec.Groups = append(rec.Groups, p.Groups...)
	rec.InlinePolicies = append(rec.InlinePolicies, p.InlinePolicies...)
	rec.AttachedPolicies = append(rec.AttachedPolicies, p.AttachedPolicies...)
}

// normalise makes empty lists [] rather than null in the archive, so a
// reader sees "none" rather than "not read".
func (r *Record) normalise() {
	if r.User.Tags == nil {
		r.User.Tags = []Tag{}
	}
	r.AccessKeys = nonNil(r.AccessKeys)
	r.SSHPublicKeys = nonNil(r.SSHPublicKeys)
	r.SigningCertificates = nonNil(r.SigningCertificates)
	r.ServiceSpecificCredentials = nonNil(r.ServiceSpecificCredentials)
	r.MFADevices = nonNil(r.MFADevices)
	r.Groups = nonNil(r.Groups)
	r.InlinePolicies = nonNil(r.InlinePolicies)
	r.AttachedPolicies = nonNil(r.AttachedPolicies)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
