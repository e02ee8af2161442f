package identitycenter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// store is what the survey read of the identity store (engine.Scope.Facts).
type store struct {
	instance string // the instance's ARN
	id       string // the identity store's ID

	reading        sync.Mutex // held while the groups or permission sets are read on demand
	mu             sync.Mutex
	groups         map[string]group  // by lower-cased display name
	groupNames     map[string]string // ID → display name
	permissionSets map[string]string // lower-cased name → ARN
	psNames        map[string]string // ARN → name
	// assigned are the principals assigned to each (account, permission
	// set ARN) pair the survey read: pair → "USER:id" / "GROUP:id".
	assigned map[pair]map[string]bool
	// resolved are the assignments' account selectors, resolved.
	resolved map[string][]string
	// userIDs are the user IDs learned, by lower-cased user name.
	userIDs map[string]string
	// prefetched are the people the survey read in bulk, by lower-cased
	// user name, each taken by the first Read (bulk.go).
	prefetched map[string]prefetched
	// every is every assignment of the instance by principal ("USER:id"),
	// read once when offboarding first asks.
	everyOnce sync.Once
	every     map[string][]Assignment
	everyErr  error
}

type group struct{ id, name string }

// pair is one account assignment's target: an account and a permission set.
type pair struct{ account, permissionSet string }

// Survey reads the identity store's groups and the instance's permission
// sets, resolves each assignment's accounts, reads who is assigned to each
// pair the people need, and returns a problem for every group or
// permission set that does not exist.
func (d *Directory) Survey(ctx context.Context, s *engine.Scope, people []spec.Person) (spec.Problems, error) {
	st := facts(s)
	if err := d.readGroups(ctx, st); err != nil {
		return nil, err
	}
	if err := d.readPermissionSets(ctx, st); err != nil {
		return nil, err
	}
	probs := missing(st, s, people)
	if len(probs) > 0 {
		return probs, nil
	}
	resolved := map[string][]string{}
	pairs, err := d.pairs(ctx, st, people, resolved)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.resolved = resolved
	st.mu.Unlock()
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = p.UserName
	}
	if err := d.readBulk(ctx, st, names); err != nil {
		return nil, err
	}
	return nil, d.readAssigned(ctx, st, pairs)
}

// readNames reads the groups and permission sets unless they were read
// (offboarding needs their names without a survey): once, however many
// users are discovered at once.
func (d *Directory) readNames(ctx context.Context, st *store) error {
	st.reading.Lock()
	defer st.reading.Unlock()
	st.mu.Lock()
	groups, sets := st.groupNames != nil, st.psNames != nil
	st.mu.Unlock()
	if !groups {
		if err := d.readGroups(ctx, st); err != nil {
			return err
		}
	}
	if !sets {
		return d.readPermissionSets(ctx, st)
	}
	return nil
}

// groupName is a group's display name, "" when it is not known.
func (st *store) groupName(id string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.groupNames[id]
}

func (d *Directory) readGroups(ctx context.Context, st *store) error {
	groups, names := map[string]group{}, map[string]string{}
	pages := identitystore.NewListGroupsPaginator(d.idstore, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(st.id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the groups of identity store %s: %w", st.id, awsx.Classify(err))
		}
		for _, g := range page.Groups {
			name := aws.ToString(g.DisplayName)
			groups[strings.ToLower(name)] = group{id: aws.ToString(g.GroupId), name: name}
			names[aws.ToString(g.GroupId)] = name
		}
	}
	st.mu.Lock()
	st.groups, st.groupNames = groups, names
	st.mu.Unlock()
	return nil
}

func (d *Directory) readPermissionSets(ctx context.Context, st *store) error {
	byName, names := map[string]string{}, map[string]string{}
	pages := ssoadmin.NewListPermissionSetsPaginator(d.store, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(st.instance)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the permission sets of %s: %w", st.instance, awsx.Classify(err))
		}
		for _, arn := range page.PermissionSets {
			out, err := d.store.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(st.instance), PermissionSetArn: aws.String(arn)})
			if err != nil {
				return fmt.Errorf("describing permission set %s: %w", arn, awsx.Classify(err))
			}
			name := aws.ToString(out.PermissionSet.Name)
			byName[strings.ToLower(name)], names[arn] = arn, name
		}
	}
	st.mu.Lock()
	st.permissionSets, st.psNames = byName, names
	st.mu.Unlock()
	return nil
}

// Kinds of reference a person needs of the store.
const (
	RefGroup         = "group"
	RefPermissionSet = "permission set"
)

// Missing is a group or permission set people need that the store does
// not have, with the first person who needs it.
type Missing struct {
	Kind   string // RefGroup, RefPermissionSet
	Name   string
	Person spec.Person
}

// Missing lists, after Survey, each group and permission set people need
// that scope s does not have (the doctor's findings; Survey's problems).
func (d *Directory) Missing(s *engine.Scope, people []spec.Person) []Missing {
	return missingRefs(facts(s), people)
}

func missingRefs(st *store, people []spec.Person) []Missing {
	var out []Missing
	seen := map[string]bool{}
	add := func(kind, name string, p spec.Person) {
		if key := kind + "\x00" + strings.ToLower(name); !seen[key] {
			seen[key] = true
			out = append(out, Missing{Kind: kind, Name: name, Person: p})
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, p := range people {
		for _, g := range p.Groups {
			if _, ok := st.groups[strings.ToLower(g)]; !ok {
				add(RefGroup, g, p)
			}
		}
		for _, a := range p.Assignments {
			if _, ok := st.permissionSets[strings.ToLower(a.PermissionSet)]; !ok {
				add(RefPermissionSet, a.PermissionSet, p)
			}
		}
	}
	return out
}

// missing reports each group and permission set people need that does not
// exist, at the first person who needs it.
func missing(st *store, s *engine.Scope, people []spec.Person) spec.Problems {
	fixes := map[string]string{
		RefGroup:         "create it first (aws identitystore create-group --display-name …), or remove it from the input",
		RefPermissionSet: "create it first (aws sso-admin create-permission-set --name …), or remove it from the input",
	}
	var probs spec.Problems
	for _, m := range missingRefs(st, people) {
		probs = append(probs, spec.Problem{Pos: m.Person.Pos, What: fmt.Sprintf("person %q", cmpOr(m.Person.Email, m.Person.UserName)),
			Fix: fmt.Sprintf("needs %s %q, which identity store %s does not have; %s", m.Kind, m.Name, s.ID, fixes[m.Kind])})
	}
	return probs
}

// pairs resolves every assignment of people into (account, permission set)
// pairs, each selector resolved once.
func (d *Directory) pairs(ctx context.Context, st *store, people []spec.Person, resolved map[string][]string) ([]pair, error) {
	var out []pair
	for _, p := range people {
		for _, a := range p.Assignments {
			accounts, err := d.accounts(ctx, a.Accounts, resolved)
			if err != nil {
				return nil, err
			}
			arn := st.permissionSets[strings.ToLower(a.PermissionSet)]
			for _, acc := range accounts {
				if pr := (pair{acc, arn}); !slices.Contains(out, pr) {
					out = append(out, pr)
				}
			}
		}
	}
	return out, nil
}

func (d *Directory) accounts(ctx context.Context, sel spec.AccountSelector, cache map[string][]string) ([]string, error) {
	key := fmt.Sprint(sel)
	if ids, ok := cache[key]; ok {
		return ids, nil
	}
	accounts, err := d.aws.ResolveAccounts(ctx, sel)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	cache[key] = ids
	return ids, nil
}

// readAssigned reads who is assigned to each pair: one listing per pair,
// not one per person.
func (d *Directory) readAssigned(ctx context.Context, st *store, pairs []pair) error {
	assigned := map[pair]map[string]bool{}
	for _, pr := range pairs {
		principals, err := d.assignedTo(ctx, st, pr)
		if err != nil {
			return err
		}
		assigned[pr] = principals
	}
	st.mu.Lock()
	st.assigned = assigned
	st.mu.Unlock()
	return nil
}

func (d *Directory) assignedTo(ctx context.Context, st *store, pr pair) (map[string]bool, error) {
	out := map[string]bool{}
	pages := ssoadmin.NewListAccountAssignmentsPaginator(d.store, &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(st.instance), AccountId: aws.String(pr.account), PermissionSetArn: aws.String(pr.permissionSet)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the assignments of %s in account %s: %w", st.psNames[pr.permissionSet], pr.account, awsx.Classify(err))
		}
		for _, a := range page.AccountAssignments {
			out[string(a.PrincipalType)+":"+aws.ToString(a.PrincipalId)] = true
		}
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
