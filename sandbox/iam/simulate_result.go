package iam

import (
	"fmt"
	"slices"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// The decisions of the model's PolicyEvaluationDecisionType.
const (
	decisionAllowed      = "allowed"
	decisionExplicitDeny = "explicitDeny"
	decisionImplicitDeny = "implicitDeny"
)

type xmlPosition struct {
	Line   int
	Column int
}

// xmlStatement is the Statement shape: a matched statement and where it is.
type xmlStatement struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string
	StartPosition    xmlPosition
	EndPosition      xmlPosition
}

type xmlBoundaryDecision struct {
	AllowedByPermissionsBoundary bool
}

// xmlResourceResult is the ResourceSpecificResult shape.
type xmlResourceResult struct {
	EvalResourceName                  string
	EvalResourceDecision              string
	MatchedStatements                 []xmlStatement `xml:"MatchedStatements>member"`
	MissingContextValues              []string       `xml:"MissingContextValues>member"`
	PermissionsBoundaryDecisionDetail *xmlBoundaryDecision
}

// xmlEvaluation is the EvaluationResult shape. AWS sends MatchedStatements and
// MissingContextValues even when they are empty.
type xmlEvaluation struct {
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 []xmlStatement `xml:"MatchedStatements>member"`
	MissingContextValues              []string       `xml:"MissingContextValues>member"`
	PermissionsBoundaryDecisionDetail *xmlBoundaryDecision
	ResourceSpecificResults           *members[xmlResourceResult] `xml:",omitempty"`
}

type simulateResult struct {
	EvaluationResults []xmlEvaluation `xml:"EvaluationResults>member"`
	pageResult
}

func simulatePrincipalPolicy(r *awsproto.Request) (any, error) {
	sim, err := readSimulation(r.Params)
	if err != nil {
		return nil, err
	}
	a := accountToRead(r)
	pr, err := resolvePrincipal(a, sim.source)
	if err != nil {
		return nil, err
	}
	if err := pr.addInputs(sim); err != nil {
		return nil, err
	}
	var all []xmlEvaluation
	for _, action := range sim.actions {
		for _, resource := range sim.resources {
			ev, err := pr.evaluate(evalRequest{action: action, resource: resource, vars: pr.vars, context: sim.context})
			if err != nil {
				return nil, err
			}
			if sim.resourcesGiven {
				ev.ResourceSpecificResults = optionalList([]xmlResourceResult{{
					EvalResourceName: resource, EvalResourceDecision: ev.EvalDecision, MatchedStatements: ev.MatchedStatements,
					MissingContextValues: ev.MissingContextValues, PermissionsBoundaryDecisionDetail: ev.PermissionsBoundaryDecisionDetail,
				}})
			}
			all = append(all, ev)
		}
	}
	page, res := paginateSlice(indexes(len(all)), resultKey, sim.page)
	out := simulateResult{EvaluationResults: make([]xmlEvaluation, len(page)), pageResult: res}
	for i, n := range page {
		out.EvaluationResults[i] = all[n]
	}
	return out, nil
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func resultKey(i int) string { return fmt.Sprintf("%08d", i) }

// addInputs adds PolicyInputList as identity policies and lets
// PermissionsBoundaryPolicyInputList stand in for the principal's boundary,
// as AWS does. Each is checked as IAM checks an inline policy.
func (pr *principal) addInputs(sim simulation) error {
	for i, doc := range sim.inputs {
		p, err := inputPolicy(fmt.Sprintf("PolicyInputList.%d", i+1), identityPolicyType, doc)
		if err != nil {
			return err
		}
		pr.identity = append(pr.identity, p)
	}
	if len(sim.boundary) == 1 {
		p, err := inputPolicy("PermissionsBoundaryPolicyInputList.1", boundaryPolicyType, sim.boundary[0])
		if err != nil {
			return err
		}
		pr.boundary = []*evalPolicy{p}
	}
	return nil
}

func inputPolicy(id, kind, doc string) (*evalPolicy, error) {
	if err := checkPolicyDocument(doc, inlineDoc); err != nil {
		return nil, invalidInput("%s: %s", id, awsproto.AsError(err).Message)
	}
	return parseEvalPolicy(id, kind, doc)
}

// evaluate decides one action on one resource: an explicit deny in the
// identity policies or the boundary wins; otherwise the action is allowed when
// an identity policy allows it and the boundary (if any) allows it too.
func (pr *principal) evaluate(req evalRequest) (xmlEvaluation, error) {
	ev := xmlEvaluation{EvalActionName: req.action, EvalResourceName: req.resource, EvalDecision: decisionImplicitDeny,
		MatchedStatements: []xmlStatement{}, MissingContextValues: []string{}}
	id, err := match(pr.identity, req)
	if err != nil {
		return ev, err
	}
	var bound matches
	if pr.boundary != nil {
		if bound, err = match(pr.boundary, req); err != nil {
			return ev, err
		}
		ev.PermissionsBoundaryDecisionDetail = &xmlBoundaryDecision{len(bound.allows) > 0 && len(bound.denies) == 0}
	}
	ev.MissingContextValues = append(ev.MissingContextValues, id.missing...)
	ev.MissingContextValues = compactSorted(append(ev.MissingContextValues, bound.missing...))
	switch {
	case len(id.denies) > 0:
		ev.EvalDecision, ev.MatchedStatements = decisionExplicitDeny, statementsXML(id.denies)
	case len(bound.denies) > 0:
		ev.EvalDecision, ev.MatchedStatements = decisionExplicitDeny, statementsXML(bound.denies)
	case len(id.allows) > 0 && (pr.boundary == nil || len(bound.allows) > 0):
		ev.EvalDecision, ev.MatchedStatements = decisionAllowed, statementsXML(id.allows)
	}
	return ev, nil
}

func compactSorted(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

func statementsXML(sts []*evalStatement) []xmlStatement {
	out := make([]xmlStatement, len(sts))
	for i, st := range sts {
		out[i] = xmlStatement{SourcePolicyID: st.policy.id, SourcePolicyType: st.policy.kind,
			StartPosition: xmlPosition(st.at.start), EndPosition: xmlPosition(st.at.end)}
	}
	return out
}
