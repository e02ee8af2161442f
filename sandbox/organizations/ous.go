package organizations

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
)

// Patterns from the Organizations model (anchored on both alternatives).
var (
	parentIDPattern  = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	childIDPattern   = regexp.MustCompile(`^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	tagKeyPattern    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	maxOUNestingDeep = 5
)

type ouJSON struct {
	ID   string `json:"Id"`
	Arn  string
	Name string
	Path string
}

type tagJSON struct {
	Key   string
	Value string
}

func ouShape(org *orgstate.Organization, ou *orgstate.OU) ouJSON {
	return ouJSON{
		ID: ou.ID, Name: ou.Name, Path: pathOf(org, ou.ID),
		Arn: fmt.Sprintf("arn:aws:organizations::%s:ou/%s/%s", org.ManagementAccount, org.ID, ou.ID),
	}
}

// pathOf is the organisation path of a root or OU: o-…/r-…/ou-…/…/.
func pathOf(org *orgstate.Organization, parentID string) string {
	var chain []string
	for id := parentID; id != "" && id != org.RootID; {
		ou, ok := org.OUs[id]
		if !ok {
			break
		}
		chain = append([]string{ou.ID}, chain...)
		id = ou.ParentID
	}
	return org.ID + "/" + org.RootID + "/" + strings.Join(append(chain, ""), "/")
}

// depthOf counts the OUs from the root down to parentID.
func depthOf(org *orgstate.Organization, parentID string) int {
	depth := 0
	for id := parentID; id != org.RootID; depth++ {
		ou, ok := org.OUs[id]
		if !ok {
			break
		}
		id = ou.ParentID
	}
	return depth
}

// findParent validates a ParentId and checks that it names the root or an OU.
func findParent(org *orgstate.Organization, id string, notFound func() error) error {
	if !parentIDPattern.MatchString(id) {
		return invalidInput("1 validation error detected: Value '%s' at 'parentId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", id)
	}
	if _, ok := org.OUs[id]; ok || id == org.RootID {
		return nil
	}
	return notFound()
}

func checkTags(tags []tagJSON) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 || !tagKeyPattern.MatchString(t.Key) ||
			utf8.RuneCountInString(t.Value) > 256 || !tagKeyPattern.MatchString(t.Value) {
			return invalidInput("You provided a tag that is not valid: %q.", t.Key)
		}
		if seen[t.Key] {
			return invalidInput("You provided duplicate tag keys: %q.", t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > 50 {
		return orgError("ConstraintViolationException", "You have exceeded the maximum number of tags (50) allowed on a resource.")
	}
	return nil
}

type createOURequest struct {
	ParentID string `json:"ParentId"`
	Name     string
	Tags     []tagJSON
}

type ouResponse struct {
	OrganizationalUnit ouJSON
}

func createOrganizationalUnit(r *awsproto.Request) (any, error) {
	var in createOURequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 128 {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length between 1 and 128", in.Name)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if err := findParent(org, in.ParentID, parentNotFound); err != nil {
		return nil, err
	}
	for _, ou := range org.OUs {
		if ou.ParentID == in.ParentID && strings.EqualFold(ou.Name, in.Name) {
			return nil, orgError("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
		}
	}
	if depthOf(org, in.ParentID) >= maxOUNestingDeep {
		return nil, orgError("ConstraintViolationException", "You attempted to create an OU tree that is too many levels deep (OU_DEPTH_LIMIT_EXCEEDED): at most %d levels of OUs are allowed.", maxOUNestingDeep)
	}
	ou := &orgstate.OU{ID: "ou-" + strings.TrimPrefix(org.RootID, "r-") + "-" + randomString(lowerAlnum, 8), Name: in.Name, ParentID: in.ParentID}
	org.OUs[ou.ID] = ou
	return ouResponse{ouShape(org, ou)}, nil
}

type listForParentRequest struct {
	ParentID   string `json:"ParentId"`
	NextToken  *string
	MaxResults *int
}

type listOUsResponse struct {
	OrganizationalUnits []ouJSON
	NextToken           string `json:",omitempty"`
}

func listOrganizationalUnitsForParent(r *awsproto.Request) (any, error) {
	var in listForParentRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if err := findParent(org, in.ParentID, parentNotFound); err != nil {
		return nil, err
	}
	pg, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	var children []*orgstate.OU
	for _, ou := range org.OUs {
		if ou.ParentID == in.ParentID {
			children = append(children, ou)
		}
	}
	ous, next := paginate(children, func(ou *orgstate.OU) string { return ou.ID }, pg)
	out := listOUsResponse{OrganizationalUnits: make([]ouJSON, len(ous)), NextToken: next}
	for i, ou := range ous {
		out.OrganizationalUnits[i] = ouShape(org, ou)
	}
	return out, nil
}

type listParentsRequest struct {
	ChildID    string `json:"ChildId"`
	NextToken  *string
	MaxResults *int
}

type parentJSON struct {
	ID   string `json:"Id"`
	Type string
}

type listParentsResponse struct {
	Parents   []parentJSON
	NextToken string `json:",omitempty"`
}

func listParents(r *awsproto.Request) (any, error) {
	var in listParentsRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if !childIDPattern.MatchString(in.ChildID) {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'childId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", in.ChildID)
	}
	pg, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	parentID := ""
	if ou, ok := org.OUs[in.ChildID]; ok {
		parentID = ou.ParentID
	} else if orgstate.IsMember(r.World, in.ChildID) {
		parentID = parentOfAccount(r.World, in.ChildID)
	} else {
		return nil, orgError("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parentID == org.RootID {
		typ = "ROOT"
	}
	parents, next := paginate([]parentJSON{{parentID, typ}}, func(p parentJSON) string { return p.ID }, pg)
	return listParentsResponse{Parents: parents, NextToken: next}, nil
}
