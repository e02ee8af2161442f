package iamuser_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// suiteWorld is a management account and a member that trusts it, each
// with the group the suite's people join and a password policy of its own.
const suiteWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: mgmt@example.com}
    - {id: "222222222222", name: Member, email: member@example.com}
accounts:
  "111111111111":
    groups: [{name: staff}, {name: admins}]
  "222222222222":
    password_policy: {minimum_password_length: 24, require_symbols: true, require_numbers: true,
                      require_uppercase_characters: true, require_lowercase_characters: true}
    groups: [{name: staff}, {name: admins}]
    roles:
      - name: OrganizationAccountAccessRole
        trust_policy:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`

// IAM users pass the directory suite against the sandbox, in the caller's
// own account and in a member entered through a role.
func TestDirectorySuite(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T) *enginetest.Harness {
		sb := sandboxtest.Start(t, sandbox.Options{})
		sb.LoadFixture(t, suiteWorld)
		f, err := awsx.New(context.Background(), awsx.Options{
			Endpoint: sb.URL, Region: "us-east-1", Role: spec.Role{Name: iamuser.DefaultRole, SessionName: "gatehouse"},
			RequestsPerSecond: -1, Credentials: credentials.NewStaticCredentialsProvider("111111111111", "sandbox-secret", ""),
		})
		if err != nil {
			t.Fatal(err)
		}
		return &enginetest.Harness{
			Directory: iamuser.New(f, iamuser.Options{Backoff: func(int) time.Duration { return time.Millisecond }}),
			Input: func(t *testing.T, emails ...string) *spec.Input {
				in, err := spec.FromArgs(emails, spec.Flags{Accounts: spec.Set([]string{"111111111111", "222222222222"}),
					Groups: spec.Set([]string{"staff"}), Deliver: spec.Set(spec.ChannelNone)})
				if len(emails) == 0 {
					in, err = spec.FromFlags(spec.Flags{Accounts: spec.Set([]string{"111111111111", "222222222222"})})
				}
				if err != nil {
					t.Fatal(err)
				}
				return in
			},
			SignsIn: func(t *testing.T, account, user, secret string) bool {
				var out struct {
					Valid bool `json:"valid"`
				}
				sb.Post(t, "iam/check-password", map[string]string{"account": account, "user": user, "password": secret}, &out)
				return out.Valid
			},
			Drift: func(t *testing.T, account, user string) {
				api := iam.NewFromConfig(sb.Config(account))
				if _, err := api.AddUserToGroup(context.Background(), &iam.AddUserToGroupInput{UserName: aws.String(user), GroupName: aws.String("admins")}); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}
