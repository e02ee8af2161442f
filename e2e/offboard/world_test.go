package offboard_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The organisation: the management account, whose root credentials gatehouse
// runs with, and three members it enters through OrganizationAccountAccessRole.
// People have users in the management account too: --all-accounts covers it.
const (
	management  = "111111111111"
	production  = "222222222222"
	development = "333333333333"
	playground  = "444444444444"
)

var accounts = []string{management, production, development, playground}

// Tags onboarding puts on the users it creates (internal/onboard reads and
// writes them under these keys); offboarding finds people by the e-mail tag.
const (
	tagManagedBy = "gatehouse:managed-by"
	tagEmail     = "gatehouse:email"
)

// person is someone the people file names, with where their users are.
type person struct {
	Email    string
	UserName string // the same in each of their accounts
	Accounts []string
	// Registered are the MFA device types added through the sandbox's
	// inspection API (AWS has no API for them: they are set up in the console).
	Registered []string
}

// people are n people, each with a user in one to three of the four
// accounts (about two on average). Every fifth has a user name that is not
// their address, so only the gatehouse:email tag finds them.
func people(n int) []person {
	out := make([]person, n)
	for i := range out {
		p := person{Email: fmt.Sprintf("person%03d@example.com", i)}
		p.UserName = p.Email
		if i%5 == 2 {
			p.UserName = fmt.Sprintf("Person%03d.Ops", i)
		}
		for k := range 1 + i%3 {
			p.Accounts = append(p.Accounts, accounts[(i+k)%len(accounts)])
		}
		if i%5 == 1 {
			p.Registered = append(p.Registered, "passkey")
		}
		if i%7 == 3 {
			p.Registered = append(p.Registered, "hardware")
		}
		out[i] = p
	}
	return out
}

// bystander is a user in every account that nobody offboards: it, its
// virtual MFA device and the spare unassigned device must survive.
const bystander = "bystander"

const spareDevice = "spare-phone"

// writeFixture writes the sandbox fixture for everyone into dir.
func writeFixture(t *testing.T, dir string, everyone []person) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: aws-management@example.com}
  units:
    - name: Workloads
      accounts:
        - {id: "222222222222", name: Production, email: aws-production@example.com}
        - {id: "333333333333", name: Development, email: aws-development@example.com}
        - {id: "444444444444", name: Playground, email: aws-playground@example.com}
accounts:
`)
	for _, acct := range accounts {
		fmt.Fprintf(&b, "  %q:\n", acct)
		if acct != management {
			b.WriteString(`    roles:
      - name: OrganizationAccountAccessRole
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`)
		}
		b.WriteString(`    policies:
      - {name: DeveloperBoundary, path: /boundaries/, document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
      - {name: TeamPolicy, path: /team/, document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:List*", Resource: "*"}]}}
    groups: [{name: developers, path: /staff/}, {name: on-call}, {name: readers}]
    users:
`)
		b.WriteString(bystanderYAML())
		for i, p := range everyone {
			for _, a := range p.Accounts {
				if a == acct {
					b.WriteString(userYAML(i, p, acct))
				}
			}
		}
	}
	path := filepath.Join(dir, "world.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func bystanderYAML() string {
	return `      - name: bystander
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": bystander@example.com}
        login_profile: {password: "Old-Password-123!"}
        access_keys: [{}]
        groups: [developers]
        mfa_devices: [{type: virtual, name: bystander-phone}]
`
}

// Inline policy documents, with characters that URL encoding must keep.
const (
	docS3Read     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team bucket/*"}]}`
	docDenyDelete = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:Delete*","iam:*"],"Resource":"*","Condition":{"StringLike":{"aws:username":"a+b=c"}}}]}`
)

// userYAML is person i's user in account: every one has a login profile,
// access keys, SSH keys, groups, inline and managed policies and an enabled
// virtual MFA device; some also a signing certificate, service-specific
// credentials for two services, a permissions boundary or a hardware token.
func userYAML(i int, p person, account string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	fmt.Fprintf(&b, "      - name: %s\n", q(p.UserName))
	fmt.Fprintf(&b, "        tags: {%q: gatehouse, %q: %s, team: platform}\n", tagManagedBy, tagEmail, q(p.Email))
	if i%2 == 0 {
		fmt.Fprintf(&b, "        permissions_boundary: arn:aws:iam::%s:policy/boundaries/DeveloperBoundary\n", account)
	}
	b.WriteString("        login_profile: {password: \"Old-Password-123!\", password_reset_required: true}\n")
	if i%2 == 0 {
		b.WriteString("        access_keys: [{}, {status: Inactive}]\n")
	} else {
		b.WriteString("        access_keys: [{}]\n")
	}
	fmt.Fprintf(&b, "        ssh_keys: [{body: %s}", q(sshKey(p.UserName+account, 1)))
	if i%3 == 0 {
		fmt.Fprintf(&b, ", {body: %s, status: Inactive}", q(sshKey(p.UserName+account, 2)))
	}
	b.WriteString("]\n")
	if i%3 == 1 {
		fmt.Fprintf(&b, "        signing_certificates: [{body: %s}]\n", q(certificate(p.UserName)))
	}
	if i%4 == 3 {
		b.WriteString("        service_credentials: [{service: codecommit.amazonaws.com}, {service: bedrock.amazonaws.com, status: Inactive}]\n")
	}
	fmt.Fprintf(&b, "        mfa_devices: [{type: virtual, name: %s}", q(strings.ReplaceAll(p.UserName, "@", ".")+"-phone"))
	if i%6 == 5 {
		b.WriteString(", {type: hardware}")
	}
	b.WriteString("]\n")
	if i%2 == 1 {
		b.WriteString("        groups: [developers, readers, on-call]\n")
	} else {
		b.WriteString("        groups: [developers, readers]\n")
	}
	b.WriteString("        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess")
	if i%3 == 2 {
		fmt.Fprintf(&b, ", arn:aws:iam::%s:policy/team/TeamPolicy", account)
	}
	b.WriteString("]\n")
	fmt.Fprintf(&b, "        inline_policies:\n          s3-read: %s\n", q(docS3Read))
	if i%5 == 0 {
		fmt.Fprintf(&b, "          deny-delete: %s\n", q(docDenyDelete))
	}
	return b.String()
}

// registerDevices adds the hardware tokens and passkeys people register in
// the console, through the sandbox's inspection API, and one virtual device
// that nobody uses (a spare, which offboarding must leave alone).
func registerDevices(t *testing.T, sb *sandbox, everyone []person) {
	t.Helper()
	for _, p := range everyone {
		for _, acct := range p.Accounts {
			for _, typ := range p.Registered {
				sb.Inspect(t, http.MethodPost, "iam/mfa-devices",
					map[string]string{"account": acct, "user": p.UserName, "type": typ, "name": "key"}, nil)
			}
		}
	}
	_, err := sb.iam(production).CreateVirtualMFADevice(context.Background(),
		&iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(spareDevice)})
	if err != nil {
		t.Fatalf("creating the spare virtual MFA device: %v", err)
	}
}

// writePeople writes the people file gatehouse reads: a CSV of addresses.
func writePeople(t *testing.T, dir string, everyone []person) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email\n")
	for _, p := range everyone {
		b.WriteString(p.Email + "\n")
	}
	path := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// iam is an IAM client acting as account's root, straight to the sandbox.
func (s *sandbox) iam(account string) *iam.Client {
	return iam.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(account, "x", ""),
		BaseEndpoint: aws.String(s.URL),
	})
}

// sshKey is a deterministic OpenSSH ed25519 public key.
func sshKey(name string, n int) string {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, fmt.Sprintf("%d-%s", n, name))
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	var blob bytes.Buffer
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		_ = binary.Write(&blob, binary.BigEndian, uint32(len(part)))
		blob.Write(part)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob.Bytes()) + " " + name + "@laptop"
}

// certificate is a self-signed ECDSA certificate in PEM.
func certificate(name string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}
