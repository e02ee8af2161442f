package iam_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// sshString is RFC 4251's length-prefixed string, written independently of the
// sandbox's own encoder so the tests check it.
func sshString(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// ed25519AuthorizedKey returns an OpenSSH line for a fresh key and its MD5 fingerprint.
func ed25519AuthorizedKey(t *testing.T) (line, fingerprint string, pub ed25519.PublicKey) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blob := append(sshString([]byte("ssh-ed25519")), sshString(pub)...)
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " someone@example", strings.Join(parts, ":"), pub
}

func pemPublicKey(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func rsaKey(t *testing.T, bits int) *rsa.PublicKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey
}

func TestSSHPublicKeyLifecycle(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "erin")
	line, fp, pub := ed25519AuthorizedKey(t)

	up, err := s.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyBody: aws.String(line)})
	if err != nil {
		t.Fatal(err)
	}
	k := up.SSHPublicKey
	if !strings.HasPrefix(*k.SSHPublicKeyId, "APKA") || len(*k.SSHPublicKeyId) != 20 || *k.Fingerprint != fp || k.Status != types.StatusTypeActive {
		t.Errorf("uploaded key = id %s fingerprint %s (want %s) status %s", *k.SSHPublicKeyId, *k.Fingerprint, fp, k.Status)
	}

	asPEM, err := s.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypePem})
	if err != nil {
		t.Fatal(err)
	}
	if got := *asPEM.SSHPublicKey.SSHPublicKeyBody; got != pemPublicKey(t, pub) {
		t.Errorf("PEM encoding = %q, want %q", got, pemPublicKey(t, pub))
	}
	asSSH, err := s.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})
	if err != nil || *asSSH.SSHPublicKey.SSHPublicKeyBody != line {
		t.Errorf("SSH encoding = %v, %v", asSSH, err)
	}

	_, err = s.iam.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeInactive})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("erin")})
	if err != nil || len(list.SSHPublicKeys) != 1 || list.SSHPublicKeys[0].Status != types.StatusTypeInactive {
		t.Fatalf("ListSSHPublicKeys = %+v, %v", list, err)
	}
	if _, err := s.iam.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyId: k.SSHPublicKeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = s.iam.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("erin"), SSHPublicKeyId: k.SSHPublicKeyId})
	wantAPIError(t, err, "NoSuchEntity", "The Public Key with id "+*k.SSHPublicKeyId+" cannot be found.")
}

func TestSSHPublicKeyFormats(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa2048 := rsaKey(t, 2048)
	rsaPKCS1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsaKey(t, 2048))}))
	tests := []struct {
		name     string
		body     string
		code     string // "" when the upload succeeds
		wantType string // the SSH encoding's key type on success
	}{
		{"rsa PEM", pemPublicKey(t, rsa2048), "", "ssh-rsa"},
		{"rsa PKCS1 PEM", rsaPKCS1, "", "ssh-rsa"},
		{"ecdsa PEM", pemPublicKey(t, &ecKey.PublicKey), "", "ecdsa-sha2-nistp256"},
		{"short rsa", pemPublicKey(t, rsaKey(t, 1024)), "InvalidPublicKey", ""},
		{"bad base64", "ssh-ed25519 !!!notbase64!!!", "InvalidPublicKey", ""},
		{"truncated blob", "ssh-ed25519 " + base64.StdEncoding.EncodeToString(sshString([]byte("ssh-ed25519"))), "InvalidPublicKey", ""},
		{"type mismatch", "ssh-rsa " + strings.Fields(func() string { l, _, _ := ed25519AuthorizedKey(t); return l }())[1], "InvalidPublicKey", ""},
		{"RFC 4716", "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----", "UnrecognizedPublicKeyEncoding", ""},
		{"certificate PEM", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "UnrecognizedPublicKeyEncoding", ""},
		{"garbage", "hello", "UnrecognizedPublicKeyEncoding", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user := fmt.Sprintf("fmt%d", i)
			s.createUser(t, user)
			up, err := s.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String(user), SSHPublicKeyBody: aws.String(tt.body)})
			if tt.code != "" {
				wantAPIError(t, err, tt.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.iam.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String(user), SSHPublicKeyId: up.SSHPublicKey.SSHPublicKeyId, Encoding: types.EncodingTypeSsh})
			if err != nil || !strings.HasPrefix(*got.SSHPublicKey.SSHPublicKeyBody, tt.wantType+" ") {
				t.Errorf("SSH encoding = %v, %v; want a %s key", got, err, tt.wantType)
			}
		})
	}
}

func TestSSHPublicKeyDuplicateQuotaAndPages(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "frank")
	var first string
	for i := range 5 {
		line, _, pub := ed25519AuthorizedKey(t)
		if i == 0 {
			first = pemPublicKey(t, pub) // the same key in the other encoding
		}
		if _, err := s.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyBody: aws.String(line)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyBody: aws.String(first)})
	wantAPIError(t, err, "DuplicateSSHPublicKey", "")
	line, _, _ := ed25519AuthorizedKey(t)
	_, err = s.iam.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyBody: aws.String(line)})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5")

	seen := map[string]bool{}
	p := iam.NewListSSHPublicKeysPaginator(s.iam, &iam.ListSSHPublicKeysInput{UserName: aws.String("frank"), MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range page.SSHPublicKeys {
			seen[*k.SSHPublicKeyId] = true
		}
	}
	if pages != 3 || len(seen) != 5 {
		t.Errorf("%d pages with %d distinct keys, want 3 pages and 5 keys", pages, len(seen))
	}
}
