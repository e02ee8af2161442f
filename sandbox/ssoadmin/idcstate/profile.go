package idcstate

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Profile is a user's attributes as identitystore's API names them. It is
// kept in that form (PascalCase, absent when unset) so that CreateUser
// decodes into it and DescribeUser and ListUsers return it as it is.
type Profile struct {
	UserName          string                     `json:",omitempty"`
	Name              *Name                      `json:",omitempty"`
	DisplayName       string                     `json:",omitempty"`
	NickName          string                     `json:",omitempty"`
	ProfileURL        string                     `json:"ProfileUrl,omitempty"`
	Emails            []Email                    `json:",omitempty"`
	Addresses         []Address                  `json:",omitempty"`
	PhoneNumbers      []PhoneNumber              `json:",omitempty"`
	UserType          string                     `json:",omitempty"`
	Title             string                     `json:",omitempty"`
	PreferredLanguage string                     `json:",omitempty"`
	Locale            string                     `json:",omitempty"`
	Timezone          string                     `json:",omitempty"`
	Photos            []Photo                    `json:",omitempty"`
	Website           string                     `json:",omitempty"`
	Birthdate         string                     `json:",omitempty"`
	Roles             []Role                     `json:",omitempty"`
	Extensions        map[string]json.RawMessage `json:",omitempty"`
}

// Name is a user's full name.
type Name struct {
	Formatted       string `json:",omitempty"`
	FamilyName      string `json:",omitempty"`
	GivenName       string `json:",omitempty"`
	MiddleName      string `json:",omitempty"`
	HonorificPrefix string `json:",omitempty"`
	HonorificSuffix string `json:",omitempty"`
}

// Email is one of a user's e-mail addresses (identitystore keeps at most one).
type Email struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary *bool  `json:",omitempty"`
}

// Address is a user's postal address.
type Address struct {
	StreetAddress string `json:",omitempty"`
	Locality      string `json:",omitempty"`
	Region        string `json:",omitempty"`
	PostalCode    string `json:",omitempty"`
	Country       string `json:",omitempty"`
	Formatted     string `json:",omitempty"`
	Type          string `json:",omitempty"`
	Primary       *bool  `json:",omitempty"`
}

// PhoneNumber is a user's telephone number.
type PhoneNumber struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary *bool  `json:",omitempty"`
}

// Photo is a picture of the user.
type Photo struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Display string `json:",omitempty"`
	Primary *bool  `json:",omitempty"`
}

// Role is a role the user has in the organisation (not an IAM role).
type Role struct {
	Value   string `json:",omitempty"`
	Type    string `json:",omitempty"`
	Primary *bool  `json:",omitempty"`
}

// ExternalID is the identifier an external identity provider gave a user or
// group. The API cannot set one (only SCIM provisioning does); fixtures can.
type ExternalID struct {
	Issuer string `json:"Issuer"`
	ID     string `json:"Id"`
}

// The models' patterns (identitystore 2020-06-15), shared by the API's
// validation and the fixture's, so both accept exactly the same names.
const (
	UserNamePattern  = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
	TextPattern      = `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00A0}\x{3000}]+` // SensitiveStringType
	GroupNamePattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00A0}]+`         // GroupDisplayName
	ExternalPattern  = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`                        // ExternalIdIssuer and ExternalIdIdentifier
)

var (
	userNameRe  = regexp.MustCompile(`^(?:` + UserNamePattern + `)$`)
	textRe      = regexp.MustCompile(`^(?:` + TextPattern + `)$`)
	groupNameRe = regexp.MustCompile(`^(?:` + GroupNamePattern + `)$`)
	externalRe  = regexp.MustCompile(`^(?:` + ExternalPattern + `)$`)
)

// reservedNames are the names AWS keeps for itself: "Administrator and
// AWSAdministrators are reserved names and can't be used for users or
// groups" (the CreateUser and CreateGroup documentation).
var reservedNames = []string{"Administrator", "AWSAdministrators"}

// Reserved reports whether name is one of the reserved names (compared
// case-insensitively, as names are unique).
func Reserved(name string) bool {
	for _, r := range reservedNames {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}

// CheckUserName returns what is wrong with a user name, "" when nothing is.
func CheckUserName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n < 1 || n > 128:
		return "user name must be 1 to 128 characters"
	case !userNameRe.MatchString(name):
		return "user name may hold letters, marks, symbols, numbers and punctuation, no spaces"
	case Reserved(name):
		return "user name " + name + " is reserved by AWS"
	}
	return ""
}

// CheckText returns what is wrong with a profile string (a display, given or
// family name, an e-mail address), "" when nothing is.
func CheckText(what, s string) string {
	if n := utf8.RuneCountInString(s); n < 1 || n > 1024 || !textRe.MatchString(s) {
		return what + " must be 1 to 1024 letters, marks, symbols, numbers, punctuation or spaces"
	}
	return ""
}

// CheckGroupName returns what is wrong with a group's display name.
func CheckGroupName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n < 1 || n > 1024 || !groupNameRe.MatchString(name):
		return "group display name must be 1 to 1024 letters, marks, symbols, numbers, punctuation or spaces"
	case Reserved(name):
		return "group display name " + name + " is reserved by AWS"
	}
	return ""
}

// CheckExternalID returns what is wrong with an external ID.
func CheckExternalID(e ExternalID) string {
	for _, s := range []string{e.Issuer, e.ID} {
		if n := utf8.RuneCountInString(s); n < 1 || n > 256 || !externalRe.MatchString(s) {
			return "external ID issuer and id must each be 1 to 256 letters, marks, symbols, numbers or punctuation"
		}
	}
	return ""
}
