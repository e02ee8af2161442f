package identitystore

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// attributeOperation is one change UpdateUser or UpdateGroup makes: the
// attribute's path (name.givenName, emails, displayName) and its new value
// as a JSON document; no value removes the attribute.
type attributeOperation struct {
	AttributePath  string
	AttributeValue json.RawMessage
}

type updateUserRequest struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
	Operations      []attributeOperation
}

// updateUser applies the operations to a copy of the user and keeps the
// result only when it is a valid user that breaks no uniqueness rule, so a
// failed update changes nothing.
func updateUser(r *awsproto.Request) (any, error) {
	var in updateUserRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, u, err := findUser(r, in.IdentityStoreID, in.UserID, true)
	if err != nil {
		return nil, err
	}
	if err := checkOperations(in.Operations); err != nil {
		return nil, err
	}
	changed := *u
	if err := copyJSON(&changed.Profile, u.Profile); err != nil {
		return nil, err
	}
	for _, op := range in.Operations {
		if err := applyUserOperation(&changed.Profile, strings.ToLower(op.AttributePath), op.AttributeValue); err != nil {
			return nil, err
		}
	}
	var v validator
	checkProfile(&v, &changed.Profile)
	if err := v.err(); err != nil {
		return nil, err
	}
	changed.Touch(now(), r.Caller.ARN)
	if err := inst.Store.ReplaceUser(&changed); err != nil {
		return nil, uniqueness(err)
	}
	return nil, nil
}

func checkOperations(ops []attributeOperation) error {
	var v validator
	if len(ops) == 0 {
		v.Addf("Value null at 'operations' failed to satisfy constraint: Member must not be null")
	}
	v.AtMost("Operations", len(ops), 100)
	for _, op := range ops {
		v.RequiredValue("Operations.member.AttributePath", op.AttributePath, attributePathRule)
	}
	return v.err()
}

// copyJSON deep-copies src into dst, so that a change to dst's slices and
// pointers leaves src alone.
func copyJSON[T any](dst *T, src T) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// applyUserOperation sets or removes one attribute. Multi-valued attributes
// (emails, addresses, …) are replaced whole, as AWS requires.
func applyUserOperation(p *idcstate.Profile, path string, value json.RawMessage) error {
	if len(bytes.TrimSpace(value)) == 0 {
		value = json.RawMessage("null")
	}
	if s := stringAttribute(p, path); s != nil {
		*s = ""
		if string(value) != "null" && json.Unmarshal(value, s) != nil {
			return validation("The value of %s must be a string", path)
		}
		return nil
	}
	if doc := documentAttribute(p, path); doc != nil {
		dec := json.NewDecoder(bytes.NewReader(value))
		dec.DisallowUnknownFields()
		if err := dec.Decode(doc); err != nil {
			return validation("The value of %s is not a valid %s: %s", path, path, strings.TrimPrefix(err.Error(), "json: "))
		}
		return nil
	}
	if path == enterpriseExtension {
		return setExtension(p, value)
	}
	for _, multi := range []string{"emails", "addresses", "phonenumbers", "photos", "roles"} {
		if strings.HasPrefix(path, multi+".") {
			return validation("Unsupported update operation on multi-value attribute %s, please provide full replacement of Multi-Value attribute types", multi)
		}
	}
	return validation("Invalid attribute path %s", path)
}

// stringAttribute is where a single-valued attribute lives, nil for a path
// that names none.
func stringAttribute(p *idcstate.Profile, path string) *string {
	fields := map[string]*string{
		"username": &p.UserName, "displayname": &p.DisplayName, "nickname": &p.NickName, "profileurl": &p.ProfileURL,
		"usertype": &p.UserType, "title": &p.Title, "preferredlanguage": &p.PreferredLanguage, "locale": &p.Locale,
		"timezone": &p.Timezone, "website": &p.Website, "birthdate": &p.Birthdate,
	}
	if s, ok := fields[path]; ok {
		return s
	}
	sub, ok := strings.CutPrefix(path, "name.")
	if !ok {
		return nil
	}
	if p.Name == nil {
		p.Name = &idcstate.Name{}
	}
	n := p.Name
	return map[string]*string{
		"formatted": &n.Formatted, "familyname": &n.FamilyName, "givenname": &n.GivenName, "middlename": &n.MiddleName,
		"honorificprefix": &n.HonorificPrefix, "honorificsuffix": &n.HonorificSuffix,
	}[sub]
}

// documentAttribute is where an object- or list-valued attribute lives,
// nil for a path that names none. Its value's keys are matched
// case-insensitively ("value", "primary").
func documentAttribute(p *idcstate.Profile, path string) any {
	return map[string]any{
		"name": &p.Name, "emails": &p.Emails, "addresses": &p.Addresses, "phonenumbers": &p.PhoneNumbers,
		"photos": &p.Photos, "roles": &p.Roles,
	}[path]
}

func setExtension(p *idcstate.Profile, value json.RawMessage) error {
	if string(value) == "null" {
		delete(p.Extensions, enterpriseExtension)
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(value, &obj) != nil {
		return validation("The value of %s must be an object", enterpriseExtension)
	}
	if p.Extensions == nil {
		p.Extensions = map[string]json.RawMessage{}
	}
	p.Extensions[enterpriseExtension] = value
	return nil
}
