package iam_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// selfSigned returns a PEM certificate for a fresh key of the given kind, valid
// from notBefore to notAfter.
func selfSigned(t *testing.T, kind string, notBefore, notAfter time.Time) string {
	t.Helper()
	var pub crypto.PublicKey
	var priv crypto.Signer
	switch kind {
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	case "ed25519":
		p, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = p, k
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "signing"}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func validCert(t *testing.T) string {
	return selfSigned(t, "ecdsa", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

func TestSigningCertificateLifecycle(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "gina")
	body := validCert(t)
	up, err := s.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("gina"), CertificateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	c := up.Certificate
	if len(*c.CertificateId) < 24 || *c.UserName != "gina" || c.Status != types.StatusTypeActive || *c.CertificateBody+"\n" != body {
		t.Errorf("uploaded certificate = %+v", c)
	}
	if _, err := s.iam.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("gina"), CertificateId: c.CertificateId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := s.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("gina")})
	if err != nil || len(list.Certificates) != 1 || list.Certificates[0].Status != types.StatusTypeInactive {
		t.Fatalf("ListSigningCertificates = %+v, %v", list, err)
	}
	if _, err := s.iam.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("gina"), CertificateId: c.CertificateId}); err != nil {
		t.Fatal(err)
	}
	_, err = s.iam.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("gina"), CertificateId: c.CertificateId})
	wantAPIError(t, err, "NoSuchEntity", "The Certificate with id "+*c.CertificateId+" cannot be found.")
}

func TestSigningCertificateErrors(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	shared := validCert(t)
	s.createUser(t, "owner")
	if _, err := s.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("owner"), CertificateBody: aws.String(shared)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, code, msg string
	}{
		{"not PEM", "invalid-certificate-body", "MalformedCertificate", "Certificate invalid-certificate-body is malformed."},
		{"PEM but not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "MalformedCertificate", ""},
		{"expired", selfSigned(t, "ecdsa", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)), "MalformedCertificate", ""},
		{"ed25519 key", selfSigned(t, "ed25519", time.Now().Add(-time.Hour), time.Now().Add(time.Hour)), "InvalidCertificate", ""},
		{"another user's certificate", shared, "DuplicateCertificate", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user := fmt.Sprintf("cert%d", i)
			s.createUser(t, user)
			_, err := s.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String(user), CertificateBody: aws.String(tt.body)})
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
}

func TestSigningCertificateQuotaAndPages(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "hank")
	for range 2 {
		if _, err := s.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("hank"), CertificateBody: aws.String(validCert(t))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.iam.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("hank"), CertificateBody: aws.String(validCert(t))})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")

	first, err := s.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("hank"), MaxItems: aws.Int32(1)})
	if err != nil || len(first.Certificates) != 1 || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	second, err := s.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("hank"), MaxItems: aws.Int32(1), Marker: first.Marker})
	if err != nil || len(second.Certificates) != 1 || second.IsTruncated {
		t.Fatalf("second page = %+v, %v", second, err)
	}
	if *first.Certificates[0].CertificateId == *second.Certificates[0].CertificateId {
		t.Error("both pages hold the same certificate")
	}
}
