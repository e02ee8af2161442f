package offboard

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// selector is one person as the input names them: by user name, or by
// e-mail address (the user of that name, or any user gatehouse tagged with
// the address).
type selector struct {
	label    string   // as the input says it
	userName string   // compared case-insensitively, as IAM does
	email    string   // "" when named by user name alone
	accounts []string // only these accounts (the spec's per-person list); nil: every selected one
}

func selectorsOf(in *spec.Input) []selector {
	out := make([]selector, 0, len(in.People))
	for _, p := range in.People {
		label := p.Email // the person; the user name is how one account knows them
		if label == "" {
			label = p.UserName
		}
		out = append(out, selector{label: label, userName: p.UserName, email: p.Email, accounts: p.Accounts})
	}
	return out
}

func (s selector) in(account string) bool {
	return len(s.accounts) == 0 || slices.Contains(s.accounts, account)
}

// directoryAPI is what finding users by address or tag calls.
type directoryAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

var _ directoryAPI = (*iam.Client)(nil)

// listedUser is a user of the account with its tags.
type listedUser struct {
	name string
	tags map[string]string
}

// listDirectory reads every user of the account with its tags: one page per
// thousand users (ListUsers has no tags, and ListUserTags would be a call per user).
func listDirectory(ctx context.Context, api directoryAPI) ([]listedUser, error) {
	var out []listedUser
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeUser}, MaxItems: ptr(int32(1000)),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IAM users with their tags: %w", awsx.Classify(err))
		}
		for _, u := range page.UserDetailList {
			lu := listedUser{name: deref(u.UserName), tags: map[string]string{}}
			for _, t := range u.Tags {
				lu.tags[deref(t.Key)] = deref(t.Value)
			}
			out = append(out, lu)
		}
	}
	return out, nil
}

// selection turns the selectors and tag filter into targets in one account.
type selection struct {
	selectors []selector
	tags      map[string]string // every one must match; empty: no filter
}

// needsDirectory reports whether finding the users takes a listing: an
// e-mail address may be on any user's tag, and a tag filter needs every
// user's tags. Users named by user name alone are read directly.
func (sel selection) needsDirectory() bool {
	if len(sel.tags) > 0 {
		return true
	}
	return slices.ContainsFunc(sel.selectors, func(s selector) bool { return s.email != "" })
}

// targets are the users in account the selection names, in input order, each
// once. A person who matches nobody gets a target without a user (absent).
func (sel selection) targets(account awsx.Account, users []listedUser) []*Target {
	var out []*Target
	seen := map[string]bool{}
	add := func(label, name string) {
		key := strings.ToLower(name)
		if name != "" && seen[key] {
			return
		}
		seen[key] = true
		out = append(out, &Target{Person: label, Account: account, UserName: name})
	}
	if len(sel.selectors) == 0 { // by tag alone
		for _, u := range users {
			if sel.tagged(u) {
				add(sel.tagLabel(), u.name)
			}
		}
		return out
	}
	for _, s := range sel.selectors {
		if !s.in(account.ID) {
			continue
		}
		if users == nil {
			add(s.label, s.userName)
			continue
		}
		found, untagged := false, false
		for _, u := range users {
			if !s.matches(u) {
				continue
			}
			if !sel.tagged(u) {
				untagged = true
				continue
			}
			add(s.label, u.name)
			found = true
		}
		if !found {
			t := &Target{Person: s.label, Account: account, UserName: s.userName, State: StateAbsent, Note: "no such user"}
			if untagged {
				t.Note = "its user does not carry " + sel.tagLabel()
			}
			out = append(out, t)
		}
	}
	return out
}

func (s selector) matches(u listedUser) bool {
	if strings.EqualFold(u.name, s.userName) {
		return true
	}
	return s.email != "" && (strings.EqualFold(u.name, s.email) || strings.EqualFold(u.tags[TagEmail], s.email))
}

func (sel selection) tagged(u listedUser) bool {
	for k, v := range sel.tags {
		if got, ok := u.tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// tagLabel names the people selected by tag: "tag team=legacy".
func (sel selection) tagLabel() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(sel.tags)) {
		parts = append(parts, k+"="+sel.tags[k])
	}
	return "tag " + strings.Join(parts, ",")
}
