package iam

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func policyOperations(ops map[string]awsproto.Operation) {
	ops["CreatePolicy"] = write(createPolicy)
	ops["GetPolicy"] = read(getPolicy)
	ops["DeletePolicy"] = write(deletePolicy)
	ops["ListPolicies"] = read(listPolicies)
}

// Constraints and quotas of managed policies.
var (
	policyPathRule        = awsproto.NewRule(1, 512, `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	policyDescriptionRule = awsproto.NewRule(0, 1000, "")
)

const (
	maxManagedPolicySize     = 6144
	maxLocalPolicies         = 1500
	maxAttachedPolicies      = 10
	maxPolicyVersions        = 5
	firstPolicyVersion       = "v1"
	msgPolicyNotFound        = "Policy %s was not found."
	msgPolicyNotAttachable   = "Policy %s does not exist or is not attachable."
	msgPolicyVersionNotFound = "Policy %s version %s does not exist or is not attachable."
)

// policyView is a managed policy of either kind, as the read operations see it.
type policyView struct {
	Name, Path, ID, ARN, Description, DefaultVersion string
	Created, Updated                                 time.Time
	Tags                                             []state.Tag
	Versions                                         []*iamstate.PolicyVersion // oldest first
	Local                                            *iamstate.ManagedPolicy   // nil for AWS-managed policies
}

func awsView(p awsPolicy) policyView {
	return policyView{
		Name: p.Name, Path: p.Path, ID: p.ID, ARN: p.ARN(), Description: p.Description, DefaultVersion: p.Version,
		Created: p.Created, Updated: p.Updated,
		Versions: []*iamstate.PolicyVersion{{ID: p.Version, Document: p.Document, Created: p.Updated}},
	}
}

func localPolicyARN(account string, p *iamstate.ManagedPolicy) string {
	return fmt.Sprintf("arn:aws:iam::%s:policy%s%s", account, p.Path, p.Name)
}

func localView(account string, p *iamstate.ManagedPolicy) policyView {
	return policyView{
		Name: p.Name, Path: p.Path, ID: p.ID, ARN: localPolicyARN(account, p), Description: p.Description,
		DefaultVersion: p.DefaultVersion, Created: p.Created, Updated: p.Updated, Tags: p.Tags,
		Versions: p.Versions, Local: p,
	}
}

// lookupPolicy finds a managed policy of either kind by its exact ARN.
func lookupPolicy(a iamAccount, arn string) (policyView, bool) {
	if p, ok := lookupAWSPolicy(arn); ok {
		return awsView(p), true
	}
	if p, ok := lookupLocalPolicy(a, arn); ok {
		return localView(a.ID, p), true
	}
	return policyView{}, false
}

// checkPolicyARN rejects ARNs that cannot name a managed policy at all.
func checkPolicyARN(arn string) error {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	account, resource, _ := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(resource, "policy/") || (account != "aws" && !isAccountID(account)) {
		return invalidInput("ARN %s is not valid.", arn)
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// findPolicy returns the policy named by arn or IAM's errors for a bad or unknown ARN.
func findPolicy(a iamAccount, arn string) (policyView, error) {
	if err := checkPolicyARN(arn); err != nil {
		return policyView{}, err
	}
	p, ok := lookupPolicy(a, arn)
	if !ok {
		return policyView{}, noSuchEntity(msgPolicyNotFound, arn)
	}
	return p, nil
}

// findLocalPolicy is findPolicy for changes: AWS-managed policies belong to the
// aws account, so changing one is refused as any cross-account change is.
func findLocalPolicy(r *awsproto.Request, a iamAccount, arn string) (*iamstate.ManagedPolicy, error) {
	p, err := findPolicy(a, arn)
	if err != nil {
		return nil, err
	}
	if p.Local == nil {
		return nil, awsproto.Errorf(http.StatusForbidden, "AccessDenied",
			"User: %s is not authorized to perform: iam:%s on resource: policy %s", r.Caller.ARN, r.Action, arn)
	}
	return p.Local, nil
}

// attachmentCounts counts the users, groups and roles with the policy attached,
// and the users and roles using it as their permissions boundary.
func attachmentCounts(a iamAccount, arn string) (attached, boundaries int) {
	for _, u := range a.Users.All() {
		if slices.Contains(u.AttachedPolicies, arn) {
			attached++
		}
		if u.PermissionsBoundary == arn {
			boundaries++
		}
	}
	for _, g := range a.Groups.All() {
		if slices.Contains(g.AttachedPolicies, arn) {
			attached++
		}
	}
	for _, r := range a.Roles.All() {
		if slices.Contains(r.AttachedPolicies, arn) {
			attached++
		}
		if r.PermissionsBoundary == arn {
			boundaries++
		}
	}
	return attached, boundaries
}

// xmlPolicy is the Policy shape.
type xmlPolicy struct {
	PolicyName                    string
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string
	Path                          string
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    time.Time
	UpdateDate                    time.Time
	Tags                          *members[xmlTag] `xml:",omitempty"`
}

// policyXML renders a policy; listings and CreatePolicy leave out the description
// and GetPolicy alone shows it.
func policyXML(a iamAccount, p policyView, describe bool) xmlPolicy {
	attached, boundaries := attachmentCounts(a, p.ARN)
	x := xmlPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: attached, PermissionsBoundaryUsageCount: boundaries, IsAttachable: true,
		CreateDate: p.Created, UpdateDate: p.Updated, Tags: optionalList(tagsXML(p.Tags)),
	}
	if describe {
		x.Description = p.Description
	}
	return x
}

// checkManagedDocument applies the document grammar and the managed policy size quota.
func checkManagedDocument(doc string) error {
	if err := checkPolicyDocument(doc, managedDoc); err != nil {
		return err
	}
	if policySize(doc) > maxManagedPolicySize {
		return limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

func createPolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "PolicyName", policyNameRule)
	path := v.Optional(r.Params, "Path", policyPathRule)
	doc := v.Required(r.Params, "PolicyDocument", policyDocRule)
	description := v.Optional(r.Params, "Description", policyDescriptionRule)
	tags := readTags(r.Params, &v, "Tags")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	a := accountToWrite(r)
	if _, exists := a.Policies.Get(name); exists {
		return nil, entityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	if a.Policies.Len() >= maxLocalPolicies {
		return nil, limitExceeded("Cannot exceed quota for PoliciesPerAccount: %d", maxLocalPolicies)
	}
	now := state.Now()
	p := &iamstate.ManagedPolicy{
		Name: name, ID: state.NewID("ANPA", 17), Path: path, Description: description, Created: now, Updated: now,
		Tags: tags, DefaultVersion: firstPolicyVersion,
		Versions: []*iamstate.PolicyVersion{{ID: firstPolicyVersion, Document: doc, Created: now}},
	}
	a.Policies.Put(name, p)
	return struct{ Policy xmlPolicy }{policyXML(a, localView(a.ID, p), false)}, nil
}

func getPolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	p, err := findPolicy(a, arn)
	if err != nil {
		return nil, err
	}
	return struct{ Policy xmlPolicy }{policyXML(a, p, true)}, nil
}

// deletePolicy refuses while the policy is attached or used as a boundary, and
// while it has versions other than the default one, as IAM does.
func deletePolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	p, err := findLocalPolicy(r, a, arn)
	if err != nil {
		return nil, err
	}
	if attached, boundaries := attachmentCounts(a, arn); attached+boundaries > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	a.Policies.Delete(p.Name)
	return nil, nil
}

type listPoliciesResult struct {
	Policies []xmlPolicy `xml:"Policies>member"`
	pageResult
}

// policyFilter is ListPolicies' selection.
type policyFilter struct {
	scope        string // All | AWS | Local
	onlyAttached bool
	usage        string // "" | PermissionsPolicy | PermissionsBoundary
	prefix       string
}

func (f policyFilter) keep(a iamAccount, p policyView) bool {
	if !hasPathPrefix(p.Path, f.prefix) {
		return false
	}
	if !f.onlyAttached {
		return true
	}
	attached, boundaries := attachmentCounts(a, p.ARN)
	switch f.usage {
	case "PermissionsPolicy":
		return attached > 0
	case "PermissionsBoundary":
		return boundaries > 0
	}
	return attached+boundaries > 0
}

func readPolicyFilter(p awsproto.Params, v *awsproto.Validator) policyFilter {
	f := policyFilter{scope: "All"}
	if p.Has("Scope") {
		f.scope = readEnum(p, v, "Scope", "All", "AWS", "Local")
	}
	f.onlyAttached = readBool(p, v, "OnlyAttached")
	if p.Has("PolicyUsageFilter") {
		f.usage = readEnum(p, v, "PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary")
	}
	f.prefix = v.Optional(p, "PathPrefix", policyPathRule)
	return f
}

// readEnum reads a parameter that must be one of the model's enum values.
func readEnum(p awsproto.Params, v *awsproto.Validator, name string, allowed ...string) string {
	val := p.Get(name)
	if !slices.Contains(allowed, val) {
		v.Addf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			val, lowerFirstASCII(name), strings.Join(allowed, ", "))
	}
	return val
}

func listPolicies(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	f := readPolicyFilter(r.Params, &v)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	var all []policyView
	if f.scope != "Local" {
		for _, p := range catalogue {
			all = append(all, awsView(p))
		}
	}
	if f.scope != "AWS" {
		for _, p := range a.Policies.All() {
			all = append(all, localView(a.ID, p))
		}
	}
	all = slices.DeleteFunc(all, func(p policyView) bool { return !f.keep(a, p) })
	slices.SortFunc(all, func(x, y policyView) int { return strings.Compare(policySortKey(x), policySortKey(y)) })
	page, res := paginateSlice(all, policySortKey, pg)
	out := listPoliciesResult{Policies: make([]xmlPolicy, len(page)), pageResult: res}
	for i, p := range page {
		x := policyXML(a, p, false)
		x.Tags = nil // listings leave out tags
		out.Policies[i] = x
	}
	return out, nil
}

// policySortKey orders policies by name; the ARN tells apart an AWS-managed and a
// customer-managed policy of the same name.
func policySortKey(p policyView) string { return state.Key(p.Name) + "|" + p.ARN }
