package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// simulateAPI is what the doctor's simulations call.
type simulateAPI interface {
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

var _ simulateAPI = (*iam.Client)(nil)

// outcome is the simulator's decision on one action on one resource.
type outcome struct {
	action, resource string
	decision         types.PolicyEvaluationDecisionType
	policies         []string // the policies whose statements decided it
	missing          []string // context keys the statements asked for
}

func (o outcome) allowed() bool { return o.decision == types.PolicyEvaluationDecisionTypeAllowed }

// simulate asks IAM's policy simulator what the principal source (a user,
// group or role ARN) may do: every action on every resource.
func simulate(ctx context.Context, api simulateAPI, source string, actions, resources []string) ([]outcome, error) {
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(source), ActionNames: actions}
	if !slices.Equal(resources, []string{"*"}) {
		in.ResourceArns = resources
	}
	var out []outcome
	pages := iam.NewSimulatePrincipalPolicyPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("simulating the policies of %s: %w", source, awsx.Classify(err))
		}
		for _, r := range page.EvaluationResults {
			action := aws.ToString(r.EvalActionName)
			// AWS now answers once per action, with a decision per resource
			// inside; it used to answer once per action and resource.
			if len(r.ResourceSpecificResults) > 0 {
				for _, rs := range r.ResourceSpecificResults {
					out = append(out, outcome{action: action, resource: aws.ToString(rs.EvalResourceName),
						decision: rs.EvalResourceDecision, policies: policyIDs(rs.MatchedStatements), missing: rs.MissingContextValues})
				}
				continue
			}
			out = append(out, outcome{action: action, resource: cmpOr(aws.ToString(r.EvalResourceName), "*"),
				decision: r.EvalDecision, policies: policyIDs(r.MatchedStatements), missing: r.MissingContextValues})
		}
	}
	return out, nil
}

func policyIDs(sts []types.Statement) []string {
	var out []string
	for _, s := range sts {
		if id := aws.ToString(s.SourcePolicyId); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// decision finds the outcome of action on resource.
func decision(outs []outcome, action, resource string) (outcome, bool) {
	for _, o := range outs {
		if strings.EqualFold(o.action, action) && o.resource == resource {
			return o, true
		}
	}
	return outcome{}, false
}

// gap is a permission a principal lacks: an action, and the resources it
// is denied on when the statement names several.
type gap struct {
	action      string
	resources   []string
	conditional bool // denied only for want of context values: the policy allows it under conditions
}

func (g gap) String() string {
	if len(g.resources) == 0 {
		return g.action
	}
	return g.action + " on " + strings.Join(g.resources, ", ")
}

// gaps simulates every statement's actions on the resources resourcesOf
// gives it (one call per statement: its resources are of one kind) and
// returns what is not allowed on all of them.
func gaps(ctx context.Context, api simulateAPI, source string, stmts []policy.Statement, resourcesOf func(policy.Statement) []string) ([]gap, int, error) {
	var out []gap
	simulated := 0
	for _, st := range stmts {
		resources := resourcesOf(st)
		if len(resources) == 0 {
			continue
		}
		outs, err := simulate(ctx, api, source, st.Action, resources)
		if err != nil {
			return nil, 0, err
		}
		simulated += len(st.Action)
		for _, action := range st.Action {
			var denied []string
			conditional := true
			for _, r := range resources {
				o, ok := decision(outs, action, r)
				if ok && o.allowed() {
					continue
				}
				denied = append(denied, r)
				conditional = conditional && ok && o.decision == types.PolicyEvaluationDecisionTypeImplicitDeny && len(o.missing) > 0
			}
			if len(denied) == 0 {
				continue
			}
			g := gap{action: action, conditional: conditional}
			if len(resources) > 1 {
				g.resources = denied
			}
			out = append(out, g)
		}
	}
	return out, simulated, nil
}

// probe is the name of the resources the doctor simulates on where a
// statement allows a kind of resource (user/*): none of that name needs to
// exist.
const probe = "gatehouse-doctor-probe"

// concrete turns a statement's resource pattern into one resource of that
// kind in account: the partition, region and account filled in, the rest of
// a wildcard named probe. "*" stays as it is.
func concrete(pattern, partition, region, account string) string {
	f := strings.SplitN(pattern, ":", 6)
	if pattern == "*" || len(f) != 6 {
		return pattern
	}
	f[1] = partition
	if f[3] == "*" {
		f[3] = region
	}
	if f[4] == "*" {
		f[4] = account
	}
	f[5] = strings.ReplaceAll(f[5], "*", probe)
	return strings.Join(f, ":")
}
