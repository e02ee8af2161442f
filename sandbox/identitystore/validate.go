package identitystore

import (
	"fmt"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

// The model's constraints (identitystore 2020-06-15).
var (
	storeIDRule       = awsproto.NewRule(1, 36, `d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	resourceIDRule    = awsproto.NewRule(1, 47, `([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}`)
	userNameRule      = awsproto.NewRule(1, 128, idcstate.UserNamePattern)
	textRule          = awsproto.NewRule(1, 1024, idcstate.TextPattern)
	groupNameRule     = awsproto.NewRule(1, 1024, idcstate.GroupNamePattern)
	externalRule      = awsproto.NewRule(1, 256, idcstate.ExternalPattern)
	attributePathRule = awsproto.NewRule(1, 255, `(?:\p{L}+:\p{L}+:\p{L}+(?:\.\p{L}+){0,3}|\p{L}+(?:\.\p{L}+){0,2})`)
)

// enterpriseExtension is the only extension identitystore supports.
const enterpriseExtension = "aws:identitystore:enterprise"

// validator collects problems as the model's validation reports them.
type validator struct{ awsproto.Validator }

func (v *validator) err() error { return v.ErrCode("ValidationException") }

// checkProfile applies the model's constraints and Identity Center's rules
// (a user name that is not reserved, a display name, a given and a family
// name, at most one e-mail address) to a user's attributes.
func checkProfile(v *validator, p *idcstate.Profile) {
	v.RequiredValue("UserName", p.UserName, userNameRule)
	if idcstate.Reserved(p.UserName) {
		v.Addf("Value at 'userName' failed to satisfy constraint: %s is a reserved name and can't be used for users or groups", p.UserName)
	}
	v.RequiredValue("DisplayName", p.DisplayName, textRule)
	if p.Name == nil {
		v.Addf("Value null at 'name' failed to satisfy constraint: Member must not be null")
		p.Name = &idcstate.Name{}
	} else {
		v.RequiredValue("Name.GivenName", p.Name.GivenName, textRule)
		v.RequiredValue("Name.FamilyName", p.Name.FamilyName, textRule)
	}
	for _, t := range profileTexts(p) {
		v.OptionalValue(t.field, t.val, textRule)
	}
	v.AtMost("Emails", len(p.Emails), 1)
	for _, e := range p.Emails {
		v.RequiredValue("Emails.member.Value", e.Value, textRule)
	}
	v.AtMost("Addresses", len(p.Addresses), 1)
	v.AtMost("PhoneNumbers", len(p.PhoneNumbers), 1)
	v.AtMost("Roles", len(p.Roles), 1)
	v.AtMost("Photos", len(p.Photos), 3)
	for _, ph := range p.Photos {
		v.RequiredValue("Photos.member.Value", ph.Value, textRule)
	}
	for name := range p.Extensions {
		if name != enterpriseExtension {
			v.Addf("Value '%s' at 'extensions' failed to satisfy constraint: %s is the only supported extension name", name, enterpriseExtension)
		}
	}
}

type text struct{ field, val string }

// profileTexts are the optional free-text attributes, by the name validation
// messages give them, in the model's order.
func profileTexts(p *idcstate.Profile) []text {
	out := []text{
		{"Name.Formatted", p.Name.Formatted}, {"Name.MiddleName", p.Name.MiddleName},
		{"Name.HonorificPrefix", p.Name.HonorificPrefix}, {"Name.HonorificSuffix", p.Name.HonorificSuffix},
		{"NickName", p.NickName}, {"ProfileUrl", p.ProfileURL},
	}
	for i, e := range p.Emails {
		out = append(out, text{fmt.Sprintf("Emails.%d.Type", i+1), e.Type})
	}
	return append(out, text{"UserType", p.UserType}, text{"Title", p.Title}, text{"PreferredLanguage", p.PreferredLanguage},
		text{"Locale", p.Locale}, text{"Timezone", p.Timezone}, text{"Website", p.Website}, text{"Birthdate", p.Birthdate})
}

// readPage checks MaxResults and NextToken and returns the key the page
// starts at and its size.
func readPage(token *string, max *int) (start string, size int, err error) {
	start, size, problem := idcstate.ReadPage(token, max)
	if problem != "" {
		return "", 0, validation("%s", problem)
	}
	return start, size, nil
}
