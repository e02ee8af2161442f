package deliver

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// welcomeCredential is an Identity Center user's welcome: no password.
func welcomeCredential(lang string) Credential {
	c := Credential{
		Account: "d-1111111111", UserName: "ada@example.com", Email: "ada@example.com", DisplayName: "Ada Lovelace",
		SignInURL: "https://d-1111111111.awsapps.com/start", Language: lang, Welcome: true,
	}
	if lang == spec.LanguageJapanese {
		c.UserName, c.Email, c.DisplayName = "taro.yamada@example.com", "taro.yamada@example.com", "山田 太郎"
	}
	return c
}

func TestBuiltinWelcomeGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		m, err := Render(lang, spec.Template{}, "", welcomeCredential(lang))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for ext, got := range map[string]string{"subject": m.Subject + "\n", "txt": m.Text, "html": m.HTML} {
			golden(t, filepath.Join("testdata", lang+"-welcome."+ext), got)
		}
		slack, err := RenderSlack(lang, spec.Template{}, "", welcomeCredential(lang))
		if err != nil {
			t.Fatalf("%s Slack: %v", lang, err)
		}
		golden(t, filepath.Join("testdata", lang+"-welcome.slack"), slack)
	}
}

// An Identity Center user has no password: the welcome gives the access
// portal's address, the user name and how to set a password, and says
// nothing of a password of its own — in mail (text and HTML) and on Slack,
// in every language.
func TestWelcomeCarriesThePortalNotAPassword(t *testing.T) {
	t.Parallel()
	passwordLine := map[string][]string{"en": {"Password:", "IAM user"}, "ja": {"パスワード：", "IAM ユーザー"}}
	for _, lang := range spec.Languages {
		c := welcomeCredential(lang)
		m, err := Render(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		slack, err := RenderSlack(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML, "Slack": slack} {
			for _, want := range []string{c.SignInURL, c.UserName, c.DisplayName, c.Email} {
				if !strings.Contains(body, want) && !strings.Contains(body, htmlEscaped(want)) {
					t.Errorf("%s %s welcome lacks %q", lang, part, want)
				}
			}
			for _, not := range passwordLine[lang] {
				if strings.Contains(body, not) {
					t.Errorf("%s %s welcome has %q, as if there were a password or an IAM user:\n%s", lang, part, not, body)
				}
			}
		}
		if strings.Contains(m.Subject, "sign-in details for") || strings.Contains(m.Subject, "d-1111111111") {
			t.Errorf("%s subject %q is the IAM user's", lang, m.Subject)
		}
	}
}

// The secret-placement checks demand no password of a welcome, but its
// bodies must hold the access portal's address; a channel that carries
// welcomes checks its overrides with a welcome, so an override without
// {{.Password}} is right for it.
func TestWelcomeOverridesNeedThePortalNotAPassword(t *testing.T) {
	t.Parallel()
	region := aws.Config{Region: "eu-west-1"}
	good := spec.Template{Text: "Hi {{.Name}}, sign in at {{.SignInURL}} as {{.UserName}}"}
	if _, err := Render("en", good, "", welcomeCredential("en")); err != nil {
		t.Errorf("a welcome override without a password: %v", err)
	}
	_, err := Render("en", spec.Template{Text: "Hi {{.Name}}"}, "", welcomeCredential("en"))
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "does not contain the access portal's address") {
		t.Errorf("a welcome override without the portal = %v", err)
	}
	ch, err := New("ses", Deps{AWS: region, From: "ops@example.com", Template: good, Welcome: true})
	if err != nil {
		t.Fatalf("an SES channel for welcomes with a welcome override: %v", err)
	}
	ch.Close()
	if _, err := New("ses", Deps{AWS: region, From: "ops@example.com", Template: good}); err == nil || !strings.Contains(err.Error(), "does not contain the password") {
		t.Errorf("the same override for IAM passwords = %v, want it refused", err)
	}
	if _, err := New("slack", Deps{Slack: SlackConfig{Token: "xoxb-0123456789"}, Template: spec.Template{Text: "Hi {{.Name}}"}, Welcome: true}); err == nil ||
		!strings.Contains(err.Error(), "access portal") {
		t.Errorf("a Slack welcome override without the portal = %v, want it refused", err)
	}
}

// SES sends the welcome as it sends a password: one message to the person.
func TestSESSendsTheWelcome(t *testing.T) {
	t.Parallel()
	ch, fake := newFakeSES(t, Deps{From: "ops@example.com", Welcome: true}, nil)
	c := welcomeCredential("en")
	if _, err := ch.Deliver(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("%d SendEmail calls", len(fake.calls))
	}
	msg := fake.calls[0].Content.Simple
	if !strings.Contains(aws.ToString(msg.Body.Text.Data), c.SignInURL) || aws.ToString(msg.Subject.Data) != "Your AWS access portal sign-in" {
		t.Errorf("the welcome sent: %q\n%s", aws.ToString(msg.Subject.Data), aws.ToString(msg.Body.Text.Data))
	}
}

// Claim links and encrypted files exist to carry a secret: they refuse a
// welcome, saying which channels can carry it.
func TestClaimAndFileRefuseAWelcome(t *testing.T) {
	t.Parallel()
	f, err := New("file", Deps{File: FileConfig{Dir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := welcomeCredential("en")
	c.PublicKey = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"
	if _, err := f.Deliver(context.Background(), c); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "no password to seal or encrypt") {
		t.Errorf("file Deliver(welcome) = %v", err)
	}
	cl, err := New("claim", Deps{AWS: aws.Config{Region: "eu-west-1"}, From: "ops@example.com",
		Claim: ClaimConfig{URL: "https://claims.example.com", Token: "claim-api-token-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Deliver(context.Background(), c); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "by ses, smtp or slack") {
		t.Errorf("claim Deliver(welcome) = %v", err)
	}
}
