package deliver

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// Setting a channel up renders the overrides for three accounts when they
// mention .Credentials, so a list that forgets a password stops the run
// before anyone exists; one that does not makes a channel that is no Batcher.
func TestChannelSetupChecksLists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{spec.ChannelSMTP, spec.ChannelFile} {
		base := Deps{From: "ops@example.com", SMTP: SMTPConfig{Addr: "127.0.0.1:2525", TLS: "none"}, File: FileConfig{Dir: dir}}
		forgets := base
		forgets.Template.Text = "{{range .Credentials}}{{.Account}} {{end}}{{.Password}}"
		if ch, err := New(name, forgets); err == nil || !strings.Contains(err.Error(), "does not contain the password of account (444455556666)") {
			t.Errorf("%s with a list that forgets passwords: %v", name, err)
			if ch != nil {
				ch.Close()
			}
		}
		for tmpl, batches := range map[string]bool{"": true, "{{.Password}}": false, "{{range .Credentials}}{{.Password}}{{end}}": true} {
			deps := base
			deps.Template.Text = tmpl
			ch, err := New(name, deps)
			if err != nil {
				t.Fatalf("%s with %q: %v", name, tmpl, err)
			}
			if _, ok := ch.(Batcher); ok != batches {
				t.Errorf("%s with the text template %q: a Batcher %v, want %v", name, tmpl, ok, batches)
			}
			ch.Close()
		}
	}
}

// Slack's text override decides alone: Slack has no HTML body.
func TestSlackTemplatesForSeveralAccounts(t *testing.T) {
	t.Parallel()
	for tmpl, several := range map[string]bool{"": true, "{{.Password}}": false, "{{range .Credentials}}{{.Password}}{{end}}": true} {
		set, err := compileSlack("en", spec.Template{Text: tmpl, HTML: "<p>{{range .Credentials}}{{end}}</p>"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := set.list != nil; got != several {
			t.Errorf("Slack with the text template %q carries several: %v, want %v", tmpl, got, several)
		}
	}
}

func TestCheckBatchWantsOnePerson(t *testing.T) {
	t.Parallel()
	cs := testCredentials("en")
	if err := checkBatch(cs); err != nil {
		t.Fatalf("one person: %v", err)
	}
	upper := slices.Clone(cs)
	upper[1].Email = strings.ToUpper(upper[1].Email)
	if err := checkBatch(upper); err != nil {
		t.Errorf("one person, an address in capitals: %v", err)
	}
	ja := slices.Clone(cs)
	ja[2].Language = "ja"
	for name, bad := range map[string][]Credential{"two languages": ja, "none": nil} {
		if err := checkBatch(bad); err == nil || !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v; want a rejection", name, err)
		}
	}
	if got := who(cs); got != "users (alice@example.com, alice.dev) in accounts (111122223333, 222233334444, 333344445555)" {
		t.Errorf("who = %q", got)
	}
	if got := who(cs[:1]); got != "user (alice@example.com) in account (111122223333)" {
		t.Errorf("who of one = %q", got)
	}
}
