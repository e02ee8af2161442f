// Package claim_test is the acceptance test of one-time claim links: the real
// `gatehouse serve` binary, the sandbox's IAM and SES, the claim channel of
// package deliver, and Debian's Chromium (headless, driven with chromedp)
// opening the link from the mail, revealing the password and signing in.
//
// Without /usr/bin/chromium the browser tests skip, unless
// GATEHOUSE_REQUIRE_CHROMIUM=1 (as in CI), which makes them fail. Run with
// -update-screenshots (or GATEHOUSE_UPDATE_SCREENSHOTS=1) to rewrite
// docs/images/claim-*.png.
package claim_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/images/claim-before-reveal.png and claim-after-reveal.png")

// binary is the gatehouse binary built for this run.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	bin, cleanup, err := harness.Build("gatehouse-e2e-claim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = bin
	code := m.Run()
	stopBrowser()
	cleanup()
	os.Exit(code)
}

const (
	account  = "111111111111"
	sender   = "it@example.com"
	apiToken = "e2e-claim-api-token-0123456789abcdef"
)

// server is a `gatehouse serve` subprocess, stopped when the test ends.
type server struct {
	URL  string
	Data string // its --data directory
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func startServe(t *testing.T) *server {
	t.Helper()
	s := &server{Data: filepath.Join(t.TempDir(), "serve-data")}
	logPath := filepath.Join(t.TempDir(), "serve.log")
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", s.Data)
	cmd.Env = append(os.Environ(), "GATEHOUSE_CLAIM_TOKEN="+apiToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse serve: %v", err)
	}
	found, copied := make(chan string, 1), make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gatehouse serve did not stop cleanly on SIGINT: %v", err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("gatehouse serve did not stop within 15 seconds of SIGINT")
		}
		<-copied
		logFile.Close()
		checkLog(t, logPath)
	})
	select {
	case s.URL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("gatehouse serve did not start; its log is in %s", logPath)
	}
	return s
}

// checkLog fails the test when the server's log holds the API token.
func checkLog(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if strings.Contains(string(b), apiToken) {
		t.Errorf("the server's log holds the API token")
	}
}

// world is a sandbox with a verified sender, a claim server, and the claim
// channel that delivers to them.
type world struct {
	sb    *sandboxtest.Sandbox
	serve *server
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{sb: sandboxtest.Start(t, sandbox.Options{}), serve: startServe(t)}
	_, err := sesv2.NewFromConfig(w.sb.Config(account)).CreateEmailIdentity(context.Background(),
		&sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(sender)})
	if err != nil {
		t.Fatalf("verifying %s in SES: %v", sender, err)
	}
	return w
}

// person is an IAM user with a password, as onboarding leaves one.
type person struct {
	deliver.Credential
}

// newPerson creates the IAM user and its login profile (reset required) with
// a fresh password, as onboarding does before it delivers the password.
func (w *world) newPerson(t *testing.T, name, lang string) person {
	t.Helper()
	return w.newPersonIn(t, account, name, lang)
}

// newPersonIn is newPerson in another account of the sandbox.
func (w *world) newPersonIn(t *testing.T, account, name, lang string) person {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(w.sb.Config(account))
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("creating user %s: %v", name, err)
	}
	password := fmt.Sprintf("Gh-%d-%s-%s-x7!", time.Now().UnixNano()%1e6, strings.ToLower(name), account[:3])
	if _, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{
		UserName: aws.String(name), Password: aws.String(password), PasswordResetRequired: true,
	}); err != nil {
		t.Fatalf("setting %s's password: %v", name, err)
	}
	return person{deliver.Credential{
		Account: account, UserName: name, Email: name + "@example.com", DisplayName: strings.ToUpper(name[:1]) + name[1:] + " Example",
		Password: password, SignInURL: "https://" + account + ".signin.aws.amazon.com/console", ResetRequired: true, Language: lang,
	}}
}

// deliver sends p's password as a claim link through the sandbox's SES and
// returns the link from the mail.
func (w *world) deliver(t *testing.T, p person, ttl time.Duration) string {
	t.Helper()
	ch, err := deliver.New("claim", deliver.Deps{
		AWS: w.sb.Config(account), From: "Gatehouse <" + sender + ">",
		Claim: deliver.ClaimConfig{URL: w.serve.URL, Token: apiToken, TTL: ttl, Via: "ses"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	r, err := ch.Deliver(context.Background(), p.Credential)
	if err != nil {
		t.Fatalf("delivering the claim link: %v", err)
	}
	if r.Channel != "claim" || !strings.Contains(r.Detail, "via SES message") {
		t.Errorf("receipt = %+v", r)
	}
	return w.linkFromMail(t, p)
}

var linkPattern = regexp.MustCompile(`http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}`)

// linkFromMail finds the newest mail to p and the claim link in it, checking
// that the mail does not hold the password.
func (w *world) linkFromMail(t *testing.T, p person) string {
	t.Helper()
	var out struct {
		Messages []struct {
			Subject, Text, HTML, Raw string
		}
	}
	w.sb.Get(t, "ses/messages?to="+p.Email, &out)
	if len(out.Messages) == 0 {
		t.Fatalf("no mail to %s", p.Email)
	}
	m := out.Messages[len(out.Messages)-1]
	for name, part := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML, "raw message": m.Raw} {
		if strings.Contains(part, p.Password) {
			t.Errorf("the mail's %s holds the password", name)
		}
	}
	link := linkPattern.FindString(m.Text)
	if link == "" || !strings.Contains(m.HTML, link) {
		t.Fatalf("no claim link in the mail's text and HTML:\n%s", m.Text)
	}
	return link
}

// signsIn asks the sandbox whether password signs p in, and whether a new
// password must be chosen then.
func (w *world) signsIn(t *testing.T, p person, password string) (valid, resetRequired bool) {
	t.Helper()
	var out struct {
		Valid         bool `json:"valid"`
		ResetRequired bool `json:"password_reset_required"`
	}
	w.sb.Post(t, "iam/check-password", map[string]string{"account": p.Account, "user": p.UserName, "password": password}, &out)
	return out.Valid, out.ResetRequired
}
