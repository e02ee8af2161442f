package differential

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	// AssumeRole: the role's trust policy decides who may assume it; ExternalId
	// is "a unique identifier that might be required when you assume a role in
	// another account", checked by the trust policy's sts:ExternalId condition.
	refAssumeRole = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
	// A caller the trust policy does not allow gets "An error occurred
	// (AccessDenied) when calling the AssumeRole operation: User: … is not
	// authorized to perform: sts:AssumeRole on resource: …" (HTTP 403).
	refAssumeRoleDenied = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html#troubleshoot_roles_cant-assume-role"
)

func TestAssumeRoleEnforcesTheTrustPolicy(t *testing.T) {
	scenario(t, "AssumeRole by callers the trust policy does not allow", func(r *run) {
		trusted, stranger := accountFor(r.t.Name()+"/trusted"), accountFor(r.t.Name()+"/stranger")
		trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},`+
			`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"gatehouse-7f3a"}}}]}`, trusted)
		out, err := r.IAM.CreateRole(r.ctx, &iam.CreateRoleInput{RoleName: aws.String("onboarding"), AssumeRolePolicyDocument: &trust})
		r.must("CreateRole", err)
		roleARN := out.Role.Arn
		assume := func(c *clients, arn *string, externalID *string) (*sts.AssumeRoleOutput, error) {
			return c.STS.AssumeRole(r.ctx, &sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("onboard"), ExternalId: externalID})
		}
		denied := awsDoc{says: "AccessDenied (HTTP 403): the trust policy does not allow this caller", ref: refAssumeRoleDenied}
		_, err = assume(r.clientsFor(stranger), roleARN, aws.String("gatehouse-7f3a"))
		r.wantError("AssumeRole from an account the trust policy does not name", denied, err, "AccessDenied")
		_, err = assume(r.clientsFor(trusted), roleARN, nil)
		r.wantError("AssumeRole from the trusted account without ExternalId", awsDoc{
			says: "AccessDenied (HTTP 403): the sts:ExternalId condition is not met", ref: refAssumeRole,
		}, err, "AccessDenied")
		_, err = assume(r.clientsFor(trusted), roleARN, aws.String("wrong-id"))
		r.wantError("AssumeRole from the trusted account with the wrong ExternalId", awsDoc{
			says: "AccessDenied (HTTP 403): the sts:ExternalId condition is not met", ref: refAssumeRole,
		}, err, "AccessDenied")
		missing := aws.String(strings.Replace(aws.ToString(roleARN), "role/onboarding", "role/no-such-role", 1))
		_, err = assume(r.clientsFor(trusted), missing, aws.String("gatehouse-7f3a"))
		r.wantError("AssumeRole of a role that does not exist", awsDoc{
			says: "AccessDenied (HTTP 403): STS does not tell a missing role from a forbidden one", ref: refAssumeRoleDenied,
		}, err, "AccessDenied")
		session, err := assume(r.clientsFor(trusted), roleARN, aws.String("gatehouse-7f3a"))
		r.wantSuccess("AssumeRole from the trusted account with the right ExternalId", awsDoc{says: "succeeds", ref: refAssumeRole}, err)
		if err != nil {
			return
		}
		c := session.Credentials
		who, err := r.sessionClients(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).
			STS.GetCallerIdentity(r.ctx, &sts.GetCallerIdentityInput{})
		want := fmt.Sprintf("arn:aws:sts::%s:assumed-role/onboarding/onboard", r.Account)
		got := outcome(err)
		if err == nil {
			got = aws.ToString(who.Arn)
		}
		r.check("GetCallerIdentity with the session's credentials", awsDoc{
			says: "the caller is " + want,
			ref:  "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
		}, got == want, got)
	})
}
