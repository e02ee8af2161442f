package deliver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// claimCredential is c in the form the claim channel hands its carrier: the
// link instead of the password.
func claimCredential(c Credential) Credential {
	c.Password = ""
	c.ClaimURL = "https://claims.example.com/c/3q2-7wEAAAB1Wb8fZ1Xk#Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
	c.ClaimExpires = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	return c
}

// An override that leaves the secret out of a body would be journaled
// "delivered" while the person receives nothing, and one that puts it in the
// subject shows it in every mail list, preview and log. Both are refused,
// in the password form and the claim-link form, without showing the secret.
func TestOverridesMustPutTheSecretInTheBodyAlone(t *testing.T) {
	t.Parallel()
	pw, link := testCredential("en"), claimCredential(testCredential("en"))
	tests := []struct {
		name    string
		c       Credential
		tmpl    spec.Template
		subject string
		want    string // "" for accepted
	}{
		{"text without the password", pw, spec.Template{Text: "Hello {{.Name}}"}, "", "delivery.template.text does not contain the password ({{.Password}})"},
		{"HTML without the password", pw, spec.Template{Text: "{{.Password}}", HTML: "<p>Hello {{.Name}}</p>"}, "", "delivery.template.html does not contain the password ({{.Password}})"},
		{"a password cut short", pw, spec.Template{Text: `{{printf "%.5s" .Password}}`}, "", "does not contain the password"},
		{"password in the subject", pw, spec.Template{}, "Your password is {{.Password}}", "delivery.subject puts the password in the subject"},
		{"password in the subject, hidden", pw, spec.Template{}, `Hi{{if .Password}} {{printf "%s" .Password}}{{end}}`, "puts the password in the subject"},
		{"text without the link", link, spec.Template{Text: "Hello {{.Name}}, {{.Password}}"}, "", "delivery.template.text does not contain the claim link ({{.ClaimURL}})"},
		{"HTML without the link", link, spec.Template{Text: "{{.ClaimURL}}", HTML: "<p>{{.Name}}</p>"}, "", "delivery.template.html does not contain the claim link ({{.ClaimURL}})"},
		{"link in the subject", link, spec.Template{}, "Open {{.ClaimURL}}", "delivery.subject puts the claim link in the subject"},
		{"password overrides", pw, spec.Template{Text: "{{.Password}}", HTML: `<a href="https://example.com/?p={{.Password}}">x</a> <b>{{.Password}}</b>`}, "Welcome {{.Name}}", ""},
		{"link overrides", link, spec.Template{Text: "{{.ClaimURL}}", HTML: `<a href="{{.ClaimURL}}">open</a>`}, "Welcome {{.Name}}", ""},
		{"built-in, password", pw, spec.Template{}, "", ""},
		{"built-in, link", link, spec.Template{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range spec.Languages {
				c := tt.c
				c.Language = lang
				_, err := Render(lang, tt.tmpl, tt.subject, c)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("%s: %v", lang, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrRejected) {
					t.Fatalf("%s: Render = %v, want a rejection with %q", lang, err, tt.want)
				}
				for _, secret := range []string{testPassword, link.ClaimURL, link.ClaimURL[strings.Index(link.ClaimURL, "#")+1:]} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error shows a secret: %v", err)
					}
				}
			}
		})
	}
}

// The check runs when the channel is set up, against a sample credential in
// the form the channel sends: a claim carrier needs the link, not the
// password.
func TestChannelSetupChecksWhereTheSecretGoes(t *testing.T) {
	t.Parallel()
	region := aws.Config{Region: "eu-west-1"}
	claimCfg := ClaimConfig{URL: "https://claims.example.com", Token: "claim-api-token-0123456789"}
	tests := []struct {
		name, channel string
		deps          Deps
		want          string
	}{
		{"ses, no password", "ses", Deps{AWS: region, From: "ops@example.com", Template: spec.Template{Text: "Hello {{.Name}}"}}, "does not contain the password"},
		{"ses, password in subject", "ses", Deps{AWS: region, From: "ops@example.com", Subject: "pw {{.Password}}"}, "puts the password in the subject"},
		{"file, no password", "file", Deps{File: FileConfig{Dir: t.TempDir()}, Template: spec.Template{Text: "Hello {{.Name}}"}}, "does not contain the password"},
		{"claim via ses, password only", "claim", Deps{AWS: region, From: "ops@example.com", Claim: claimCfg, Template: spec.Template{Text: "{{.Password}}"}}, "does not contain the claim link ({{.ClaimURL}})"},
		{"claim via ses, link in subject", "claim", Deps{AWS: region, From: "ops@example.com", Claim: claimCfg, Subject: "{{.ClaimURL}}"}, "puts the claim link in the subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := New(tt.channel, tt.deps)
			if err == nil {
				ch.Close()
				t.Fatalf("New(%s) accepted the override", tt.channel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%s) = %v, want %q", tt.channel, err, tt.want)
			}
		})
	}
	ok, err := New("claim", Deps{AWS: region, From: "ops@example.com", Claim: claimCfg, Template: spec.Template{Text: "{{.ClaimURL}}"}})
	if err != nil {
		t.Fatalf("a link override for claim links: %v", err)
	}
	ok.Close()
}

// An override that passes with the sample credential but leaves the secret
// out for a real person is refused at delivery, before anything is sent.
func TestDeliveryRefusesAMessageWithoutTheSecret(t *testing.T) {
	t.Parallel()
	ch, fake := newFakeSES(t, Deps{From: "ops@example.com", Template: spec.Template{Text: `{{if eq .UserName "alice@example.com"}}{{.Password}}{{end}}`}}, nil)
	c := testCredential("en")
	c.UserName, c.Email = "bob@example.com", "bob@example.com"
	_, err := ch.Deliver(context.Background(), c)
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "does not contain the password") || strings.Contains(err.Error(), testPassword) {
		t.Fatalf("Deliver = %v", err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("%d messages sent", len(fake.calls))
	}
}

// Overrides are rendered within a budget of time and size: a loop that
// would run for minutes or fill the memory is refused at once, with a
// message that says why, instead of crashing the process.
func TestOverridesRenderWithinABudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tmpl    spec.Template
		subject string
		want    string
	}{
		{"a huge loop in the subject", spec.Template{}, "{{range 2000000000}}x{{end}}", "delivery.subject: the number 2000000000 is larger than"},
		{"a huge silent loop", spec.Template{}, "Hi{{range 2000000000}}{{end}}", "delivery.subject: the number 2000000000 is larger than"},
		{"a huge number in a variable", spec.Template{Text: "{{$n := 2000000000}}{{range $n}}{{end}}{{.Password}}"}, "", "the number 2000000000 is larger than"},
		{"nested loops", spec.Template{Text: "{{range 10000}}{{range 10000}}{{end}}{{end}}{{.Password}}"}, "", "delivery.template.text may take more than"},
		{"loops over computed lengths", spec.Template{Text: `{{$s := printf "%09000d" 0}}{{range len $s}}{{range len $s}}{{end}}{{end}}{{.Password}}`}, "", "may take more than"},
		{"a subject too long", spec.Template{}, "{{range 10000}}xxxxxxxxxx{{end}}", "delivery.subject: the subject would be longer than"},
		{"a body too long", spec.Template{Text: `{{.Password}}{{range 10000}}{{printf "%01000d" 0}}{{end}}`}, "", "delivery.template.text: the message would be longer than"},
		{"a doubling string", spec.Template{Text: `{{$x := "xxxxxxxx"}}{{range 40}}{{$x = printf "%s%s" $x $x}}{{end}}{{.Password}}`}, "", "printf would make more than"},
		{"a doubling string with print", spec.Template{Text: `{{$x := "xxxxxxxx"}}{{range 40}}{{$x = print $x $x}}{{end}}{{.Password}}`}, "", "print would make more than"},
		{"a growing escape", spec.Template{Text: `{{$x := "&&&&&&&&"}}{{range 40}}{{$x = html $x $x}}{{end}}{{.Password}}`}, "", "html would make more than"},
		{"a huge width", spec.Template{Text: `{{printf "%0999999999d" 0}}{{.Password}}`}, "", "printf would make more than"},
		{"a huge width from an argument", spec.Template{Text: `{{printf "%*d" 16000 0}}{{printf "%*d" 20000 0}}{{.Password}}`}, "", "larger than"},
		{"a template calling itself", spec.Template{Text: `{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}{{.Password}}`}, "", `calls itself`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := Render("en", tt.tmpl, tt.subject, testCredential("en"))
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("refusing took %s", took)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrRejected) {
				t.Fatalf("Render = %v, want a rejection with %q", err, tt.want)
			}
		})
	}
	// Ordinary use of the same features stays allowed.
	ok := spec.Template{Text: `{{define "sig"}}-- {{.AccountName}}{{end}}{{printf "%-12s" .UserName}} {{.Password}}{{range $i := 5}}{{if lt $i 3}}{{$i}}{{end}}{{end}} {{template "sig" .}} {{html .Name}} {{range 3}}.{{end}}`}
	if _, err := Render("en", ok, "", testCredential("en")); err != nil {
		t.Errorf("ordinary features: %v", err)
	}
}

// Parse errors name the spec field and the line in it.
func TestTemplateParseErrorsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tmpl    spec.Template
		subject string
		want    string
	}{
		{spec.Template{}, "Hi {{.Name", "delivery.subject:1: unclosed action"},
		{spec.Template{Text: "Hi\n\n{{.Password"}, "", "delivery.template.text:3: unclosed action"},
		{spec.Template{HTML: "<p>\n{{if .Name}}</p>"}, "", "delivery.template.html:2: unexpected EOF"},
	}
	for _, tt := range tests {
		_, err := Render("en", tt.tmpl, tt.subject, testCredential("en"))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrRejected) {
			t.Errorf("Render = %v, want %q", err, tt.want)
		}
	}
}
