package iamuser

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// fakeCall is one call the fake received: the method and the item it named.
type fakeCall struct {
	Method string
	ID     string
}

// fakeIAM answers discovery from a Record, two items per page, and records
// every call: the order calls started in and the order they finished in.
// Hook runs at every call; it may block, or return the error the call fails with.
type fakeIAM struct {
	rec  *Record
	hook func(c fakeCall) error

	mu          sync.Mutex
	started     []fakeCall
	finished    []fakeCall
	seq         int              // one clock for starts and finishes
	seqStarted  map[fakeCall]int // first start of each call
	seqFinished map[fakeCall]int // first finish of each call
}

func (f *fakeIAM) call(method, id string) error {
	c := fakeCall{method, id}
	f.mu.Lock()
	f.started = append(f.started, c)
	f.seq++
	if f.seqStarted == nil {
		f.seqStarted, f.seqFinished = map[fakeCall]int{}, map[fakeCall]int{}
	}
	if _, ok := f.seqStarted[c]; !ok {
		f.seqStarted[c] = f.seq
	}
	f.mu.Unlock()
	var err error
	if f.hook != nil {
		err = f.hook(c)
	}
	f.mu.Lock()
	f.finished = append(f.finished, c)
	f.seq++
	if _, ok := f.seqFinished[c]; !ok {
		f.seqFinished[c] = f.seq
	}
	f.mu.Unlock()
	return err
}

// log returns copies of the calls started and finished so far.
func (f *fakeIAM) log() (started, finished []fakeCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.started...), append([]fakeCall(nil), f.finished...)
}

// page returns the page of items after marker, two at a time.
func page[T any](items []T, marker *string) (out []T, next *string, truncated bool) {
	from, _ := strconv.Atoi(aws.ToString(marker))
	to := min(from+2, len(items))
	if to < len(items) {
		return items[from:to], aws.String(strconv.Itoa(to)), true
	}
	return items[from:to], nil, false
}

func t0() *time.Time { t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); return &t }

func (f *fakeIAM) GetUser(_ context.Context, in *iam.GetUserInput, _ ...func(*iam.Options)) (*iam.GetUserOutput, error) {
	if err := f.call("GetUser", aws.ToString(in.UserName)); err != nil {
		return nil, err
	}
	u := f.rec.User
	out := &iamtypes.User{UserName: aws.String(u.UserName), UserId: aws.String(u.UserID), Arn: aws.String(u.Arn), Path: aws.String(u.Path), CreateDate: t0()}
	if u.PermissionsBoundary != "" {
		out.PermissionsBoundary = &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(u.PermissionsBoundary)}
	}
	for _, t := range u.Tags {
		out.Tags = append(out.Tags, iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return &iam.GetUserOutput{User: out}, nil
}

func (f *fakeIAM) DeleteUser(_ context.Context, in *iam.DeleteUserInput, _ ...func(*iam.Options)) (*iam.DeleteUserOutput, error) {
	return &iam.DeleteUserOutput{}, f.call("DeleteUser", aws.ToString(in.UserName))
}

func (f *fakeIAM) TagUser(_ context.Context, in *iam.TagUserInput, _ ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	return &iam.TagUserOutput{}, f.call("TagUser", aws.ToString(in.Tags[0].Key))
}

func (f *fakeIAM) UntagUser(_ context.Context, in *iam.UntagUserInput, _ ...func(*iam.Options)) (*iam.UntagUserOutput, error) {
	return &iam.UntagUserOutput{}, f.call("UntagUser", in.TagKeys[0])
}

func (f *fakeIAM) GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error) {
	if err := f.call("GetLoginProfile", ""); err != nil {
		return nil, err
	}
	if f.rec.LoginProfile == nil {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no login profile")}
	}
	return &iam.GetLoginProfileOutput{LoginProfile: &iamtypes.LoginProfile{CreateDate: t0(), PasswordResetRequired: true}}, nil
}

func (f *fakeIAM) DeleteLoginProfile(context.Context, *iam.DeleteLoginProfileInput, ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error) {
	return &iam.DeleteLoginProfileOutput{}, f.call("DeleteLoginProfile", "")
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	if err := f.call("ListAccessKeys", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.AccessKeys, in.Marker)
	out := &iam.ListAccessKeysOutput{Marker: next, IsTruncated: more}
	for _, k := range items {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamtypes.AccessKeyMetadata{AccessKeyId: aws.String(k.AccessKeyID), Status: iamtypes.StatusType(k.Status), CreateDate: t0()})
	}
	return out, nil
}

func (f *fakeIAM) GetAccessKeyLastUsed(_ context.Context, in *iam.GetAccessKeyLastUsedInput, _ ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	if err := f.call("GetAccessKeyLastUsed", aws.ToString(in.AccessKeyId)); err != nil {
		return nil, err
	}
	return &iam.GetAccessKeyLastUsedOutput{AccessKeyLastUsed: &iamtypes.AccessKeyLastUsed{LastUsedDate: t0(), ServiceName: aws.String("s3"), Region: aws.String("eu-west-1")}}, nil
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	return &iam.DeleteAccessKeyOutput{}, f.call("DeleteAccessKey", aws.ToString(in.AccessKeyId))
}

func (f *fakeIAM) UpdateAccessKey(_ context.Context, in *iam.UpdateAccessKeyInput, _ ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error) {
	return &iam.UpdateAccessKeyOutput{}, f.call("UpdateAccessKey:"+string(in.Status), aws.ToString(in.AccessKeyId))
}

func (f *fakeIAM) ListSSHPublicKeys(_ context.Context, in *iam.ListSSHPublicKeysInput, _ ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error) {
	if err := f.call("ListSSHPublicKeys", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.SSHPublicKeys, in.Marker)
	out := &iam.ListSSHPublicKeysOutput{Marker: next, IsTruncated: more}
	for _, k := range items {
		out.SSHPublicKeys = append(out.SSHPublicKeys, iamtypes.SSHPublicKeyMetadata{SSHPublicKeyId: aws.String(k.SSHPublicKeyID), Status: iamtypes.StatusType(k.Status), UploadDate: t0()})
	}
	return out, nil
}

func (f *fakeIAM) GetSSHPublicKey(_ context.Context, in *iam.GetSSHPublicKeyInput, _ ...func(*iam.Options)) (*iam.GetSSHPublicKeyOutput, error) {
	if err := f.call("GetSSHPublicKey", aws.ToString(in.SSHPublicKeyId)); err != nil {
		return nil, err
	}
	return &iam.GetSSHPublicKeyOutput{SSHPublicKey: &iamtypes.SSHPublicKey{SSHPublicKeyBody: aws.String("ssh-ed25519 AAAA " + aws.ToString(in.SSHPublicKeyId)), Fingerprint: aws.String("aa:bb")}}, nil
}

func (f *fakeIAM) DeleteSSHPublicKey(_ context.Context, in *iam.DeleteSSHPublicKeyInput, _ ...func(*iam.Options)) (*iam.DeleteSSHPublicKeyOutput, error) {
	return &iam.DeleteSSHPublicKeyOutput{}, f.call("DeleteSSHPublicKey", aws.ToString(in.SSHPublicKeyId))
}

func (f *fakeIAM) UpdateSSHPublicKey(_ context.Context, in *iam.UpdateSSHPublicKeyInput, _ ...func(*iam.Options)) (*iam.UpdateSSHPublicKeyOutput, error) {
	return &iam.UpdateSSHPublicKeyOutput{}, f.call("UpdateSSHPublicKey:"+string(in.Status), aws.ToString(in.SSHPublicKeyId))
}

func (f *fakeIAM) ListSigningCertificates(_ context.Context, in *iam.ListSigningCertificatesInput, _ ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error) {
	if err := f.call("ListSigningCertificates", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.SigningCertificates, in.Marker)
	out := &iam.ListSigningCertificatesOutput{Marker: next, IsTruncated: more}
	for _, c := range items {
		out.Certificates = append(out.Certificates, iamtypes.SigningCertificate{CertificateId: aws.String(c.CertificateID), Status: iamtypes.StatusType(c.Status), CertificateBody: aws.String("PEM"), UploadDate: t0()})
	}
	return out, nil
}

func (f *fakeIAM) DeleteSigningCertificate(_ context.Context, in *iam.DeleteSigningCertificateInput, _ ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error) {
	return &iam.DeleteSigningCertificateOutput{}, f.call("DeleteSigningCertificate", aws.ToString(in.CertificateId))
}

func (f *fakeIAM) UpdateSigningCertificate(_ context.Context, in *iam.UpdateSigningCertificateInput, _ ...func(*iam.Options)) (*iam.UpdateSigningCertificateOutput, error) {
	return &iam.UpdateSigningCertificateOutput{}, f.call("UpdateSigningCertificate:"+string(in.Status), aws.ToString(in.CertificateId))
}

func (f *fakeIAM) ListServiceSpecificCredentials(_ context.Context, in *iam.ListServiceSpecificCredentialsInput, _ ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	if err := f.call("ListServiceSpecificCredentials", aws.ToString(in.ServiceName)+"|"+aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.ServiceSpecificCredentials, in.Marker)
	out := &iam.ListServiceSpecificCredentialsOutput{Marker: next, IsTruncated: more}
	for _, c := range items {
		out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, iamtypes.ServiceSpecificCredentialMetadata{
			ServiceSpecificCredentialId: aws.String(c.ServiceSpecificCredentialID), ServiceName: aws.String(c.ServiceName), Status: iamtypes.StatusType(c.Status), CreateDate: t0()})
	}
	return out, nil
}

func (f *fakeIAM) DeleteServiceSpecificCredential(_ context.Context, in *iam.DeleteServiceSpecificCredentialInput, _ ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error) {
	return &iam.DeleteServiceSpecificCredentialOutput{}, f.call("DeleteServiceSpecificCredential", aws.ToString(in.ServiceSpecificCredentialId))
}

func (f *fakeIAM) UpdateServiceSpecificCredential(_ context.Context, in *iam.UpdateServiceSpecificCredentialInput, _ ...func(*iam.Options)) (*iam.UpdateServiceSpecificCredentialOutput, error) {
	return &iam.UpdateServiceSpecificCredentialOutput{}, f.call("UpdateServiceSpecificCredential:"+string(in.Status), aws.ToString(in.ServiceSpecificCredentialId))
}

func (f *fakeIAM) ListMFADevices(_ context.Context, in *iam.ListMFADevicesInput, _ ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error) {
	if err := f.call("ListMFADevices", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.MFADevices, in.Marker)
	out := &iam.ListMFADevicesOutput{Marker: next, IsTruncated: more}
	for _, d := range items {
		out.MFADevices = append(out.MFADevices, iamtypes.MFADevice{SerialNumber: aws.String(d.SerialNumber), EnableDate: t0()})
	}
	return out, nil
}

func (f *fakeIAM) DeactivateMFADevice(_ context.Context, in *iam.DeactivateMFADeviceInput, _ ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error) {
	return &iam.DeactivateMFADeviceOutput{}, f.call("DeactivateMFADevice", aws.ToString(in.SerialNumber))
}

func (f *fakeIAM) DeleteVirtualMFADevice(_ context.Context, in *iam.DeleteVirtualMFADeviceInput, _ ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error) {
	return &iam.DeleteVirtualMFADeviceOutput{}, f.call("DeleteVirtualMFADevice", aws.ToString(in.SerialNumber))
}

func (f *fakeIAM) ListVirtualMFADevices(context.Context, *iam.ListVirtualMFADevicesInput, ...func(*iam.Options)) (*iam.ListVirtualMFADevicesOutput, error) {
	return &iam.ListVirtualMFADevicesOutput{}, f.call("ListVirtualMFADevices", "")
}

func (f *fakeIAM) ListGroupsForUser(_ context.Context, in *iam.ListGroupsForUserInput, _ ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error) {
	if err := f.call("ListGroupsForUser", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.Groups, in.Marker)
	out := &iam.ListGroupsForUserOutput{Marker: next, IsTruncated: more}
	for _, g := range items {
		out.Groups = append(out.Groups, iamtypes.Group{GroupName: aws.String(g.GroupName)})
	}
	return out, nil
}

func (f *fakeIAM) RemoveUserFromGroup(_ context.Context, in *iam.RemoveUserFromGroupInput, _ ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error) {
	return &iam.RemoveUserFromGroupOutput{}, f.call("RemoveUserFromGroup", aws.ToString(in.GroupName))
}

func (f *fakeIAM) ListUserPolicies(_ context.Context, in *iam.ListUserPoliciesInput, _ ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error) {
	if err := f.call("ListUserPolicies", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.InlinePolicies, in.Marker)
	out := &iam.ListUserPoliciesOutput{Marker: next, IsTruncated: more}
	for _, p := range items {
		out.PolicyNames = append(out.PolicyNames, p.PolicyName)
	}
	return out, nil
}

func (f *fakeIAM) GetUserPolicy(_ context.Context, in *iam.GetUserPolicyInput, _ ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error) {
	if err := f.call("GetUserPolicy", aws.ToString(in.PolicyName)); err != nil {
		return nil, err
	}
	for _, p := range f.rec.InlinePolicies {
		if p.PolicyName == aws.ToString(in.PolicyName) {
			return &iam.GetUserPolicyOutput{PolicyName: in.PolicyName, PolicyDocument: aws.String(url.PathEscape(string(p.PolicyDocument)))}, nil
		}
	}
	return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no such policy")}
}

func (f *fakeIAM) DeleteUserPolicy(_ context.Context, in *iam.DeleteUserPolicyInput, _ ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error) {
	return &iam.DeleteUserPolicyOutput{}, f.call("DeleteUserPolicy", aws.ToString(in.PolicyName))
}

func (f *fakeIAM) ListAttachedUserPolicies(_ context.Context, in *iam.ListAttachedUserPoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	if err := f.call("ListAttachedUserPolicies", aws.ToString(in.Marker)); err != nil {
		return nil, err
	}
	items, next, more := page(f.rec.AttachedPolicies, in.Marker)
	out := &iam.ListAttachedUserPoliciesOutput{Marker: next, IsTruncated: more}
	for _, p := range items {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: aws.String(p.PolicyArn), PolicyName: aws.String(p.PolicyName)})
	}
	return out, nil
}

func (f *fakeIAM) DetachUserPolicy(_ context.Context, in *iam.DetachUserPolicyInput, _ ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error) {
	return &iam.DetachUserPolicyOutput{}, f.call("DetachUserPolicy", aws.ToString(in.PolicyArn))
}

func (f *fakeIAM) DeleteUserPermissionsBoundary(context.Context, *iam.DeleteUserPermissionsBoundaryInput, ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error) {
	return &iam.DeleteUserPermissionsBoundaryOutput{}, f.call("DeleteUserPermissionsBoundary", "")
}

var _ API = (*fakeIAM)(nil)
