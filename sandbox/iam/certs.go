package iam

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func signingCertOperations(ops map[string]awsproto.Operation) {
	ops["UploadSigningCertificate"] = write(uploadSigningCertificate)
	ops["ListSigningCertificates"] = read(listSigningCertificates)
	ops["UpdateSigningCertificate"] = write(signingCerts.update)
	ops["DeleteSigningCertificate"] = write(func(r *awsproto.Request) (any, error) { return signingCerts.delete(r, nil) })
}

// certsPerUser is IAM's quota of signing certificates per user.
const certsPerUser = 2

var (
	certificateIDRule   = awsproto.NewRule(24, 128, `[\w]+`)
	certificateBodyRule = awsproto.NewRule(1, 16384, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)
)

// xmlSigningCert is the SigningCertificate shape (listings include the body too).
type xmlSigningCert struct {
	UserName        string
	CertificateID   string `xml:"CertificateId"`
	CertificateBody string
	Status          string
	UploadDate      time.Time
}

func signingCertXML(u *iamstate.User, c *iamstate.SigningCert) xmlSigningCert {
	return xmlSigningCert{UserName: u.Name, CertificateID: c.ID, CertificateBody: c.Body, Status: c.Status, UploadDate: c.Uploaded}
}

// parseSigningCert checks an uploaded body: one PEM CERTIFICATE that crypto/x509
// parses, currently valid, with an RSA or ECDSA key. It returns the DER.
func parseSigningCert(body string, now time.Time) ([]byte, error) {
	malformed := awsproto.Errorf(http.StatusBadRequest, "MalformedCertificate", "Certificate %s is malformed.", body)
	block, _ := pem.Decode([]byte(body))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, malformed
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, malformed
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, awsproto.Errorf(http.StatusBadRequest, "MalformedCertificate",
			"Certificate is not valid at this time: it is valid from %s to %s.",
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidCertificate",
			"Certificate public key algorithm %s is not supported; use RSA or ECDSA.", cert.PublicKeyAlgorithm)
	}
	return cert.Raw, nil
}

// certInAccount reports whether any user of the account holds a certificate with
// this DER (IAM's DuplicateCertificate is account-wide).
func certInAccount(a iamAccount, der []byte) bool {
	for _, u := range a.Users.All() {
		for _, c := range u.SigningCerts {
			if block, _ := pem.Decode([]byte(c.Body)); block != nil && bytes.Equal(block.Bytes, der) {
				return true
			}
		}
	}
	return false
}

func uploadSigningCertificate(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	body := v.Required(r.Params, "CertificateBody", certificateBodyRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := targetUser(r, a, name)
	if err != nil {
		return nil, err
	}
	der, err := parseSigningCert(body, time.Now())
	if err != nil {
		return nil, err
	}
	if certInAccount(a, der) {
		return nil, awsproto.Errorf(http.StatusConflict, "DuplicateCertificate",
			"The same certificate is already associated with an IAM user in this account.")
	}
	if len(u.SigningCerts) >= certsPerUser {
		return nil, limitExceeded("Cannot exceed quota for CertificatesPerUser: %d", certsPerUser)
	}
	c := &iamstate.SigningCert{ID: state.NewID("", 32), Body: strings.TrimSpace(body), Status: "Active", Uploaded: state.Now()}
	u.SigningCerts = append(u.SigningCerts, c)
	return struct{ Certificate xmlSigningCert }{signingCertXML(u, c)}, nil
}

type listSigningCertsResult struct {
	Certificates []xmlSigningCert `xml:"Certificates>member"`
	pageResult
}

func listSigningCertificates(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := targetUser(r, accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	id := func(c *iamstate.SigningCert) string { return c.ID }
	page, res := paginateSlice(sortedBy(u.SigningCerts, id), id, pg)
	out := listSigningCertsResult{Certificates: make([]xmlSigningCert, len(page)), pageResult: res}
	for i, c := range page {
		out.Certificates[i] = signingCertXML(u, c)
	}
	return out, nil
}

// signingCerts are a user's SigningCerts, for their Update and Delete operations.
var signingCerts = userCredential[iamstate.SigningCert]{
	idParam: "CertificateId", idRule: certificateIDRule, nameRequired: false, missing: "The Certificate with id %s cannot be found.",
	items:  func(u *iamstate.User) *[]*iamstate.SigningCert { return &u.SigningCerts },
	id:     func(c *iamstate.SigningCert) string { return c.ID },
	status: func(c *iamstate.SigningCert) *string { return &c.Status },
}
