package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/runenv"
)

const serveToken = "serve-test-token-0123456789"

// sandboxDefaults are the Okta hook's settings when no flag gives them.
var sandboxDefaults = runenv.Settings{SandboxDir: DefaultSandboxDir, MailDir: DefaultMailDir}

func TestNewCmdServeFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want ServeOptions
	}{
		{"defaults", nil, ServeOptions{Addr: "127.0.0.1:8080", DataDir: "gatehouse-serve", Okta: sandboxDefaults}},
		{"everything", []string{"--addr", ":8443", "--data", "/var/lib/gh", "--tls-cert", "c.pem", "--tls-key", "k.pem",
			"--token-file", "/etc/gh/token", "--trust-proxy", "-v"},
			ServeOptions{Addr: ":8443", DataDir: "/var/lib/gh", TLSCert: "c.pem", TLSKey: "k.pem", TokenFile: "/etc/gh/token", TrustProxy: true,
				Verbose: true, Okta: sandboxDefaults}},
		{"the Okta hook", []string{"--okta-config", "okta.yaml", "--protect", "gh.yaml", "--name", "serve-1", "--journal", "j.db",
			"--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:4566", "--profile", "idc"},
			ServeOptions{Addr: "127.0.0.1:8080", DataDir: "gatehouse-serve", OktaConfig: "okta.yaml", Protect: "gh.yaml", Name: "serve-1",
				Okta: runenv.Settings{Journal: "j.db", Region: "eu-west-1", EndpointURL: "http://127.0.0.1:4566", Profile: "idc",
					SandboxDir: DefaultSandboxDir, MailDir: DefaultMailDir}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _ := testIO()
			var got *ServeOptions
			cmd := NewCmdServe(streams, func(_ context.Context, o *ServeOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			tt.want.IO = streams
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestServeRefusesBadSetup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shortFile := filepath.Join(dir, "short")
	if err := os.WriteFile(shortFile, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"no token", "", nil, "no API token: set GATEHOUSE_CLAIM_TOKEN or --token-file FILE (make a token with: openssl rand -base64 32)"},
		{"short token", "abc", nil, "the API token from GATEHOUSE_CLAIM_TOKEN is shorter than 16 characters"},
		{"short token file", serveToken, []string{"--token-file", shortFile}, "the API token from --token-file " + shortFile + " is shorter"},
		{"missing token file", "", []string{"--token-file", filepath.Join(dir, "none")}, "reading the API token"},
		{"cert without key", serveToken, []string{"--tls-cert", "c.pem"}, "give both --tls-cert and --tls-key"},
		{"unreadable cert", serveToken, []string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, "loading the TLS certificate (c.pem, k.pem)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, errb := testIO()
			streams.Getenv = func(k string) string {
				if k == claim.TokenEnv {
					return tt.env
				}
				return ""
			}
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			if code := Main(context.Background(), streams, args); code != ExitUsage {
				t.Errorf("exit code %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", errb.String(), tt.want)
			}
		})
	}
}

var serveListening = regexp.MustCompile(`listening on (https?://\S+)`)

// startServe runs `gatehouse serve` in the background until the test ends.
func startServe(t *testing.T, args ...string) (base string, stderr *lockedBuffer) {
	t.Helper()
	return startServeEnv(t, map[string]string{claim.TokenEnv: serveToken}, args...)
}

// startServeEnv runs `gatehouse serve` with only env in its environment.
func startServeEnv(t *testing.T, env map[string]string, args ...string) (base string, stderr *lockedBuffer) {
	t.Helper()
	stderr = &lockedBuffer{}
	streams := &IO{In: strings.NewReader(""), Out: io.Discard, Err: stderr, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- Main(ctx, streams, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if c := <-code; c != ExitOK {
			t.Errorf("serve exited %d: %s", c, stderr)
		}
		if !strings.Contains(stderr.String(), "gatehouse serve stopped") {
			t.Errorf("serve did not say it stopped: %s", stderr)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := serveListening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr
		}
		select {
		case c := <-code:
			code <- c // for the cleanup, which waits for it
			t.Fatalf("serve exited %d: %s", c, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not say where it listens: %s", stderr)
	return "", nil
}

// TestServeCreatesAndLogsNoSecret stores a claim through the API and reveals
// it; the log names the claim but never the token, the key or the ciphertext.
func TestServeCreatesAndLogsNoSecret(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	base, stderr := startServe(t, "--data", data)
	key, sealed, err := claim.Seal("Pa55word!-for-serve")
	if err != nil {
		t.Fatal(err)
	}
	c := &claim.Client{BaseURL: base, Token: serveToken}
	created, err := c.Create(context.Background(), claim.Request{Meta: claim.Meta{UserName: "bob", Account: "111122223333",
		SignInURL: "https://111122223333.signin.aws.amazon.com/console"}, Sealed: sealed})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/c/" + created.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("page: %s", resp.Status)
	}
	if fi, err := os.Stat(filepath.Join(data, claim.StoreFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v, %v", fi, err)
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v", fi, err)
	}
	log := stderr.String()
	if !strings.Contains(log, "claim created") || !strings.Contains(log, created.ID) {
		t.Errorf("the log does not record the claim: %s", log)
	}
	for name, secret := range map[string]string{"token": serveToken, "key": key.Fragment(), "password": "Pa55word!-for-serve"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

func TestServeHTTPS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	base, _ := startServe(t, "--data", dir, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("listening on %s, want https", base)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "ok\n" || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("healthz over HTTPS: %q, HSTS %q", body, resp.Header.Get("Strict-Transport-Security"))
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	var certPEM, keyPEM bytes.Buffer
	_ = pem.Encode(&certPEM, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	_ = pem.Encode(&keyPEM, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(certFile, certPEM.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Plain HTTP beyond loopback carries more than pages browsers refuse to
// decrypt: gatehouse onboard sends the API token with every claim it
// stores, readable by anyone on the path. The warning says so; on loopback
// there is none.
func TestServeWarnsPlainHTTPBeyondLoopback(t *testing.T) {
	t.Parallel()
	_, stderr := startServe(t, "--data", t.TempDir(), "--addr", "0.0.0.0:0")
	log := stderr.String()
	for _, want := range []string{"plain HTTP", "API token", "in clear", "browsers", "--tls-cert"} {
		if !strings.Contains(log, want) {
			t.Errorf("the warning lacks %q: %s", want, log)
		}
	}
	if strings.Contains(log, serveToken) {
		t.Error("the warning holds the token")
	}
	_, stderr = startServe(t, "--data", t.TempDir())
	if strings.Contains(stderr.String(), "plain HTTP") {
		t.Errorf("a warning on loopback: %s", stderr)
	}
}
