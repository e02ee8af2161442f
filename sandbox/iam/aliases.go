package iam

import (
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func aliasOperations(ops map[string]awsproto.Operation) {
	ops["CreateAccountAlias"] = write(createAccountAlias)
	ops["DeleteAccountAlias"] = write(deleteAccountAlias)
	ops["ListAccountAliases"] = read(listAccountAliases)
}

// aliasPattern is the model's accountAliasType pattern, shown in messages. Go's
// regexp has no look-ahead, so checkAlias tests "no two hyphens in a row" itself.
const aliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`

// readAlias reads AccountAlias and checks the model's length and pattern.
func readAlias(p awsproto.Params, v *awsproto.Validator) string {
	alias := v.Required(p, "AccountAlias", awsproto.NewRule(3, 63, ""))
	if p.Has("AccountAlias") && len(alias) >= 3 && len(alias) <= 63 && !aliasWellFormed(alias) {
		v.Addf("Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", alias, aliasPattern)
	}
	return alias
}

// aliasWellFormed is aliasPattern: lower-case letters, digits and single hyphens,
// starting and ending with a letter or digit.
func aliasWellFormed(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1 && s[i+1] != '-':
		default:
			return false
		}
	}
	return true
}

// aliasOwner finds the account that holds alias; aliases are unique across AWS.
func aliasOwner(w *state.World, alias string) (string, bool) {
	for id, a := range w.Accounts {
		if iamstate.Of(a).Alias == alias {
			return id, true
		}
	}
	return "", false
}

// createAccountAlias sets the account's one alias, replacing an earlier one.
func createAccountAlias(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	alias := readAlias(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, taken := aliasOwner(r.World, alias); taken {
		return nil, entityAlreadyExists("The account alias %s already exists.", alias)
	}
	accountToWrite(r).Alias = alias
	return nil, nil
}

func deleteAccountAlias(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	alias := readAlias(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	if a.Alias == "" || a.Alias != alias {
		return nil, noSuchEntity("The account alias %s cannot be found.", alias)
	}
	a.Alias = ""
	return nil, nil
}

type listAccountAliasesResult struct {
	AccountAliases []string `xml:"AccountAliases>member"`
	pageResult
}

func listAccountAliases(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var aliases []string
	if a := accountToRead(r); a.Alias != "" {
		aliases = append(aliases, a.Alias)
	}
	page, res := paginateSlice(aliases, func(s string) string { return strings.ToLower(s) }, pg)
	return listAccountAliasesResult{AccountAliases: page, pageResult: res}, nil
}
