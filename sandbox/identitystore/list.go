package identitystore

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// What ListUsers and ListGroups, and GetUserId and GetGroupId, share.

// listRequest is ListGroups' input, and ListUsers' but for Extensions.
type listRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	MaxResults      *int
	NextToken       *string
	Filters         []filter
}

// pageOf answers a list request: its instance, and a page in ID order of
// the store's entries whose attribute equals the filter's value (every
// entry without a filter). key gives an entry's ID and attribute.
func pageOf[T any](r *awsproto.Request, in *listRequest, attribute string, entries func(*idcstate.Store) map[string]*T,
	key func(*T) (id, value string)) (*idcstate.Instance, []*T, string, error) {
	inst, err := storeFor(r, in.IdentityStoreID, false)
	if err != nil {
		return nil, nil, "", err
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, nil, "", err
	}
	want, err := filterValue(in.Filters, attribute)
	if err != nil {
		return nil, nil, "", err
	}
	var all []*T
	for _, e := range entries(inst.Store) {
		if _, value := key(e); want == "" || strings.EqualFold(value, want) {
			all = append(all, e)
		}
	}
	page, next := idcstate.Page(all, func(e *T) string { id, _ := key(e); return id }, start, size)
	return inst, page, next, nil
}

type filter struct {
	AttributePath  string
	AttributeValue string
}

// filterValue returns the value of the one filter ListUsers and ListGroups
// take, on the one attribute they filter by ("" when none is given).
func filterValue(filters []filter, attribute string) (string, error) {
	var v validator
	v.AtMost("Filters", len(filters), 1)
	for _, f := range filters {
		v.RequiredValue("Filters.member.AttributePath", f.AttributePath, attributePathRule)
		v.RequiredValue("Filters.member.AttributeValue", f.AttributeValue, textRule)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if len(filters) == 0 {
		return "", nil
	}
	if !strings.EqualFold(filters[0].AttributePath, attribute) {
		return "", validation("Filtering by %s is not supported; filter by %s", filters[0].AttributePath, attribute)
	}
	return filters[0].AttributeValue, nil
}

// alternateIdentifier is GetUserId's and GetGroupId's union: an external
// ID, or a unique attribute whose value is a JSON document (a string).
type alternateIdentifier struct {
	ExternalID      *externalIDJSON `json:"ExternalId"`
	UniqueAttribute *struct {
		AttributePath  string
		AttributeValue json.RawMessage
	}
}

type externalIDJSON struct {
	Issuer string
	ID     string `json:"Id"`
}

// check validates the union: exactly one member, each well formed. It
// returns the unique attribute's path and value when that is the member.
func (a *alternateIdentifier) check() (path, value string, err error) {
	var v validator
	switch {
	case (a.ExternalID == nil) == (a.UniqueAttribute == nil):
		return "", "", validation("AlternateIdentifier must have exactly one of ExternalId and UniqueAttribute")
	case a.ExternalID != nil:
		v.RequiredValue("AlternateIdentifier.ExternalId.Issuer", a.ExternalID.Issuer, externalRule)
		v.RequiredValue("AlternateIdentifier.ExternalId.Id", a.ExternalID.ID, externalRule)
		return "", "", v.err()
	}
	path = a.UniqueAttribute.AttributePath
	v.RequiredValue("AlternateIdentifier.UniqueAttribute.AttributePath", path, attributePathRule)
	if json.Unmarshal(a.UniqueAttribute.AttributeValue, &value) != nil || value == "" {
		v.Addf("Value at 'alternateIdentifier.uniqueAttribute.attributeValue' failed to satisfy constraint: Member must be a non-empty string")
	}
	return path, value, v.err()
}

func (a *alternateIdentifier) external() idcstate.ExternalID {
	return idcstate.ExternalID{Issuer: a.ExternalID.Issuer, ID: a.ExternalID.ID}
}

type getIDRequest struct {
	IdentityStoreID     string `json:"IdentityStoreId"`
	AlternateIdentifier alternateIdentifier
}

// lookup decodes and checks a GetUserId or GetGroupId request; path and
// value are its unique attribute's, when that is what it names.
func lookup(r *awsproto.Request) (in *getIDRequest, inst *idcstate.Instance, path, value string, err error) {
	in = &getIDRequest{}
	if err = awsproto.DecodeJSON(r.Body, in); err != nil {
		return nil, nil, "", "", err
	}
	if inst, err = storeFor(r, in.IdentityStoreID, false); err != nil {
		return nil, nil, "", "", err
	}
	path, value, err = in.AlternateIdentifier.check()
	return in, inst, path, value, err
}
