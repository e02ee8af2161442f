package ses

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func verifyEmailIdentity(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	address := v.Required(r.Params, "EmailAddress", awsproto.Rule{})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !validEmail(address) {
		return nil, invalidParameterValue("Invalid email address<%s>.", address)
	}
	putVerified(r, address, typeEmail)
	return struct{}{}, nil
}

type verifyDomainResult struct {
	VerificationToken string
}

func verifyDomainIdentity(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	domain := v.Required(r.Params, "Domain", awsproto.Rule{})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !validDomain(domain) {
		return nil, invalidParameterValue("Invalid domain name %s.", domain)
	}
	putVerified(r, domain, typeDomain)
	return verifyDomainResult{verificationToken(r.Caller.Account, r.Region, domain)}, nil
}

type listIdentitiesResult struct {
	Identities []string `xml:"Identities>member"`
	NextToken  string   `xml:",omitempty"`
}

func listIdentities(r *awsproto.Request) (any, error) {
	typ := r.Params.Get("IdentityType")
	if typ != "" && typ != typeEmail && typ != typeDomain {
		return nil, awsproto.ValidationError("1 validation error detected: Value '%s' at 'identityType' failed to satisfy constraint: Member must satisfy enum value set: [EmailAddress, Domain]", typ)
	}
	size := defaultPageSize
	if n, ok, err := r.Params.Int("MaxItems"); err != nil {
		return nil, err
	} else if ok {
		if n < 1 || n > maxPageSize {
			return nil, invalidParameterValue("MaxItems must be between 1 and %d.", maxPageSize)
		}
		size = n
	}
	start, err := decodeToken(r.Params.Get("NextToken"), invalidParameterValue)
	if err != nil {
		return nil, err
	}
	page, next := pageIdentities(identitiesIn(r), start, size, func(id *identity) bool {
		return typ == "" || id.Type == typ
	})
	out := listIdentitiesResult{Identities: make([]string, len(page)), NextToken: next}
	for i, id := range page {
		out.Identities[i] = id.Identity
	}
	return out, nil
}

// pageIdentities lists identities in key order from start, keeping those that
// pass keep; next is the token of the following page ("" on the last one).
func pageIdentities(ids map[string]*identity, start string, size int, keep func(*identity) bool) (page []*identity, next string) {
	keys := make([]string, 0, len(ids))
	for k := range ids {
		if k >= start && keep(ids[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > size {
		next = base64.RawURLEncoding.EncodeToString([]byte(keys[size]))
		keys = keys[:size]
	}
	for _, k := range keys {
		page = append(page, ids[k])
	}
	return page, next
}

// decodeToken reads an opaque NextToken (base64 of the next key).
func decodeToken(token string, invalid func(string, ...any) error) (string, error) {
	if token == "" {
		return "", nil
	}
	key, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", invalid("Invalid NextToken: %s", token)
	}
	return string(key), nil
}

type verificationEntry struct {
	Key   string `xml:"key"`
	Value struct {
		VerificationStatus string
		VerificationToken  string `xml:",omitempty"`
	} `xml:"value"`
}

type verificationAttributesResult struct {
	Entries []verificationEntry `xml:"VerificationAttributes>entry"`
}

func getIdentityVerificationAttributes(r *awsproto.Request) (any, error) {
	names := r.Params.List("Identities")
	if len(names) == 0 && !r.Params.Has("Identities") { // an empty list is sent as "Identities="
		return nil, awsproto.ValidationError("1 validation error detected: Value null at 'identities' failed to satisfy constraint: Member must not be null")
	}
	if len(names) > 100 {
		return nil, invalidParameterValue("Too many identities: at most 100 may be requested at once.")
	}
	ids := identitiesIn(r)
	out := verificationAttributesResult{Entries: []verificationEntry{}}
	for _, name := range names {
		id, ok := ids[strings.ToLower(name)]
		if !ok {
			continue // AWS leaves unknown identities out of the map
		}
		var e verificationEntry
		e.Key = name
		e.Value.VerificationStatus = "Pending"
		if id.Verified {
			e.Value.VerificationStatus = "Success"
		}
		if id.Type == typeDomain {
			e.Value.VerificationToken = verificationToken(r.Caller.Account, r.Region, id.Identity)
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

// deleteIdentity is idempotent, as AWS's is: deleting an unknown identity succeeds.
func deleteIdentity(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "Identity", awsproto.Rule{})
	if err := v.Err(); err != nil {
		return nil, err
	}
	delete(identitiesFor(r), strings.ToLower(name))
	return struct{}{}, nil
}
