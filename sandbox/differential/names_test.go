package differential

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAM identifiers: "IAM user, group, role, and policy names must be unique
// within the account. Names are not distinguished by case. For example, you
// cannot create resources named both "MyResource" and "myresource"." A second
// create answers EntityAlreadyExists, HTTP 409.
const refNames = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names"

const trustAccountRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`

// nameKind creates and reads back one kind of named IAM entity.
type nameKind struct {
	kind   string
	create func(r *run, name string) error
	get    func(r *run, name string) (string, error) // the name as IAM stored it
}

var nameKinds = []nameKind{
	{"user",
		func(r *run, name string) error {
			_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &name})
			return err
		},
		func(r *run, name string) (string, error) {
			out, err := r.IAM.GetUser(r.ctx, &iam.GetUserInput{UserName: &name})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.User.UserName), nil
		}},
	{"group",
		func(r *run, name string) error {
			_, err := r.IAM.CreateGroup(r.ctx, &iam.CreateGroupInput{GroupName: &name})
			return err
		},
		func(r *run, name string) (string, error) {
			out, err := r.IAM.GetGroup(r.ctx, &iam.GetGroupInput{GroupName: &name})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Group.GroupName), nil
		}},
	{"role",
		func(r *run, name string) error {
			_, err := r.IAM.CreateRole(r.ctx, &iam.CreateRoleInput{RoleName: &name, AssumeRolePolicyDocument: aws.String(trustAccountRoot)})
			return err
		},
		func(r *run, name string) (string, error) {
			out, err := r.IAM.GetRole(r.ctx, &iam.GetRoleInput{RoleName: &name})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Role.RoleName), nil
		}},
	{"managed policy",
		func(r *run, name string) error {
			_, err := r.IAM.CreatePolicy(r.ctx, &iam.CreatePolicyInput{PolicyName: &name,
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)})
			return err
		},
		nil},
}

func TestNamesAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	requireMoto(t)
	for _, k := range nameKinds {
		t.Run(k.kind, func(t *testing.T) {
			scenario(t, "Creating a "+k.kind+" whose name differs from an existing one only in case", func(r *run) {
				r.must("Create "+k.kind+" Platform-Admins", k.create(r, "Platform-Admins"))
				err := k.create(r, "platform-admins")
				r.wantError("creating "+k.kind+" platform-admins next to Platform-Admins", awsDoc{
					says: "EntityAlreadyExists (HTTP 409): names are not distinguished by case", ref: refNames,
				}, err, "EntityAlreadyExists")
				if k.get == nil {
					return
				}
				got, err := k.get(r, "PLATFORM-ADMINS")
				r.check("reading "+k.kind+" PLATFORM-ADMINS", awsDoc{
					says: "finds Platform-Admins, with the case it was created with: names are not distinguished by case", ref: refNames,
				}, err == nil && got == "Platform-Admins", nameOutcome(got, err))
			})
		})
	}
}

func nameOutcome(got string, err error) string {
	if err != nil {
		return outcome(err)
	}
	return "finds " + got
}

// TestAttachAWSManagedPolicy attaches an AWS-managed policy, which every
// account can use ("AWS managed policies … are available in every account").
func TestAttachAWSManagedPolicy(t *testing.T) {
	scenario(t, "Attaching an AWS-managed policy", func(r *run) {
		_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: aws.String("reader")})
		r.must("CreateUser", err)
		_, err = r.IAM.AttachUserPolicy(r.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		r.wantSuccess("AttachUserPolicy arn:aws:iam::aws:policy/ReadOnlyAccess", awsDoc{
			says: "succeeds: AWS-managed policies exist in every account (moto loads them only with MOTO_IAM_LOAD_MANAGED_POLICIES=true)",
			ref:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
		}, err)
	})
}
