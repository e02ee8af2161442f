package onboard

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/report"
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
	PasswordPolicy string `json:",omitempty"`
}

type jsonTarget struct {
	Account  string
	UserName string
	Email    string `json:",omitempty"`
	User     engine.UserState
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
	for _, s := range p.Scopes {
		out.Accounts = append(out.Accounts, jsonPlanAccount{Account: s.ID, Name: s.Name, Alias: s.Alias,
			LoginURL: s.SignInURL, PasswordPolicy: s.Policy})
	}
	for _, pl := range p.Placements {
		out.Targets = append(out.Targets, jsonTarget{Account: pl.Scope.ID, UserName: pl.UserName, Email: pl.Person.Email,
			User: pl.User, Skip: pl.Skip, Steps: engine.Strings(pl.Steps)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writePlanCSV(w io.Writer, p *Plan) error {
	cw := report.NewCSVWriter(w)
	_ = cw.Write([]string{"account", "user_name", "email", "user", "step"})
	for _, pl := range p.Placements {
		steps := engine.Strings(pl.Steps)
		if pl.Skip != "" {
			steps = []string{"skip: " + pl.Skip}
		}
		for _, s := range steps {
			_ = cw.Write([]string{pl.Scope.ID, pl.UserName, pl.Person.Email, string(pl.User), s})
		}
	}
	cw.Flush()
	return cw.Error()
}

func writePlanText(w io.Writer, p *Plan) error {
	var b strings.Builder
	todo := 0
	for _, pl := range p.Placements {
		if len(pl.Steps) > 0 {
			todo++
		}
	}
	noun := scopeNoun(p.Scopes)
	fmt.Fprintf(&b, "Plan: %s in %s; %d to onboard or complete. Nothing has been changed.\n",
		report.Plural(len(p.Input.People), "person", "people"), report.Plural(len(p.Scopes), noun, noun+"s"), todo)
	for _, s := range p.Scopes {
		fmt.Fprintf(&b, "\n%s %s  %s\n", s.Noun, s.Label(), s.SignInURL)
		if s.Policy != "" {
			fmt.Fprintf(&b, "  password policy: %s\n", s.Policy)
		}
		for _, pl := range p.In(s) {
			writePlacementText(&b, pl)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePlacementText(b *strings.Builder, pl *Placement) {
	what := map[engine.UserState]string{engine.UserAbsent: "new user", engine.UserManaged: "gatehouse's user",
		engine.UserForeign: "exists, not created by gatehouse"}[pl.User]
	switch {
	case pl.Skip != "":
		fmt.Fprintf(b, "  %s: skip — %s\n", pl.UserName, pl.Skip)
	case len(pl.Steps) == 0:
		fmt.Fprintf(b, "  %s: %s, nothing to do\n", pl.UserName, what)
	default:
		fmt.Fprintf(b, "  %s: %s\n", pl.UserName, what)
		for _, s := range pl.Steps {
			fmt.Fprintf(b, "    %s\n", s)
		}
	}
}
