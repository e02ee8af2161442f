package iam

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func policyVersionOperations(ops map[string]awsproto.Operation) {
	ops["GetPolicyVersion"] = read(getPolicyVersion)
	ops["ListPolicyVersions"] = read(listPolicyVersions)
	ops["CreatePolicyVersion"] = write(createPolicyVersion)
	ops["DeletePolicyVersion"] = write(deletePolicyVersion)
	ops["SetDefaultPolicyVersion"] = write(setDefaultPolicyVersion)
}

var policyVersionRule = awsproto.NewRule(0, 0, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)

// xmlPolicyVersion is the PolicyVersion shape; the document is URL-encoded, as
// IAM returns every policy document.
type xmlPolicyVersion struct {
	Document         string `xml:",omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool
	CreateDate       time.Time
}

func versionXML(p policyView, pv *iamstate.PolicyVersion, withDocument bool) xmlPolicyVersion {
	x := xmlPolicyVersion{VersionID: pv.ID, IsDefaultVersion: pv.ID == p.DefaultVersion, CreateDate: pv.Created}
	if withDocument {
		x.Document = encodePolicy(pv.Document)
	}
	return x
}

// versionNumber is the N of vN (0 when the ID has another form).
func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}

// readVersionRef reads PolicyArn and VersionId.
func readVersionRef(p awsproto.Params, v *awsproto.Validator) (arn, id string) {
	arn = v.Required(p, "PolicyArn", arnRule)
	id = v.Required(p, "VersionId", policyVersionRule)
	return arn, id
}

// findVersion finds one version; an unknown policy gets the version's message too.
func findVersion(a iamAccount, arn, id string) (policyView, *iamstate.PolicyVersion, error) {
	if err := checkPolicyARN(arn); err != nil {
		return policyView{}, nil, err
	}
	p, ok := lookupPolicy(a, arn)
	if ok {
		for _, pv := range p.Versions {
			if pv.ID == id {
				return p, pv, nil
			}
		}
	}
	return policyView{}, nil, noSuchEntity(msgPolicyVersionNotFound, arn, id)
}

func getPolicyVersion(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn, id := readVersionRef(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, pv, err := findVersion(accountToRead(r), arn, id)
	if err != nil {
		return nil, err
	}
	return struct{ PolicyVersion xmlPolicyVersion }{versionXML(p, pv, true)}, nil
}

type listPolicyVersionsResult struct {
	Versions []xmlPolicyVersion `xml:"Versions>member"`
	pageResult
}

// listPolicyVersions lists newest first, without documents, as IAM does.
func listPolicyVersions(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := findPolicy(accountToRead(r), arn)
	if err != nil {
		return nil, err
	}
	newest := make([]*iamstate.PolicyVersion, len(p.Versions))
	for i, pv := range p.Versions {
		newest[len(p.Versions)-1-i] = pv
	}
	key := func(pv *iamstate.PolicyVersion) string { return fmt.Sprintf("%010d", 1<<30-versionNumber(pv.ID)) }
	page, res := paginateSlice(newest, key, pg)
	out := listPolicyVersionsResult{Versions: make([]xmlPolicyVersion, len(page)), pageResult: res}
	for i, pv := range page {
		out.Versions[i] = versionXML(p, pv, false)
	}
	return out, nil
}

func createPolicyVersion(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	doc := v.Required(r.Params, "PolicyDocument", policyDocRule)
	setDefault := readBool(r.Params, &v, "SetAsDefault")
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	p, err := findLocalPolicy(r, a, arn)
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	if len(p.Versions) >= maxPolicyVersions {
		return nil, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	last := 0
	for _, pv := range p.Versions {
		last = max(last, versionNumber(pv.ID))
	}
	pv := &iamstate.PolicyVersion{ID: fmt.Sprintf("v%d", last+1), Document: doc, Created: state.Now()}
	p.Versions = append(p.Versions, pv)
	if setDefault {
		p.DefaultVersion, p.Updated = pv.ID, pv.Created
	}
	return struct{ PolicyVersion xmlPolicyVersion }{versionXML(localView(a.ID, p), pv, false)}, nil
}

func deletePolicyVersion(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn, id := readVersionRef(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	p, err := findLocalPolicy(r, a, arn)
	if err != nil {
		return nil, err
	}
	if _, _, err := findVersion(a, arn, id); err != nil {
		return nil, err
	}
	if id == p.DefaultVersion {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	for i, pv := range p.Versions {
		if pv.ID == id {
			p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
			break
		}
	}
	return nil, nil
}

func setDefaultPolicyVersion(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn, id := readVersionRef(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	p, err := findLocalPolicy(r, a, arn)
	if err != nil {
		return nil, err
	}
	if _, _, err := findVersion(a, arn, id); err != nil {
		return nil, err
	}
	p.DefaultVersion, p.Updated = id, state.Now()
	return nil, nil
}
