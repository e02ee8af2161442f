package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// accessKeyAPI is what the access key entry calls.
type accessKeyAPI interface {
	ListAccessKeys(ctx context.Context, in *iam.ListAccessKeysInput, optFns ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, optFns ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	DeleteAccessKey(ctx context.Context, in *iam.DeleteAccessKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	UpdateAccessKey(ctx context.Context, in *iam.UpdateAccessKeyInput, optFns ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
}

var _ accessKeyAPI = (*iam.Client)(nil)

var accessKeys = &dependency{
	name: "access key", plural: "access keys", action: "delete",
	list: listAccessKeys,
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.AccessKeys))
		for i, k := range rec.AccessKeys {
			out[i] = Item{ID: k.AccessKeyID, Active: k.Status == string(iamtypes.StatusTypeActive), Detail: k.Status + ", created " +
				day(k.CreateDate) + ", " + lastUsed(k.LastUsed)}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: ptr(s.user), AccessKeyId: ptr(it.ID)})
		return err
	},
	suspend: func(ctx context.Context, s *session, it Item) error {
		return setAccessKey(ctx, s, it, iamtypes.StatusTypeInactive)
	},
	reinstate: func(ctx context.Context, s *session, it Item) error {
		return setAccessKey(ctx, s, it, iamtypes.StatusTypeActive)
	},
}

func setAccessKey(ctx context.Context, s *session, it Item, status iamtypes.StatusType) error {
	_, err := s.api.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: ptr(s.user), AccessKeyId: ptr(it.ID), Status: status})
	return err
}

// listAccessKeys lists the keys, then asks for every key's last use at once.
func listAccessKeys(ctx context.Context, s *session, rec *Record) error {
	pages := iam.NewListAccessKeysPaginator(s.api, &iam.ListAccessKeysInput{UserName: ptr(s.user)})
	var keys []AccessKey
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, AccessKey{AccessKeyID: deref(k.AccessKeyId), Status: string(k.Status), CreateDate: deref(k.CreateDate)})
		}
	}
	err := readEach(len(keys), func(i int) error {
		out, err := s.api.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: ptr(keys[i].AccessKeyID)})
		if err == nil && out.AccessKeyLastUsed != nil {
			u := out.AccessKeyLastUsed
			keys[i].LastUsed = &AccessKeyLastUsed{LastUsedDate: u.LastUsedDate, ServiceName: deref(u.ServiceName), Region: deref(u.Region)}
		}
		return err
	})
	rec.AccessKeys = keys
	return err
}

func lastUsed(u *AccessKeyLastUsed) string {
	if u == nil || u.LastUsedDate == nil {
		return "never used"
	}
	return "last used " + day(*u.LastUsedDate) + " (" + u.ServiceName + ", " + u.Region + ")"
}
