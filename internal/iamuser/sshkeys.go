package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// sshKeyAPI is what the SSH public key entry calls.
type sshKeyAPI interface {
	ListSSHPublicKeys(ctx context.Context, in *iam.ListSSHPublicKeysInput, optFns ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error)
	GetSSHPublicKey(ctx context.Context, in *iam.GetSSHPublicKeyInput, optFns ...func(*iam.Options)) (*iam.GetSSHPublicKeyOutput, error)
	DeleteSSHPublicKey(ctx context.Context, in *iam.DeleteSSHPublicKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteSSHPublicKeyOutput, error)
	UpdateSSHPublicKey(ctx context.Context, in *iam.UpdateSSHPublicKeyInput, optFns ...func(*iam.Options)) (*iam.UpdateSSHPublicKeyOutput, error)
}

var _ sshKeyAPI = (*iam.Client)(nil)

var sshPublicKeys = &dependency{
	name: "SSH public key", plural: "SSH public keys", action: "delete",
	list: listSSHPublicKeys,
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.SSHPublicKeys))
		for i, k := range rec.SSHPublicKeys {
			out[i] = Item{ID: k.SSHPublicKeyID, Active: k.Status == string(iamtypes.StatusTypeActive),
				Detail: k.Status + ", uploaded " + day(k.UploadDate) + ", fingerprint " + k.Fingerprint}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: ptr(s.user), SSHPublicKeyId: ptr(it.ID)})
		return err
	},
	suspend: func(ctx context.Context, s *session, it Item) error {
		return setSSHKey(ctx, s, it, iamtypes.StatusTypeInactive)
	},
	reinstate: func(ctx context.Context, s *session, it Item) error {
		return setSSHKey(ctx, s, it, iamtypes.StatusTypeActive)
	},
}

func setSSHKey(ctx context.Context, s *session, it Item, status iamtypes.StatusType) error {
	_, err := s.api.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: ptr(s.user), SSHPublicKeyId: ptr(it.ID), Status: status})
	return err
}

// listSSHPublicKeys lists the keys, then reads every key's body at once (the
// listing has none, and the archive needs it to upload the key again).
func listSSHPublicKeys(ctx context.Context, s *session, rec *Record) error {
	pages := iam.NewListSSHPublicKeysPaginator(s.api, &iam.ListSSHPublicKeysInput{UserName: ptr(s.user)})
	var keys []SSHPublicKey
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, k := range page.SSHPublicKeys {
			keys = append(keys, SSHPublicKey{SSHPublicKeyID: deref(k.SSHPublicKeyId), Status: string(k.Status), UploadDate: deref(k.UploadDate)})
		}
	}
	err := readEach(len(keys), func(i int) error {
		out, err := s.api.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: ptr(s.user),
			SSHPublicKeyId: ptr(keys[i].SSHPublicKeyID), Encoding: iamtypes.EncodingTypeSsh})
		if err == nil && out.SSHPublicKey != nil {
			keys[i].Fingerprint, keys[i].SSHPublicKeyBody = deref(out.SSHPublicKey.Fingerprint), deref(out.SSHPublicKey.SSHPublicKeyBody)
		}
		return err
	})
	rec.SSHPublicKeys = keys
	return err
}
