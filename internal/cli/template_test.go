package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplatePreview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", `delivery:
  from: it@example.com
  subject: "Welcome, {{.Name}}"
  template:
    text: "User {{.UserName}} at {{.SignInURL}}{{if .ClaimURL}} claim {{.ClaimURL}}{{else}} password {{.Password}}{{end}}"
people:
  - email: alice@example.com
`)
	for _, tt := range []struct {
		name       string
		args       []string
		want, dont []string
	}{
		{"built-in english", []string{"--part", "all"}, []string{"Subject: Your AWS sign-in details", "--- text ---", "--- html ---", "sample-password"}, nil},
		{"built-in japanese subject", []string{"--language", "ja", "--part", "subject"}, []string{"サインイン情報"}, []string{"<html"}},
		{"claim form", []string{"--claim", "--part", "text"}, []string{"one-time link", "https://claims.example.com/c/"}, []string{"sample-password"}},
		{"slack message", []string{"--part", "slack", "--claim"}, []string{"https://claims.example.com/c/"}, []string{"sample-password", "<html"}},
		{"spec overrides", []string{"-f", spec, "--part", "all"}, []string{"Subject: Welcome, Alice", "User alice@example.com at https://"}, []string{"--- html ---"}},
		{"Identity Center welcome", []string{"--welcome"}, []string{"Subject: Your AWS access portal sign-in", "https://d-1234567890.awsapps.com/start", "--- html ---"}, []string{"sample-password", "Password:"}},
		{"an Identity Center spec", []string{"-f", idcExample, "--part", "slack", "--language", "ja"}, []string{"アクセスポータル", "awsapps.com/start"}, []string{"sample-password"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, out, errb := testIO()
			if code := Main(t.Context(), streams, append([]string{"template", "preview"}, tt.args...)); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errb)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("preview lacks %q:\n%s", w, out)
				}
			}
			for _, d := range tt.dont {
				if strings.Contains(out.String(), d) {
					t.Errorf("preview has %q:\n%s", d, out)
				}
			}
		})
	}
}

func TestTemplatePreviewToFileAndBadInput(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "preview.html")
	streams, _, errb := testIO()
	if code := Main(t.Context(), streams, []string{"template", "preview", "--part", "html", "--out", path}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Errorf("%s: %v\n%.200s", path, err, b)
	}
	for _, args := range [][]string{{"--part", "pdf"}, {"--language", "de"}} {
		streams, _, errb := testIO()
		if code := Main(t.Context(), streams, append([]string{"template", "preview"}, args...)); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errb)
		}
	}
}

// Preview refuses what the run would refuse: an override that leaves the
// secret out of the body, or puts it in the subject, and a loop beyond the
// render budget — with the message the run gives, exit 2.
func TestTemplatePreviewRefusesWhatTheRunRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, delivery string
		args           []string
		want           string
	}{
		{"no password", `  template: {text: "Hello {{.Name}}"}`, nil, "delivery.template.text does not contain the password"},
		{"no link", `  template: {text: "Hello {{.Name}}, {{.Password}}"}`, []string{"--claim"}, "delivery.template.text does not contain the claim link"},
		{"password in the subject", `  subject: "Your password: {{.Password}}"`, nil, "delivery.subject puts the password in the subject"},
		{"a loop too long", `  subject: "{{range 2000000000}}x{{end}}"`, nil, "delivery.subject: the number 2000000000 is larger than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec := writeFile(t, dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml",
				"delivery:\n  from: it@example.com\n"+tt.delivery+"\npeople:\n  - email: alice@example.com\n")
			streams, out, errb := testIO()
			code := Main(t.Context(), streams, append([]string{"template", "preview", "-f", spec}, tt.args...))
			if code != ExitUsage || !strings.Contains(errb.String(), tt.want) || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 2 with %q", code, errb, out.Len(), tt.want)
			}
		})
	}
}
