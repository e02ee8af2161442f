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
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/logtest"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	mgmt = "111111111111"
	prod = "222222222222"
	dev  = "333333333333"
	play = "444444444444"
)

var members = []string{prod, dev, play}

// env is a sandbox with the tests' world, a journal, an archive folder and
// the settings offboard's dependencies are built from.
type env struct {
	sb          *sandboxtest.Sandbox
	journal     *journal.Journal
	archive     string
	protect     config.Protect
	creds       aws.CredentialsProvider // the caller: the management account's root by default
	maxAttempts int
	logs        *logtest.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, sandbox.Options{})
}

func newEnvWith(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	sb := sandboxtest.Start(t, opts)
	world, err := os.ReadFile(filepath.Join("testdata", "world.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sb.LoadFixture(t, string(world))
	dir := t.TempDir()
	j, err := journal.Open(context.Background(), filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return &env{sb: sb, journal: j, archive: filepath.Join(dir, "archive"), logs: &logtest.Buffer{},
		creds: credentials.NewStaticCredentialsProvider(mgmt, "sandbox-secret", "")}
}

// deps builds offboard's dependencies as the CLI does: a fresh factory that
// enters the members through OrganizationAccountAccessRole.
func (e *env) deps(t *testing.T) offboard.Deps {
	t.Helper()
	f, err := awsx.New(context.Background(), awsx.Options{
		Endpoint: e.sb.URL, Region: "us-east-1", Role: spec.Role{Name: "OrganizationAccountAccessRole", SessionName: "gatehouse"},
		RequestsPerSecond: -1, Credentials: e.creds, MaxAttempts: e.maxAttempts, BaseDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := iamuser.New(f, iamuser.Options{Backoff: func(int) time.Duration { return time.Millisecond }})
	return offboard.Deps{Directory: dir, Journal: e.journal, ArchiveDir: e.archive, Protect: e.protect, Concurrency: 8,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// request is an offboarding of people (user names or addresses) in accounts.
func request(t *testing.T, action offboard.Action, people []string, accounts ...string) offboard.Request {
	t.Helper()
	flags := spec.Flags{Deliver: spec.Set(spec.ChannelNone)}
	if len(accounts) > 0 {
		flags.Accounts = spec.Set(accounts)
	}
	var (
		in  *spec.Input
		err error
	)
	if len(people) == 0 {
		in, err = spec.FromFlags(flags)
	} else {
		in, err = spec.FromNames(people, flags)
	}
	if err != nil {
		t.Fatal(err)
	}
	return offboard.Request{Action: action, Input: in}
}

func (e *env) plan(t *testing.T, req offboard.Request) *offboard.Plan {
	t.Helper()
	p, err := offboard.MakePlan(context.Background(), e.deps(t), req)
	if err != nil {
		t.Fatalf("MakePlan: %v", err)
	}
	return p
}

func (e *env) apply(t *testing.T, p *offboard.Plan) *offboard.Report {
	t.Helper()
	rep, err := offboard.Apply(context.Background(), e.deps(t), p)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return rep
}

// run plans and applies req.
func (e *env) run(t *testing.T, req offboard.Request) *offboard.Report {
	t.Helper()
	return e.apply(t, e.plan(t, req))
}

// iam is an IAM client acting as account's root, straight to the sandbox.
func (e *env) iam(account string) *iam.Client { return iam.NewFromConfig(e.sb.Config(account)) }

// addUsers adds users (YAML list items, as loadedUser makes) to account.
func (e *env) addUsers(t *testing.T, account string, users ...string) {
	t.Helper()
	e.sb.LoadFixture(t, fmt.Sprintf("accounts:\n  %q:\n    users:\n%s", account, strings.Join(users, "")))
}

// userExists asks the sandbox directly.
func (e *env) userExists(t *testing.T, account, name string) bool {
	t.Helper()
	_, err := e.iam(account).GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil && !strings.Contains(err.Error(), "NoSuchEntity") {
		t.Fatal(err)
	}
	return err == nil
}

// mutating counts the mutating requests in rc and names them.
func mutating(rc sandbox.RequestCounts) (int, string) {
	n, names := 0, []string{}
	for _, row := range rc.Counts {
		if row.Mutating {
			n += row.Count
			names = append(names, row.Account+":"+row.Action)
		}
	}
	return n, strings.Join(names, ", ")
}

// count is how many calls of action rc has (in every account).
func count(rc sandbox.RequestCounts, action string) int {
	n := 0
	for _, row := range rc.Counts {
		if row.Action == action {
			n += row.Count
		}
	}
	return n
}

// Inline policy documents of the loaded user, as the fixture writes them.
const (
	docS3Read     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team bucket/*"}]}`
	docDenyDelete = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:Delete*","iam:*"],"Resource":"*","Condition":{"StringLike":{"aws:username":"a+b=c"}}}]}`
)

// loadedUser is a fixture user with every kind of dependency at once: a
// login profile, two access keys (one inactive), two SSH keys, two signing
// certificates, service-specific credentials for three services, a virtual,
// a hardware TOTP and a passkey MFA device, three groups, two inline and two
// managed policies, a permissions boundary and tags.
func loadedUser(account, name, email string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return fmt.Sprintf(`      - name: %[2]s
        path: /people/
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": %[3]s, team: platform}
        permissions_boundary: arn:aws:iam::%[1]s:policy/boundaries/DeveloperBoundary
        login_profile: {password: "Old-Password-123!", password_reset_required: true}
        access_keys: [{}, {status: Inactive}]
        ssh_keys: [{body: %[4]s}, {body: %[5]s, status: Inactive}]
        signing_certificates: [{body: %[6]s}, {body: %[7]s, status: Inactive}]
        service_credentials:
          - {service: codecommit.amazonaws.com}
          - {service: cassandra.amazonaws.com, status: Inactive}
          - {service: bedrock.amazonaws.com}
        mfa_devices:
          - {type: virtual, name: %[2]s-phone}
          - {type: hardware}
          - {type: passkey, name: %[2]s-key}
        groups: [developers, on-call, readers]
        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/IAMUserChangePassword]
        inline_policies:
          s3-read: %[8]s
          deny-delete: %[9]s
`, account, name, email, q(sshKey(name, 1)), q(sshKey(name, 2)), q(certificate(name, 1)), q(certificate(name, 2)),
		q(docS3Read), q(docDenyDelete))
}

// plainUser is a fixture user with a login profile and one active access key.
func plainUser(name string, tags map[string]string) string {
	var parts []string
	for k, v := range tags {
		parts = append(parts, fmt.Sprintf("%q: %q", k, v))
	}
	return fmt.Sprintf("      - name: %s\n        tags: {%s}\n        login_profile: {password: \"Old-Password-123!\"}\n        access_keys: [{}]\n",
		name, strings.Join(parts, ", "))
}

// sshKey is a deterministic OpenSSH ed25519 public key.
func sshKey(name string, n int) string {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, fmt.Sprintf("%s-ssh-%d", name, n))
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	var blob bytes.Buffer
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		_ = binary.Write(&blob, binary.BigEndian, uint32(len(part)))
		blob.Write(part)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob.Bytes()) + " " + name + "@laptop"
}

// certificate is a self-signed ECDSA certificate in PEM (IAM takes RSA and
// ECDSA signing certificates).
func certificate(name string, n int) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(n)), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}
