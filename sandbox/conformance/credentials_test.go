package conformance

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTemp writes content to a file in the test's temp dir and returns a
// file:// reference for the CLI (PEM bodies start with "-", which the CLI would
// take for an option).
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return "file://" + path
}

// testSigningCert is a fresh self-signed ECDSA certificate in PEM, valid for a day.
func testSigningCert(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "conformance"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// testSSHKey is a fresh ed25519 key as an OpenSSH line, and the same key in PEM.
func testSSHKey(t *testing.T) (line, pemKey string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	str := func(b []byte) []byte { // RFC 4251 string: big-endian length, then the bytes
		n := len(b)
		return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, b...)
	}
	blob := append(str([]byte("ssh-ed25519")), str(pub)...)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob), string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestCredentialsAccessKeys(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "alice")
	out := cli.Run("iam", "create-access-key", "--user-name", "alice")
	id, secret := str(out, "AccessKey", "AccessKeyId"), str(out, "AccessKey", "SecretAccessKey")
	if !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(secret) != 40 || str(out, "AccessKey", "Status") != "Active" {
		t.Fatalf("create-access-key = %v", out)
	}
	never := cli.Run("iam", "get-access-key-last-used", "--access-key-id", id)
	if str(never, "UserName") != "alice" || str(never, "AccessKeyLastUsed", "ServiceName") != "N/A" || get(never, "AccessKeyLastUsed", "LastUsedDate") != nil {
		t.Errorf("last use of a new key = %v", never)
	}

	alice := cli.WithEnv("AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret)
	if me := alice.Run("iam", "get-user"); str(me, "User", "Arn") != "arn:aws:iam::"+cli.Account+":user/alice" {
		t.Errorf("get-user with alice's key = %v", me)
	}
	used := cli.Run("iam", "get-access-key-last-used", "--access-key-id", id)
	if str(used, "AccessKeyLastUsed", "ServiceName") != "iam" || str(used, "AccessKeyLastUsed", "Region") != "us-east-1" || str(used, "AccessKeyLastUsed", "LastUsedDate") == "" {
		t.Errorf("last use after get-user = %v", used)
	}

	second := alice.Run("iam", "create-access-key") // no --user-name: the signing user
	if str(second, "AccessKey", "UserName") != "alice" {
		t.Errorf("create-access-key as alice = %v", second)
	}
	if msg := cli.Fail("LimitExceeded", "iam", "create-access-key", "--user-name", "alice"); msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("quota message = %q", msg)
	}

	first := cli.Run("iam", "list-access-keys", "--user-name", "alice", "--max-items", "1", "--no-paginate")
	if length(first, "AccessKeyMetadata") != 1 || first["IsTruncated"] != true {
		t.Fatalf("first page = %v", first)
	}
	rest := cli.Run("iam", "list-access-keys", "--user-name", "alice", "--max-items", "1", "--no-paginate", "--marker", str(first, "Marker"))
	if length(rest, "AccessKeyMetadata") != 1 || rest["IsTruncated"] == true || str(rest, "AccessKeyMetadata", 0, "AccessKeyId") == str(first, "AccessKeyMetadata", 0, "AccessKeyId") {
		t.Errorf("second page = %v", rest)
	}
	if all := alice.Run("iam", "list-access-keys", "--page-size", "1"); length(all, "AccessKeyMetadata") != 2 {
		t.Errorf("auto-paginated list-access-keys = %v", all)
	}

	cli.Run("iam", "update-access-key", "--user-name", "alice", "--access-key-id", id, "--status", "Inactive")
	alice.Fail("InvalidClientTokenId", "iam", "get-user")
	cli.Run("iam", "update-access-key", "--user-name", "alice", "--access-key-id", id, "--status", "Active")
	alice.Run("iam", "get-user")
	cli.Run("iam", "delete-access-key", "--user-name", "alice", "--access-key-id", id)
	if msg := cli.Fail("NoSuchEntity", "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", id); msg != "The Access Key with id "+id+" cannot be found." {
		t.Errorf("NoSuchEntity message = %q", msg)
	}
	cli.Fail("AccessDenied", "iam", "get-access-key-last-used", "--access-key-id", id)
	cli.Fail("ValidationError", "iam", "list-access-keys") // root callers must name the user
	cli.Fail("NoSuchEntity", "iam", "create-access-key", "--user-name", "nobody")
}

func TestCredentialsSSHPublicKeys(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "bob")
	line, pemKey := testSSHKey(t)
	out := cli.Run("iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", line)
	id := str(out, "SSHPublicKey", "SSHPublicKeyId")
	if !strings.HasPrefix(id, "APKA") || len(str(out, "SSHPublicKey", "Fingerprint")) != 47 {
		t.Fatalf("upload-ssh-public-key = %v", out)
	}
	asPEM := cli.Run("iam", "get-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id, "--encoding", "PEM")
	if str(asPEM, "SSHPublicKey", "SSHPublicKeyBody") != pemKey {
		t.Errorf("PEM encoding = %q, want %q", str(asPEM, "SSHPublicKey", "SSHPublicKeyBody"), pemKey)
	}
	asSSH := cli.Run("iam", "get-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id, "--encoding", "SSH")
	if str(asSSH, "SSHPublicKey", "SSHPublicKeyBody") != line {
		t.Errorf("SSH encoding = %v", asSSH)
	}
	cli.Fail("DuplicateSSHPublicKey", "iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", writeTemp(t, "dup.pem", pemKey))
	cli.Fail("InvalidPublicKey", "iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", "ssh-ed25519 AAAA")
	cli.Fail("UnrecognizedPublicKeyEncoding", "iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", "not a key")
	for range 4 {
		l, _ := testSSHKey(t)
		cli.Run("iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", l)
	}
	l, _ := testSSHKey(t)
	if msg := cli.Fail("LimitExceeded", "iam", "upload-ssh-public-key", "--user-name", "bob", "--ssh-public-key-body", l); msg != "Cannot exceed quota for SSHPublicKeysPerUser: 5" {
		t.Errorf("quota message = %q", msg)
	}

	page := cli.Run("iam", "list-ssh-public-keys", "--user-name", "bob", "--max-items", "2", "--no-paginate")
	if length(page, "SSHPublicKeys") != 2 || page["IsTruncated"] != true {
		t.Fatalf("first page = %v", page)
	}
	if all := cli.Run("iam", "list-ssh-public-keys", "--user-name", "bob", "--page-size", "2"); length(all, "SSHPublicKeys") != 5 {
		t.Errorf("auto-paginated list-ssh-public-keys returned %d keys, want 5", length(all, "SSHPublicKeys"))
	}
	cli.Run("iam", "update-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id, "--status", "Inactive")
	got := cli.Run("iam", "get-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id, "--encoding", "SSH")
	if str(got, "SSHPublicKey", "Status") != "Inactive" {
		t.Errorf("status after update = %v", got)
	}
	cli.Run("iam", "delete-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id)
	if msg := cli.Fail("NoSuchEntity", "iam", "get-ssh-public-key", "--user-name", "bob", "--ssh-public-key-id", id, "--encoding", "SSH"); msg != "The Public Key with id "+id+" cannot be found." {
		t.Errorf("NoSuchEntity message = %q", msg)
	}
}

func TestCredentialsSigningCertificates(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "carol")
	cli.Run("iam", "create-user", "--user-name", "dave")
	cert := testSigningCert(t)
	out := cli.Run("iam", "upload-signing-certificate", "--user-name", "carol", "--certificate-body", writeTemp(t, "c1.pem", cert))
	id := str(out, "Certificate", "CertificateId")
	if len(id) < 24 || str(out, "Certificate", "Status") != "Active" || str(out, "Certificate", "UserName") != "carol" {
		t.Fatalf("upload-signing-certificate = %v", out)
	}
	cli.Fail("DuplicateCertificate", "iam", "upload-signing-certificate", "--user-name", "dave", "--certificate-body", writeTemp(t, "dup.pem", cert))
	if msg := cli.Fail("MalformedCertificate", "iam", "upload-signing-certificate", "--user-name", "carol", "--certificate-body", "invalid-certificate-body"); msg != "Certificate invalid-certificate-body is malformed." {
		t.Errorf("MalformedCertificate message = %q", msg)
	}
	cli.Run("iam", "upload-signing-certificate", "--user-name", "carol", "--certificate-body", writeTemp(t, "c2.pem", testSigningCert(t)))
	if msg := cli.Fail("LimitExceeded", "iam", "upload-signing-certificate", "--user-name", "carol", "--certificate-body", writeTemp(t, "c3.pem", testSigningCert(t))); msg != "Cannot exceed quota for CertificatesPerUser: 2" {
		t.Errorf("quota message = %q", msg)
	}

	first := cli.Run("iam", "list-signing-certificates", "--user-name", "carol", "--max-items", "1", "--no-paginate")
	if length(first, "Certificates") != 1 || first["IsTruncated"] != true {
		t.Fatalf("first page = %v", first)
	}
	rest := cli.Run("iam", "list-signing-certificates", "--user-name", "carol", "--max-items", "1", "--no-paginate", "--marker", str(first, "Marker"))
	if length(rest, "Certificates") != 1 || rest["IsTruncated"] == true {
		t.Errorf("second page = %v", rest)
	}
	cli.Run("iam", "update-signing-certificate", "--user-name", "carol", "--certificate-id", id, "--status", "Inactive")
	all := cli.Run("iam", "list-signing-certificates", "--user-name", "carol")
	for i := 0; i < length(all, "Certificates"); i++ {
		if str(all, "Certificates", i, "CertificateId") == id && str(all, "Certificates", i, "Status") != "Inactive" {
			t.Errorf("certificate after update = %v", get(all, "Certificates", i))
		}
	}
	cli.Run("iam", "delete-signing-certificate", "--user-name", "carol", "--certificate-id", id)
	if msg := cli.Fail("NoSuchEntity", "iam", "delete-signing-certificate", "--user-name", "carol", "--certificate-id", id); msg != "The Certificate with id "+id+" cannot be found." {
		t.Errorf("NoSuchEntity message = %q", msg)
	}
}

func TestCredentialsServiceSpecific(t *testing.T) {
	cli := newCLI(t)
	for _, u := range []string{"erin", "frank"} {
		cli.Run("iam", "create-user", "--user-name", u)
	}
	out := cli.Run("iam", "create-service-specific-credential", "--user-name", "erin", "--service-name", "codecommit.amazonaws.com")
	id, password := str(out, "ServiceSpecificCredential", "ServiceSpecificCredentialId"), str(out, "ServiceSpecificCredential", "ServicePassword")
	if str(out, "ServiceSpecificCredential", "ServiceUserName") != "erin-at-"+cli.Account || password == "" || !strings.HasPrefix(id, "ACCA") {
		t.Fatalf("create-service-specific-credential = %v", out)
	}
	cli.Run("iam", "create-service-specific-credential", "--user-name", "erin", "--service-name", "codecommit.amazonaws.com")
	if msg := cli.Fail("LimitExceeded", "iam", "create-service-specific-credential", "--user-name", "erin", "--service-name", "codecommit.amazonaws.com"); !strings.Contains(msg, ": 2") {
		t.Errorf("quota message = %q", msg)
	}
	cli.Fail("NotSupportedService", "iam", "create-service-specific-credential", "--user-name", "erin", "--service-name", "s3.amazonaws.com")
	key := cli.Run("iam", "create-service-specific-credential", "--user-name", "frank", "--service-name", "bedrock.amazonaws.com", "--credential-age-days", "7")
	if str(key, "ServiceSpecificCredential", "ServiceCredentialSecret") == "" || str(key, "ServiceSpecificCredential", "ExpirationDate") == "" {
		t.Errorf("bedrock API key = %v", key)
	}

	filtered := cli.Run("iam", "list-service-specific-credentials", "--user-name", "erin", "--service-name", "codecommit.amazonaws.com")
	if length(filtered, "ServiceSpecificCredentials") != 2 || str(filtered, "ServiceSpecificCredentials", 0, "ServicePassword") != "" {
		t.Errorf("list for erin = %v", filtered)
	}
	page := cli.Run("iam", "list-service-specific-credentials", "--all-users", "--max-items", "2")
	if length(page, "ServiceSpecificCredentials") != 2 || page["IsTruncated"] != true {
		t.Fatalf("first page across users = %v", page)
	}
	rest := cli.Run("iam", "list-service-specific-credentials", "--all-users", "--max-items", "2", "--marker", str(page, "Marker"))
	if length(rest, "ServiceSpecificCredentials") != 1 || rest["IsTruncated"] == true {
		t.Errorf("second page across users = %v", rest)
	}

	cli.Run("iam", "update-service-specific-credential", "--user-name", "erin", "--service-specific-credential-id", id, "--status", "Inactive")
	reset := cli.Run("iam", "reset-service-specific-credential", "--user-name", "erin", "--service-specific-credential-id", id)
	if p := str(reset, "ServiceSpecificCredential", "ServicePassword"); p == "" || p == password || str(reset, "ServiceSpecificCredential", "Status") != "Inactive" {
		t.Errorf("reset = %v", reset)
	}
	cli.Run("iam", "delete-service-specific-credential", "--user-name", "erin", "--service-specific-credential-id", id)
	cli.Fail("NoSuchEntity", "iam", "delete-service-specific-credential", "--user-name", "erin", "--service-specific-credential-id", id)
}
