package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// deniedSimulator answers every simulation as IAM does a caller without
// iam:SimulatePrincipalPolicy, and records what it was asked. (The sandbox
// does not enforce identity policies, so it cannot refuse one.)
type deniedSimulator struct{ sources []string }

func (d *deniedSimulator) SimulatePrincipalPolicy(_ context.Context, in *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	d.sources = append(d.sources, aws.ToString(in.PolicySourceArn))
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "User is not authorized to perform: iam:SimulatePrincipalPolicy"}
}

// When the simulator may not be asked, the doctor does not fail: it warns,
// and its fix is the policy the identity needs, as a command and as data.
func TestPermissionsWithoutSimulation(t *testing.T) {
	t.Parallel()
	a, err := awsx.New(context.Background(), awsx.Options{Region: "eu-west-1", Endpoint: "http://127.0.0.1:1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLEEXAMPLE12", "x", "")})
	if err != nil {
		t.Fatal(err)
	}
	in := &spec.Input{Accounts: spec.AccountSelector{IDs: []string{"222222222222"}}, Role: spec.Role{Name: "Provisioner"},
		Delivery: spec.Delivery{Channel: spec.ChannelNone}, Password: spec.Password{ResetRequired: true}}
	caller := awsx.Identity{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/gatehouse", Partition: "aws"}
	c := newChecker(Deps{AWS: a}, in, caller, []awsx.Account{{ID: "222222222222"}})
	sim := &deniedSimulator{}
	who := principalOf(caller.ARN)
	f := c.permissions(context.Background(), sim, who, "", c.callerPart())
	if f.Severity != Warning || !strings.Contains(f.Message, "could not be simulated") || !strings.Contains(f.Message, "AccessDenied") {
		t.Errorf("finding = %+v", f)
	}
	if !strings.Contains(f.Fix, "gatehouse policy --for onboard --part caller --role Provisioner") {
		t.Errorf("fix = %s", f.Fix)
	}
	if f.Policy == nil || len(f.Policy.Statement) == 0 {
		t.Fatalf("no policy in the finding: %+v", f)
	}
	for _, st := range f.Policy.Statement {
		if st.Sid == policy.SidEnterAccounts && st.Resource[0] != "arn:aws:iam::*:role/Provisioner" {
			t.Errorf("the policy lets gatehouse assume %v, not the run's role", st.Resource)
		}
	}
	if len(sim.sources) != 1 || sim.sources[0] != caller.ARN {
		t.Errorf("simulated %q, want the caller once", sim.sources)
	}
}
