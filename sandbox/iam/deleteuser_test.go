package iam_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// setupOK fails the test on an error from a setup call.
func setupOK[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// userDependency adds one kind of dependency to a user and returns the call that
// removes it again.
type userDependency struct {
	kind    string
	message string // AWS's DeleteConflict message while it remains
	add     func(t *testing.T, user string) (remove func() error)
}

// userDependencies are the nine kinds (and a passkey as a second kind of MFA
// device), set up in s, which must have a group named staff.
func userDependencies(s *credSandbox) []userDependency {
	ctx := context.Background()
	c := s.iam
	return []userDependency{
		{"login profile", "Cannot delete entity, must delete login profile first.", func(t *testing.T, user string) func() error {
			setupOK[*iam.CreateLoginProfileOutput](t)(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(user), Password: aws.String("Sandbox-Passw0rd!")}))
			return func() error {
				_, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(user)})
				return err
			}
		}},
		{"access key", "Cannot delete entity, must delete access keys first.", func(t *testing.T, user string) func() error {
			k := setupOK[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)}))
			return func() error {
				_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: k.AccessKey.AccessKeyId})
				return err
			}
		}},
		{"signing certificate", "Cannot delete entity, must delete certificates first.", func(t *testing.T, user string) func() error {
			cert := setupOK[*iam.UploadSigningCertificateOutput](t)(c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String(user), CertificateBody: aws.String(validCert(t))}))
			return func() error {
				_, err := c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String(user), CertificateId: cert.Certificate.CertificateId})
				return err
			}
		}},
		{"SSH public key", "Cannot delete entity, must remove referenced objects first.", func(t *testing.T, user string) func() error {
			line, _, _ := ed25519AuthorizedKey(t)
			k := setupOK[*iam.UploadSSHPublicKeyOutput](t)(c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String(user), SSHPublicKeyBody: aws.String(line)}))
			return func() error {
				_, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String(user), SSHPublicKeyId: k.SSHPublicKey.SSHPublicKeyId})
				return err
			}
		}},
		{"service-specific credential", "Cannot delete entity, must remove referenced objects first.", func(t *testing.T, user string) func() error {
			sc := setupOK[*iam.CreateServiceSpecificCredentialOutput](t)(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(user), ServiceName: aws.String("codecommit.amazonaws.com")}))
			return func() error {
				_, err := c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String(user), ServiceSpecificCredentialId: sc.ServiceSpecificCredential.ServiceSpecificCredentialId})
				return err
			}
		}},
		{"virtual MFA device", "Cannot delete entity, must delete MFA device first.", func(t *testing.T, user string) func() error {
			serial, seed := s.newVirtualDevice(t, user+"-mfa")
			s.enable(t, user, serial, seed)
			return func() error {
				_, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial)})
				return err
			}
		}},
		{"passkey", "Cannot delete entity, must delete MFA device first.", func(t *testing.T, user string) func() error {
			serial, _ := s.registerDevice(t, user, "passkey")
			return func() error {
				_, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial)})
				return err
			}
		}},
		{"group membership", "Cannot delete entity, must remove users from group first.", func(t *testing.T, user string) func() error {
			setupOK[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(user), GroupName: aws.String("staff")}))
			return func() error {
				_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String(user), GroupName: aws.String("staff")})
				return err
			}
		}},
		{"inline policy", "Cannot delete entity, must delete policies first.", func(t *testing.T, user string) func() error {
			setupOK[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)}))
			return func() error {
				_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p")})
				return err
			}
		}},
		{"attached managed policy", "Cannot delete entity, must detach all policies first.", func(t *testing.T, user string) func() error {
			arn := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
			setupOK[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: arn}))
			return func() error {
				_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(user), PolicyArn: arn})
				return err
			}
		}},
	}
}

func TestDeleteUserConflicts(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	c := s.iam
	setupOK[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("staff")}))
	for i, tt := range userDependencies(s) {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			user := "dep" + string(rune('a'+i))
			s.createUser(t, user)
			remove := tt.add(t, user)
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)})
			wantAPIError(t, err, "DeleteConflict", tt.message)
			if err := remove(); err != nil {
				t.Fatalf("removing the %s: %v", tt.kind, err)
			}
			if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)}); err != nil {
				t.Fatalf("DeleteUser after removing the %s: %v", tt.kind, err)
			}
			_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
			wantAPIError(t, err, "NoSuchEntity", "The user with name "+user+" cannot be found.")
		})
	}
}

// TestDeleteUserAllDependencies removes every dependency in turn: the user stays
// until the last one is gone.
func TestDeleteUserAllDependencies(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	setupOK[*iam.CreateGroupOutput](t)(s.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("staff")}))
	s.createUser(t, "everything")
	var removals []func() error
	for _, dep := range userDependencies(s) {
		removals = append(removals, dep.add(t, "everything"))
	}
	for i, remove := range removals {
		_, err := s.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("everything")})
		wantAPIError(t, err, "DeleteConflict", "")
		if err := remove(); err != nil {
			t.Fatalf("removal %d: %v", i, err)
		}
	}
	if _, err := s.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("everything")}); err != nil {
		t.Fatalf("DeleteUser with nothing left: %v", err)
	}
}

func TestDeleteUserIgnoresBoundaryAndTags(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	_, err := s.iam.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("tagged"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("TAGGED")}); err != nil {
		t.Fatalf("DeleteUser with a boundary and tags: %v", err)
	}
	_, err = s.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("tagged")})
	wantAPIError(t, err, "NoSuchEntity", "The user with name tagged cannot be found.")
}
