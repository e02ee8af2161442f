package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// serviceCredentialAPI is what the service-specific credential entry calls.
type serviceCredentialAPI interface {
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, optFns ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
	DeleteServiceSpecificCredential(ctx context.Context, in *iam.DeleteServiceSpecificCredentialInput, optFns ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error)
	UpdateServiceSpecificCredential(ctx context.Context, in *iam.UpdateServiceSpecificCredentialInput, optFns ...func(*iam.Options)) (*iam.UpdateServiceSpecificCredentialOutput, error)
}

var _ serviceCredentialAPI = (*iam.Client)(nil)

var serviceCredentials = &dependency{
	name: "service-specific credential", plural: "service-specific credentials", action: "delete",
	list: listServiceCredentials,
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.ServiceSpecificCredentials))
		for i, c := range rec.ServiceSpecificCredentials {
			out[i] = Item{ID: c.ServiceSpecificCredentialID, Active: c.Status == string(iamtypes.StatusTypeActive),
				Detail: c.Status + ", " + c.ServiceName + ", created " + day(c.CreateDate)}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{
			UserName: ptr(s.user), ServiceSpecificCredentialId: ptr(it.ID)})
		return err
	},
	suspend: func(ctx context.Context, s *session, it Item) error {
		return setServiceCredential(ctx, s, it, iamtypes.StatusTypeInactive)
	},
	reinstate: func(ctx context.Context, s *session, it Item) error {
		return setServiceCredential(ctx, s, it, iamtypes.StatusTypeActive)
	},
}

func setServiceCredential(ctx context.Context, s *session, it Item, status iamtypes.StatusType) error {
	_, err := s.api.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{
		UserName: ptr(s.user), ServiceSpecificCredentialId: ptr(it.ID), Status: status})
	return err
}

// listServiceCredentials lists the credentials of every service (no
// ServiceName: listing per known service misses the services added since),
// following Marker by hand: the SDK has no paginator for it.
func listServiceCredentials(ctx context.Context, s *session, rec *Record) error {
	in := &iam.ListServiceSpecificCredentialsInput{UserName: ptr(s.user)}
	for {
		out, err := s.api.ListServiceSpecificCredentials(ctx, in)
		if err != nil {
			return err
		}
		for _, c := range out.ServiceSpecificCredentials {
			rec.ServiceSpecificCredentials = append(rec.ServiceSpecificCredentials, ServiceSpecificCredential{
				ServiceSpecificCredentialID: deref(c.ServiceSpecificCredentialId), ServiceName: deref(c.ServiceName),
				ServiceUserName: deref(c.ServiceUserName), ServiceCredentialAlias: deref(c.ServiceCredentialAlias),
				Status: string(c.Status), CreateDate: deref(c.CreateDate), ExpirationDate: c.ExpirationDate,
			})
		}
		if !out.IsTruncated || deref(out.Marker) == "" {
			return nil
		}
		in.Marker = out.Marker
	}
}
