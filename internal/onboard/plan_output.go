package onboard

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/password"
)

// jsonPlan is the dry run in JSON.
type jsonPlan struct {
	Accounts []jsonPlanAccount
	Targets  []jsonTarget
}

type jsonPlanAccount struct {
	Account        string
	Name           string `json:",omitempty"`
	Alias          string `json:",omitempty"`
	LoginURL       string
	PasswordPolicy string
}

type jsonTarget struct {
	Account  string
	UserName string
	Email    string `json:",omitempty"`
	User     UserState
	Skip     string `json:",omitempty"`
	Steps    []string
}

// WritePlan prints the plan — the dry run — in format: per account what was
// read, and per person the steps still to do.
func WritePlan(w io.Writer, format string, p *Plan) error {
	var err error
	switch format {
	case FormatJSON:
		err = writePlanJSON(w, p)
	case FormatCSV:
		err = writePlanCSV(w, p)
	default:
		err = writePlanText(w, p)
	}
	if err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

func writePlanJSON(w io.Writer, p *Plan) error {
	out := jsonPlan{Accounts: []jsonPlanAccount{}, Targets: []jsonTarget{}}
	for _, a := range p.Accounts {
		out.Accounts = append(out.Accounts, jsonPlanAccount{Account: a.ID, Name: a.Name, Alias: a.Alias,
			LoginURL: a.SignInURL, PasswordPolicy: describePolicy(a.Policy)})
	}
	for _, t := range p.Targets {
		out.Targets = append(out.Targets, jsonTarget{Account: t.Account.ID, UserName: t.UserName, Email: t.Person.Email,
			User: t.User, Skip: t.Skip, Steps: stepStrings(t.Steps)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writePlanCSV(w io.Writer, p *Plan) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"account", "user_name", "email", "user", "step"})
	for _, t := range p.Targets {
		steps := stepStrings(t.Steps)
		if t.Skip != "" {
			steps = []string{"skip: " + t.Skip}
		}
		for _, s := range steps {
			_ = cw.Write([]string{t.Account.ID, t.UserName, t.Person.Email, string(t.User), s})
		}
	}
	cw.Flush()
	return cw.Error()
}

func writePlanText(w io.Writer, p *Plan) error {
	var b strings.Builder
	todo := 0
	for _, t := range p.Targets {
		if len(t.Steps) > 0 {
			todo++
		}
	}
	fmt.Fprintf(&b, "Plan: %s in %s; %d to onboard or complete. Nothing has been changed.\n",
		plural(len(p.Input.People), "person", "people"), plural(len(p.Accounts), "account", "accounts"), todo)
	for _, a := range p.Accounts {
		fmt.Fprintf(&b, "\naccount %s  %s\n  password policy: %s\n", accountLabel(a), a.SignInURL, describePolicy(a.Policy))
		for _, t := range p.targetsIn(a) {
			writeTargetText(&b, t)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTargetText(b *strings.Builder, t *Target) {
	what := map[UserState]string{UserAbsent: "new user", UserManaged: "gatehouse's user", UserForeign: "exists, not created by gatehouse"}[t.User]
	switch {
	case t.Skip != "":
		fmt.Fprintf(b, "  %s: skip — %s\n", t.UserName, t.Skip)
	case len(t.Steps) == 0:
		fmt.Fprintf(b, "  %s: %s, nothing to do\n", t.UserName, what)
	default:
		fmt.Fprintf(b, "  %s: %s\n", t.UserName, what)
		for _, s := range t.Steps {
			fmt.Fprintf(b, "    %s\n", s)
		}
	}
}

func stepStrings(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.String()
	}
	return out
}

// describePolicy sums a password policy up in one line.
func describePolicy(p password.Policy) string {
	if p.Default {
		return "AWS default (at least 8 characters, three of the four character types)"
	}
	parts := []string{fmt.Sprintf("at least %d characters", p.MinimumLength)}
	for _, r := range []struct {
		on   bool
		what string
	}{{p.RequireUppercase, "uppercase"}, {p.RequireLowercase, "lowercase"}, {p.RequireNumbers, "numbers"}, {p.RequireSymbols, "symbols"}} {
		if r.on {
			parts = append(parts, r.what)
		}
	}
	if p.AllowUsersToChangePassword {
		parts = append(parts, "users may change their password")
	}
	return strings.Join(parts, ", ")
}
