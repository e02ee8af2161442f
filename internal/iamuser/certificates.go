package iamuser

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// certificateAPI is what the signing certificate entry calls.
type certificateAPI interface {
	ListSigningCertificates(ctx context.Context, in *iam.ListSigningCertificatesInput, optFns ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error)
	DeleteSigningCertificate(ctx context.Context, in *iam.DeleteSigningCertificateInput, optFns ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
	UpdateSigningCertificate(ctx context.Context, in *iam.UpdateSigningCertificateInput, optFns ...func(*iam.Options)) (*iam.UpdateSigningCertificateOutput, error)
}

var _ certificateAPI = (*iam.Client)(nil)

var signingCertificates = &dependency{
	name: "signing certificate", plural: "signing certificates", action: "delete",
	list: func(ctx context.Context, s *session, rec *Record) error {
		pages := iam.NewListSigningCertificatesPaginator(s.api, &iam.ListSigningCertificatesInput{UserName: ptr(s.user)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, c := range page.Certificates {
				rec.SigningCertificates = append(rec.SigningCertificates, SigningCertificate{CertificateID: deref(c.CertificateId),
					Status: string(c.Status), UploadDate: deref(c.UploadDate), CertificateBody: deref(c.CertificateBody)})
			}
		}
		return nil
	},
	items: func(rec *Record) []Item {
		out := make([]Item, len(rec.SigningCertificates))
		for i, c := range rec.SigningCertificates {
			out[i] = Item{ID: c.CertificateID, Active: c.Status == string(iamtypes.StatusTypeActive), Detail: c.Status + ", uploaded " + day(c.UploadDate)}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: ptr(s.user), CertificateId: ptr(it.ID)})
		return err
	},
	suspend: func(ctx context.Context, s *session, it Item) error {
		return setCertificate(ctx, s, it, iamtypes.StatusTypeInactive)
	},
	reinstate: func(ctx context.Context, s *session, it Item) error {
		return setCertificate(ctx, s, it, iamtypes.StatusTypeActive)
	},
}

func setCertificate(ctx context.Context, s *session, it Item, status iamtypes.StatusType) error {
	_, err := s.api.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: ptr(s.user), CertificateId: ptr(it.ID), Status: status})
	return err
}
