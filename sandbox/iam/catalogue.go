package iam

import (
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// awsPolicy is an AWS-managed policy from the catalogue.
type awsPolicy struct {
	Name     string
	Path     string
	ID       string
	Document string
}

// awsManaged is the catalogue of AWS-managed policies the sandbox knows, by name.
var awsManaged = map[string]awsPolicy{
	"IAMUserChangePassword": {Name: "IAMUserChangePassword", Path: "/", ID: "ANPAJ4L4MM2A7QIEB56MS",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`},
	"ReadOnlyAccess":      {Name: "ReadOnlyAccess", Path: "/", ID: "ANPAILL3HVNFSB6DCOWYQ", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}]}`},
	"AdministratorAccess": {Name: "AdministratorAccess", Path: "/", ID: "ANPAIWMBCKSKIEE64ZLYK", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	"PowerUserAccess":     {Name: "PowerUserAccess", Path: "/", ID: "ANPAJYRXTHIB4FOVS3ZXS", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions"],"Resource":"*"}]}`},
}

const awsPolicyPrefix = "arn:aws:iam::aws:policy"

// PolicyExists reports whether arn names a managed policy usable in account a
// (the fixture loader checks references with it).
func PolicyExists(a *state.Account, arn string) bool { return policyExists(a, arn) }

// policyExists reports whether a managed policy ARN names an AWS-managed policy in
// the catalogue or a customer-managed policy of the account.
func policyExists(a *state.Account, arn string) bool {
	if rest, ok := strings.CutPrefix(arn, awsPolicyPrefix); ok {
		p, ok := awsManaged[rest[strings.LastIndex(rest, "/")+1:]]
		return ok && awsPolicyPrefix+p.Path+p.Name == arn
	}
	prefix := "arn:aws:iam::" + a.ID + ":policy"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return false
	}
	p, ok := a.Policies.Get(rest[strings.LastIndex(rest, "/")+1:])
	return ok && prefix+p.Path+p.Name == arn
}

// checkBoundary verifies a permissions boundary names an existing managed policy.
func checkBoundary(a *state.Account, arn string) error {
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if !policyExists(a, arn) {
		return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}
