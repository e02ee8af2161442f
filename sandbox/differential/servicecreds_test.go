package differential

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	// CreateServiceSpecificCredential: the credential's ServiceUserName is "the
	// IAM user's name combined with the ID number of the AWS account, as in
	// jane-at-123456789012"; a service that does not support them answers
	// NotSupportedService (HTTP 404); beyond the quota, LimitExceeded (HTTP 409).
	refCreateServiceCred = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html"
	refServiceCred       = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ServiceSpecificCredential.html"
	// IAM quotas: two service-specific credentials per user per service.
	refIAMQuotas = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
	// ResetServiceSpecificCredential returns a new password.
	refResetServiceCred = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResetServiceSpecificCredential.html"
)

func TestServiceSpecificCredentials(t *testing.T) {
	scenario(t, "Service-specific credentials for CodeCommit", func(r *run) {
		user := "developer"
		_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
		r.must("CreateUser", err)
		create := func(service string) (*iamtypes.ServiceSpecificCredential, error) {
			out, err := r.IAM.CreateServiceSpecificCredential(r.ctx, &iam.CreateServiceSpecificCredentialInput{UserName: &user, ServiceName: &service})
			if err != nil {
				return nil, err
			}
			return out.ServiceSpecificCredential, nil
		}
		cred, err := create("codecommit.amazonaws.com")
		r.gate(r.wantSuccess("CreateServiceSpecificCredential for codecommit.amazonaws.com", awsDoc{says: "succeeds", ref: refCreateServiceCred}, err))
		wantUser := fmt.Sprintf("%s-at-%s", user, r.Account)
		r.check("the credential's ServiceUserName", awsDoc{says: "is " + wantUser, ref: refServiceCred},
			aws.ToString(cred.ServiceUserName) == wantUser, "is "+aws.ToString(cred.ServiceUserName))
		r.check("the credential's ServicePassword and Status", awsDoc{says: "a password is returned and the credential is Active", ref: refServiceCred},
			aws.ToString(cred.ServicePassword) != "" && cred.Status == iamtypes.StatusTypeActive,
			fmt.Sprintf("password of %d characters, status %s", len(aws.ToString(cred.ServicePassword)), cred.Status))
		_, err = create("codecommit.amazonaws.com")
		r.must("CreateServiceSpecificCredential (second)", err)
		_, err = create("codecommit.amazonaws.com")
		r.wantError("a third credential for the same service", awsDoc{says: "LimitExceeded (HTTP 409): two per user per service", ref: refIAMQuotas}, err, "LimitExceeded")
		_, err = create("ec2.amazonaws.com")
		r.wantError("CreateServiceSpecificCredential for ec2.amazonaws.com", awsDoc{says: "NotSupportedService (HTTP 404)", ref: refCreateServiceCred}, err, "NotSupportedService")
		reset, err := r.IAM.ResetServiceSpecificCredential(r.ctx, &iam.ResetServiceSpecificCredentialInput{UserName: &user, ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId})
		r.must("ResetServiceSpecificCredential", err)
		newPassword := aws.ToString(reset.ServiceSpecificCredential.ServicePassword)
		r.check("ResetServiceSpecificCredential", awsDoc{says: "returns a new password", ref: refResetServiceCred},
			newPassword != "" && newPassword != aws.ToString(cred.ServicePassword), fmt.Sprintf("new password differs: %t", newPassword != aws.ToString(cred.ServicePassword)))
		_, err = r.IAM.UpdateServiceSpecificCredential(r.ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: &user, ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId, Status: iamtypes.StatusTypeInactive})
		r.must("UpdateServiceSpecificCredential", err)
		list, err := r.IAM.ListServiceSpecificCredentials(r.ctx, &iam.ListServiceSpecificCredentialsInput{UserName: &user})
		r.must("ListServiceSpecificCredentials", err)
		status := map[string]iamtypes.StatusType{}
		for _, m := range list.ServiceSpecificCredentials {
			status[aws.ToString(m.ServiceSpecificCredentialId)] = m.Status
		}
		r.check("ListServiceSpecificCredentials after deactivating one", awsDoc{
			says: "lists both credentials, the updated one Inactive",
			ref:  "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServiceSpecificCredentials.html",
		}, len(status) == 2 && status[aws.ToString(cred.ServiceSpecificCredentialId)] == iamtypes.StatusTypeInactive, fmt.Sprintf("lists %d, the updated one %s", len(status), status[aws.ToString(cred.ServiceSpecificCredentialId)]))
	})
}
