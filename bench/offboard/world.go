package main

import (
	"bytes"
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
	"os"
	"path/filepath"
	"strings"
	"time"
)

// management is the organisation's management account: gatehouse and the
// runbook script run with its root credentials.
const management = "111111111111"

// memberID is the i-th member account: 222222222222, 333333333333, …
func memberID(i int) string { return strings.Repeat(fmt.Sprint((i+2)%10), 12) }

// person is someone offboarded: their user has the same name in each account.
type person struct {
	email, userName string
}

func peopleOf(n int, prefix string) []person {
	out := make([]person, n)
	for i := range out {
		email := fmt.Sprintf("%s%03d@example.com", prefix, i)
		out[i] = person{email: email, userName: email}
	}
	return out
}

// userKind says what each user has attached.
type userKind int

const (
	// loaded: every kind of dependency at once — a virtual, a hardware TOTP
	// and a passkey MFA device, two access keys, two SSH keys, two signing
	// certificates, service-specific credentials for two services, three
	// groups, two inline and two managed policies, a permissions boundary.
	loaded userKind = iota
	// typical: login profile, two access keys, an SSH key, a virtual MFA
	// device, two groups, an inline and a managed policy.
	typical
	// runbookable: what AWSConfigRemediation-DeleteIAMUser can remove in one
	// run — typical plus a signing certificate and a service-specific
	// credential, and MFA devices of the virtual kind only (the runbook
	// passes every serial to DeleteVirtualMFADevice, which fails for
	// hardware tokens and passkeys).
	runbookable
)

// writeWorld writes a fixture: the organisation (the management account and
// the members, each trusting the management account through
// OrganizationAccountAccessRole) and everyone's user of kind in every one of
// accounts.
func writeWorld(dir, name string, members []string, accounts []string, everyone []person, kind userKind) (string, error) {
	var b strings.Builder
	b.WriteString("organization:\n  management_account: \"111111111111\"\n  accounts:\n")
	b.WriteString("    - {id: \"111111111111\", name: Management, email: aws-management@example.com}\n")
	for i, m := range members {
		fmt.Fprintf(&b, "    - {id: %q, name: Member%d, email: aws-member%d@example.com}\n", m, i, i)
	}
	b.WriteString("accounts:\n")
	for _, acct := range append([]string{management}, members...) {
		fmt.Fprintf(&b, "  %q:\n", acct)
		if acct != management {
			b.WriteString(`    roles:
      - name: OrganizationAccountAccessRole
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`)
		}
		b.WriteString(`    policies:
      - {name: DeveloperBoundary, path: /boundaries/, document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
    groups: [{name: developers, path: /staff/}, {name: on-call}, {name: readers}]
`)
		if !contains(accounts, acct) || len(everyone) == 0 {
			continue
		}
		b.WriteString("    users:\n")
		for _, p := range everyone {
			b.WriteString(userYAML(acct, p, kind))
		}
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// Inline policy documents.
const (
	docS3Read     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team bucket/*"}]}`
	docDenyDelete = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:Delete*","iam:*"],"Resource":"*"}]}`
)

func userYAML(account string, p person, kind userKind) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	device := q(strings.ReplaceAll(p.userName, "@", ".") + "-phone")
	var b strings.Builder
	fmt.Fprintf(&b, "      - name: %s\n", q(p.userName))
	fmt.Fprintf(&b, "        tags: {\"gatehouse:managed-by\": gatehouse, \"gatehouse:email\": %s, team: platform}\n", q(p.email))
	b.WriteString("        login_profile: {password: \"Old-Password-123!\", password_reset_required: true}\n")
	b.WriteString("        access_keys: [{}, {status: Inactive}]\n")
	fmt.Fprintf(&b, "        inline_policies:\n          s3-read: %s\n", q(docS3Read))
	switch kind {
	case loaded:
		fmt.Fprintf(&b, "          deny-delete: %s\n", q(docDenyDelete))
		fmt.Fprintf(&b, "        permissions_boundary: arn:aws:iam::%s:policy/boundaries/DeveloperBoundary\n", account)
		fmt.Fprintf(&b, "        ssh_keys: [{body: %s}, {body: %s, status: Inactive}]\n", q(sshKey(p.userName, 1)), q(sshKey(p.userName, 2)))
		fmt.Fprintf(&b, "        signing_certificates: [{body: %s}, {body: %s, status: Inactive}]\n", q(certificate(p.userName)), q(certificate(p.userName)))
		b.WriteString("        service_credentials: [{service: codecommit.amazonaws.com}, {service: bedrock.amazonaws.com, status: Inactive}]\n")
		fmt.Fprintf(&b, "        mfa_devices: [{type: virtual, name: %s}, {type: hardware}, {type: passkey, name: key}]\n", device)
		b.WriteString("        groups: [developers, on-call, readers]\n")
		b.WriteString("        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/IAMUserChangePassword]\n")
	case typical, runbookable:
		fmt.Fprintf(&b, "        ssh_keys: [{body: %s}]\n", q(sshKey(p.userName, 1)))
		fmt.Fprintf(&b, "        mfa_devices: [{type: virtual, name: %s}]\n", device)
		b.WriteString("        groups: [developers, readers]\n")
		b.WriteString("        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n")
		if kind == runbookable {
			fmt.Fprintf(&b, "        signing_certificates: [{body: %s}]\n", q(certificate(p.userName)))
			b.WriteString("        service_credentials: [{service: codecommit.amazonaws.com}]\n")
		}
	}
	return b.String()
}

// writePeople writes the people file gatehouse reads: a CSV of addresses.
func writePeople(dir, name string, everyone []person) (string, error) {
	var b strings.Builder
	b.WriteString("email\n")
	for _, p := range everyone {
		b.WriteString(p.email + "\n")
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
