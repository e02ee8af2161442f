package differential

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// AWS, DeleteUser (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html):
// "Unlike the AWS Management Console, when you delete a user programmatically,
// you must delete the items attached to the user manually, or the deletion
// fails" — password, access keys, signing certificate, SSH public key, Git
// (service-specific) credentials, MFA device, inline policies, attached managed
// policies and group memberships. The failure is DeleteConflict, HTTP 409.
const refDeleteUser = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html"

// userDependency adds one kind of dependency to a user and returns how to remove it.
type userDependency struct {
	name string
	add  func(r *run, user string) (remove func() error)
}

var userDependencies = []userDependency{
	{"login profile", func(r *run, user string) func() error {
		_, err := r.IAM.CreateLoginProfile(r.ctx, &iam.CreateLoginProfileInput{UserName: &user, Password: aws.String("Differential-Passw0rd!")})
		r.must("CreateLoginProfile", err)
		return func() error {
			_, err := r.IAM.DeleteLoginProfile(r.ctx, &iam.DeleteLoginProfileInput{UserName: &user})
			return err
		}
	}},
	{"access key", func(r *run, user string) func() error {
		out, err := r.IAM.CreateAccessKey(r.ctx, &iam.CreateAccessKeyInput{UserName: &user})
		r.must("CreateAccessKey", err)
		return func() error {
			_, err := r.IAM.DeleteAccessKey(r.ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: out.AccessKey.AccessKeyId})
			return err
		}
	}},
	{"SSH public key", func(r *run, user string) func() error {
		km, err := keys()
		if err != nil {
			r.t.Fatal(err)
		}
		out, err := r.IAM.UploadSSHPublicKey(r.ctx, &iam.UploadSSHPublicKeyInput{UserName: &user, SSHPublicKeyBody: &km.sshPublicKey})
		r.must("UploadSSHPublicKey", err)
		return func() error {
			_, err := r.IAM.DeleteSSHPublicKey(r.ctx, &iam.DeleteSSHPublicKeyInput{UserName: &user, SSHPublicKeyId: out.SSHPublicKey.SSHPublicKeyId})
			return err
		}
	}},
	{"signing certificate", func(r *run, user string) func() error {
		km, err := keys()
		if err != nil {
			r.t.Fatal(err)
		}
		out, err := r.IAM.UploadSigningCertificate(r.ctx, &iam.UploadSigningCertificateInput{UserName: &user, CertificateBody: &km.certPEM})
		r.must("UploadSigningCertificate", err)
		return func() error {
			_, err := r.IAM.DeleteSigningCertificate(r.ctx, &iam.DeleteSigningCertificateInput{UserName: &user, CertificateId: out.Certificate.CertificateId})
			return err
		}
	}},
	{"service-specific credential", func(r *run, user string) func() error {
		out, err := r.IAM.CreateServiceSpecificCredential(r.ctx, &iam.CreateServiceSpecificCredentialInput{UserName: &user, ServiceName: aws.String("codecommit.amazonaws.com")})
		r.must("CreateServiceSpecificCredential", err)
		return func() error {
			_, err := r.IAM.DeleteServiceSpecificCredential(r.ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: &user, ServiceSpecificCredentialId: out.ServiceSpecificCredential.ServiceSpecificCredentialId})
			return err
		}
	}},
	{"MFA device", func(r *run, user string) func() error {
		serial := r.enableVirtualMFA(user, "differential")
		return func() error {
			if _, err := r.IAM.DeactivateMFADevice(r.ctx, &iam.DeactivateMFADeviceInput{UserName: &user, SerialNumber: &serial}); err != nil {
				return err
			}
			_, err := r.IAM.DeleteVirtualMFADevice(r.ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
			return err
		}
	}},
	{"group membership", func(r *run, user string) func() error {
		_, err := r.IAM.CreateGroup(r.ctx, &iam.CreateGroupInput{GroupName: aws.String("developers")})
		r.must("CreateGroup", err)
		_, err = r.IAM.AddUserToGroup(r.ctx, &iam.AddUserToGroupInput{GroupName: aws.String("developers"), UserName: &user})
		r.must("AddUserToGroup", err)
		return func() error {
			_, err := r.IAM.RemoveUserFromGroup(r.ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("developers"), UserName: &user})
			return err
		}
	}},
	{"inline policy", func(r *run, user string) func() error {
		_, err := r.IAM.PutUserPolicy(r.ctx, &iam.PutUserPolicyInput{UserName: &user, PolicyName: aws.String("read-own-user"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)})
		r.must("PutUserPolicy", err)
		return func() error {
			_, err := r.IAM.DeleteUserPolicy(r.ctx, &iam.DeleteUserPolicyInput{UserName: &user, PolicyName: aws.String("read-own-user")})
			return err
		}
	}},
	{"attached managed policy", func(r *run, user string) func() error {
		// A customer-managed policy: moto knows AWS-managed ones only when
		// MOTO_IAM_LOAD_MANAGED_POLICIES is set (TestAttachAWSManagedPolicy).
		out, err := r.IAM.CreatePolicy(r.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-only"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)})
		r.must("CreatePolicy", err)
		arn := out.Policy.Arn
		_, err = r.IAM.AttachUserPolicy(r.ctx, &iam.AttachUserPolicyInput{UserName: &user, PolicyArn: arn})
		r.must("AttachUserPolicy", err)
		return func() error {
			_, err := r.IAM.DetachUserPolicy(r.ctx, &iam.DetachUserPolicyInput{UserName: &user, PolicyArn: arn})
			return err
		}
	}},
}

func TestDeleteUserRefusesWhileADependencyRemains(t *testing.T) {
	t.Parallel()
	requireMoto(t)
	for _, dep := range userDependencies {
		t.Run(dep.name, func(t *testing.T) {
			scenario(t, "DeleteUser while the user has "+withArticle(dep.name), func(r *run) {
				user := "leaver"
				_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
				r.must("CreateUser", err)
				remove := dep.add(r, user)
				_, err = r.IAM.DeleteUser(r.ctx, &iam.DeleteUserInput{UserName: &user})
				r.gate(r.wantError("DeleteUser while the "+dep.name+" remains", awsDoc{
					says: "DeleteConflict (HTTP 409): a user's " + dep.name + " must be removed before the user can be deleted",
					ref:  refDeleteUser,
				}, err, "DeleteConflict"))
				_, err = r.IAM.GetUser(r.ctx, &iam.GetUserInput{UserName: &user})
				r.wantSuccess("GetUser after the refused DeleteUser", awsDoc{
					says: "the user still exists: a refused DeleteUser changes nothing",
					ref:  refDeleteUser,
				}, err)
				r.must("removing the "+dep.name, remove())
				_, err = r.IAM.DeleteUser(r.ctx, &iam.DeleteUserInput{UserName: &user})
				r.wantSuccess("DeleteUser once the "+dep.name+" is removed", awsDoc{
					says: "the user is deleted once nothing is attached to it",
					ref:  refDeleteUser,
				}, err)
			})
		})
	}
}

// enableVirtualMFA creates a virtual MFA device and enables it for user with
// two consecutive codes of its seed; it returns the serial number.
func (r *run) enableVirtualMFA(user, device string) string {
	r.t.Helper()
	out, err := r.IAM.CreateVirtualMFADevice(r.ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: &device})
	r.must("CreateVirtualMFADevice", err)
	serial := aws.ToString(out.VirtualMFADevice.SerialNumber)
	code1, code2, err := totpCodes(out.VirtualMFADevice.Base32StringSeed, time.Now())
	if err != nil {
		r.t.Fatalf("%s: %v", r.target, err)
	}
	_, err = r.IAM.EnableMFADevice(r.ctx, &iam.EnableMFADeviceInput{UserName: &user, SerialNumber: &serial, AuthenticationCode1: &code1, AuthenticationCode2: &code2})
	r.must("EnableMFADevice", err)
	return serial
}

// withArticle puts "a" or "an" before a dependency's name, as it is spoken
// ("an MFA device", "an SSH public key").
func withArticle(name string) string {
	switch name[0] {
	case 'a', 'i', 'M', 'S':
		return "an " + name
	}
	return "a " + name
}
