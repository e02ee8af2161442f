package ses

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"net/mail"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Identity types as state records them (SES v1's names).
const (
	typeEmail  = "EmailAddress"
	typeDomain = "Domain"
)

var domainName = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

// identitiesIn returns the account's identities in the request's region for
// reading (nil when there are none).
func identitiesIn(r *awsproto.Request) map[string]*identity {
	return slot.Of(r.World.LookupAccount(r.Caller.Account)).Identities[r.Region]
}

// identitiesFor returns the identities of the region for writing, creating the map.
func identitiesFor(r *awsproto.Request) map[string]*identity {
	a := slot.Of(r.Account())
	ids, ok := a.Identities[r.Region]
	if !ok {
		ids = map[string]*identity{}
		a.Identities[r.Region] = ids
	}
	return ids
}

// putVerified records an identity as verified (idempotently) and returns it.
func putVerified(r *awsproto.Request, name, typ string) *identity {
	ids := identitiesFor(r)
	id, ok := ids[strings.ToLower(name)]
	if !ok {
		id = &identity{Identity: name, Type: typ, Created: state.Now()}
		ids[strings.ToLower(name)] = id
	}
	id.Verified = true
	return id
}

// validEmail reports whether s is a bare e-mail address (no display name).
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && validDomain(s[strings.LastIndexByte(s, '@')+1:])
}

func validDomain(s string) bool { return len(s) <= 253 && domainName.MatchString(s) }

// senderVerified reports whether address may send: the address itself, its
// domain or a parent domain is a verified identity of the account in the region.
func senderVerified(ids map[string]*identity, address string) bool {
	addr := strings.ToLower(address)
	if id, ok := ids[addr]; ok && id.Verified {
		return true
	}
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	for domain != "" {
		if id, ok := ids[domain]; ok && id.Verified && id.Type == typeDomain {
			return true
		}
		_, domain, _ = strings.Cut(domain, ".")
	}
	return false
}

// verificationToken is the TXT record value a domain would publish. It is
// derived rather than stored, so it stays the same for the identity's life.
func verificationToken(account, region, domain string) string {
	sum := sha256.Sum256([]byte("verify/" + account + "/" + region + "/" + strings.ToLower(domain)))
	return base64.StdEncoding.EncodeToString(sum[:])[:44]
}

// dkimTokens are the three Easy DKIM CNAME tokens of a domain, derived likewise.
func dkimTokens(account, region, domain string) []string {
	tokens := make([]string, 3)
	for i := range tokens {
		sum := sha256.Sum256([]byte{byte(i)})
		sum = sha256.Sum256(append(sum[:], "dkim/"+account+"/"+region+"/"+strings.ToLower(domain)...))
		tokens[i] = strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:32]
	}
	return tokens
}
