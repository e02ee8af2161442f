package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// verdict is what the verifying server concluded about one request.
type verdict struct {
	method, uri string
	signed, ok  bool
}

// verifier is an HTTP server that checks every request's SigV4 signature
// against one secret and answers 400, so clients stop after one attempt.
type verifier struct {
	URL      string
	mu       sync.Mutex
	verdicts []verdict
}

func newVerifier(t *testing.T, secret string) *verifier {
	t.Helper()
	v := &verifier{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, signed := parseSignature(r)
		ok := signed && verifySignature(r, body, sig, secret)
		v.mu.Lock()
		v.verdicts = append(v.verdicts, verdict{r.Method, r.URL.RequestURI(), signed, ok})
		v.mu.Unlock()
		w.Header().Set("x-amzn-ErrorType", "Recorded")
		w.WriteHeader(http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	v.URL = srv.URL
	return v
}

// take returns the verdicts so far and forgets them.
func (v *verifier) take() []verdict {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.verdicts
	v.verdicts = nil
	return out
}

// expect fails unless every recorded request was signed and verified as want.
func (v *verifier) expect(t *testing.T, what string, want bool) {
	t.Helper()
	got := v.take()
	if len(got) == 0 {
		t.Errorf("%s: the verifier saw no request", what)
	}
	for _, vd := range got {
		if !vd.signed || vd.ok != want {
			t.Errorf("%s: %s %s signed=%v verified=%v, want verified=%v", what, vd.method, vd.uri, vd.signed, vd.ok, want)
		}
	}
}

func sdkConfig(url, key, secret, token string) aws.Config {
	return aws.Config{
		Region:           "eu-west-1",
		Credentials:      aws.NewCredentialsCache(staticCreds{aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}}),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

type staticCreds struct{ c aws.Credentials }

func (s staticCreds) Retrieve(context.Context) (aws.Credentials, error) { return s.c, nil }

// sdkCalls are requests of every protocol, with the values that trip naive
// canonicalisation: spaces, '+', '~', '|', '@', non-ASCII, and '/' in paths.
func sdkCalls(cfg aws.Config) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"iam CreateUser": func(ctx context.Context) error {
			_, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a+b=c,d.e@f_g-h"),
				Path: aws.String("/a~b|c/"), Tags: []iamtypes.Tag{{Key: aws.String("team name"), Value: aws.String("plat form/ü+~*")}}})
			return err
		},
		"sts GetCallerIdentity": func(ctx context.Context) error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		"secretsmanager GetRandomPassword": func(ctx context.Context) error {
			_, err := secretsmanager.NewFromConfig(cfg).GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeCharacters: aws.String("/@\" +~|")})
			return err
		},
		"organizations ListAccounts": func(ctx context.Context) error {
			_, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		},
		"sesv2 GetEmailIdentity": func(ctx context.Context) error {
			_, err := sesv2.NewFromConfig(cfg).GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("a+b@example.com")})
			return err
		},
		"sesv2 ListEmailIdentities": func(ctx context.Context) error {
			_, err := sesv2.NewFromConfig(cfg).ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{
				PageSize: aws.Int32(5), NextToken: aws.String("a+b/c=d e~|")})
			return err
		},
	}
}

func TestVerifySignatureAcceptsGoSDK(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, testSecret)
	for _, tc := range []struct {
		name, secret, token string
		want                bool
	}{
		{"right secret", testSecret, "", true},
		{"right secret with session token", testSecret, "FwoGZXIvYXdzEBY//token+with/slash=", true},
		{"wrong secret", "not-" + testSecret, "", false},
	} {
		cfg := sdkConfig(v.URL, "AKIAIOSFODNN7EXAMPLE", tc.secret, tc.token)
		for name, call := range sdkCalls(cfg) {
			_ = call(context.Background()) // the verifier answers 400; its verdict is what counts
			v.expect(t, tc.name+": "+name, tc.want)
		}
	}
}

// TestVerifySignatureEdgeCases signs requests directly with the SDK's signer,
// reaching query and header shapes no generated client sends.
func TestVerifySignatureEdgeCases(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, testSecret)
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: testSecret}
	empty := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	for _, tc := range []struct{ name, method, path, query string }{
		{"keys that sort differently once encoded", "GET", "/", "a%7C=1&ab=2&a=3"},
		{"repeated keys", "GET", "/", "k=b&k=a&k=%20"},
		{"plus, space and tilde", "GET", "/", "v=a%2Bb&w=a%20b&x=~"},
		{"key without value", "GET", "/", "flag&other="},
		{"escaped path", "GET", "/v2/email/identities/a%40b.com", ""},
		{"path with space and unicode", "GET", "/v2/email/identities/x%20y%C3%BC", ""},
		{"path with reserved characters", "GET", "/v2/email/identities/a%2Fb%3Ac", ""},
	} {
		req, _ := http.NewRequest(tc.method, v.URL+tc.path+"?"+tc.query, nil)
		if tc.query == "" {
			req.URL.RawQuery = ""
		}
		req.Header.Set("X-Amz-Meta-Spaces", "  several   inner    spaces ")
		req.Header.Add("X-Amz-Meta-Multi", "one")
		req.Header.Add("X-Amz-Meta-Multi", "two")
		if err := signer.SignHTTP(context.Background(), creds, req, empty, "ses", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		send(t, req)
		v.expect(t, tc.name, true)

		presign, _ := http.NewRequest(tc.method, v.URL+tc.path+"?"+tc.query, nil)
		url, _, err := signer.PresignHTTP(context.Background(), creds, presign, empty, "sts", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		presigned, _ := http.NewRequest(tc.method, url, nil)
		send(t, presigned)
		v.expect(t, tc.name+" (presigned)", true)
	}
}

func send(t *testing.T, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// cliCalls are AWS CLI v2 commands of every protocol, with awkward values.
var cliCalls = map[string][]string{
	"iam create-user":                    {"iam", "create-user", "--user-name", "a+b=c,d.e@f_g-h", "--path", "/a~b|c/", "--tags", "Key=team name,Value=plat form/ü+~*"},
	"sts get-caller-identity":            {"sts", "get-caller-identity"},
	"ses list-identities":                {"ses", "list-identities", "--max-items", "3"},
	"secretsmanager get-random-password": {"secretsmanager", "get-random-password", "--exclude-characters", "/@\" +~|"},
	"organizations list-accounts":        {"organizations", "list-accounts"},
	"sesv2 get-email-identity":           {"sesv2", "get-email-identity", "--email-identity", "a+b@example.com"},
	"sesv2 list-email-identities":        {"sesv2", "list-email-identities", "--page-size", "5", "--next-token", "a+b/c=d e~|"},
	"sesv2 delete-email-identity(/)":     {"sesv2", "delete-email-identity", "--email-identity", "odd/name@example.com"},
}

func TestVerifySignatureAcceptsAWSCLI(t *testing.T) {
	t.Parallel()
	bin := awsCLI(t)
	few := []string{"iam create-user", "sesv2 get-email-identity"}
	for _, tc := range []struct {
		name, secret, token string
		calls               []string
		want                bool
	}{
		{"right secret", testSecret, "", nil, true},
		{"right secret with session token", testSecret, "FwoGZXIvYXdzEBY//token+with/slash=", few, true},
		{"wrong secret", "not-" + testSecret, "", few, false},
	} {
		for name, args := range cliCalls {
			if tc.calls != nil && !slices.Contains(tc.calls, name) {
				continue
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				v := newVerifier(t, testSecret)
				_, _ = runCLI(t, bin, v.URL, "AKIAIOSFODNN7EXAMPLE", tc.secret, tc.token, args...)
				v.expect(t, name, tc.want)
			})
		}
	}
}

// runCLI runs the AWS CLI against url with one attempt and returns its stderr.
func runCLI(t *testing.T, bin, url, key, secret, token string, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", url, "--output", "json", "--no-cli-pager"}, args...)...)
	cmd.Env = []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=eu-west-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	}
	if token != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+token)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// awsCLI finds the AWS CLI v2 (pyenv may put a v1 first on PATH).
func awsCLI(t *testing.T) string {
	t.Helper()
	for _, c := range append(filepath.SplitList(os.Getenv("PATH")), "/usr/bin", "/usr/local/bin") {
		bin := filepath.Join(c, "aws")
		if out, err := exec.Command(bin, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return bin
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("AWS CLI v2 is required in CI (install Debian's awscli package)")
	}
	t.Skip("no AWS CLI v2 on PATH or in /usr/bin")
	return ""
}
