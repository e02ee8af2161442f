package offboard

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Reissue gives every reinstated user whose suspension deleted its console
// password a new one through onboarding — the scope's password policy, the
// journal's credential protocol and the delivery channel of `gatehouse
// onboard` — and notes on each row how it went. Only users gatehouse
// manages get one; the others are told how to. Passwords handed over in the
// report (channel none) count as delivered once Report.Confirm is called,
// after the report is written.
func Reissue(ctx context.Context, deps Deps, in *spec.Input, rep *Report) error {
	rows, input := passwordInput(in, rep)
	if input == nil {
		return nil
	}
	odeps := onboard.Deps{Directory: deps.Directory, Journal: deps.Journal, Channel: deps.Channel, Logger: deps.Logger,
		Concurrency: deps.Concurrency, Args: deps.Args, Links: deps.Links}
	plan, err := onboard.MakePlan(ctx, odeps, input)
	if err != nil {
		return fmt.Errorf("planning the new passwords: %w", err)
	}
	plan.Placements = passwordPlacements(plan, rows)
	orep, err := onboard.Apply(ctx, odeps, plan)
	if orep == nil {
		return err
	}
	for _, orow := range orep.Rows {
		row := rows[orow.Account+"\x00"+strings.ToLower(orow.UserName)]
		if row == nil {
			continue
		}
		row.Delivery, row.Password = orow.Delivery, orow.Password
		if !orow.Status.OK() {
			row.Status = StatusFailed
			row.Error = "reactivated, but the new password failed: " + orow.Error + " (" + onboardHint(row, "") + ")"
		}
	}
	rep.issued = orep
	return err
}

// passwordInput is onboarding's input for the reinstated rows that need a
// password, keyed by scope and user; nil when none does. Rows that cannot
// get one here say why.
func passwordInput(in *spec.Input, rep *Report) (map[string]*Row, *spec.Input) {
	channel := in.Delivery.Channel
	rows := map[string]*Row{}
	var people []spec.Person
	var accounts []string
	for i := range rep.Rows {
		row := &rep.Rows[i]
		switch {
		case row.Status != StatusReinstated || !row.PasswordNeeded:
			continue
		case !row.Managed:
			row.Delivery = "no password: not created by gatehouse (" + onboardHint(row, "--adopt") + ")"
			continue
		case channel == spec.ChannelSES && row.Email == "":
			row.Delivery = "no password: no " + engine.TagEmail + " tag to mail it to (" + onboardHint(row, "--deliver none") + ")"
			continue
		}
		rows[row.Account+"\x00"+strings.ToLower(row.UserName)] = row
		people = append(people, spec.Person{Email: row.Email, UserName: row.UserName, Path: spec.DefaultPath,
			Accounts: []string{row.Account}, Deliver: channel, Language: in.Delivery.Language})
		if !slices.Contains(accounts, row.Account) {
			accounts = append(accounts, row.Account)
		}
	}
	if len(people) == 0 {
		return rows, nil
	}
	return rows, &spec.Input{Source: "offboard --reinstate", Format: spec.FormatArguments, Accounts: spec.AccountSelector{IDs: accounts},
		Role: in.Role, Password: spec.Password{Length: spec.DefaultPasswordLength, Source: spec.SourceCrypto, ResetRequired: true},
		Delivery: in.Delivery, People: people}
}

// passwordPlacements keeps, of onboarding's plan, only the users the rows are
// about that exist and are gatehouse's: a reinstatement never creates or
// adopts a user. Those it drops are noted on their rows.
func passwordPlacements(plan *onboard.Plan, rows map[string]*Row) []*onboard.Placement {
	var keep []*onboard.Placement
	for _, pl := range plan.Placements {
		key := pl.Scope.ID + "\x00" + strings.ToLower(pl.UserName)
		row := rows[key]
		switch {
		case row == nil:
		case pl.User != engine.UserManaged || pl.Skip != "":
			row.Delivery = "no password: the user changed since it was reinstated (" + onboardHint(row, "") + ")"
			delete(rows, key)
		default:
			keep = append(keep, pl)
		}
	}
	return keep
}

// onboardHint says how to issue row's password by hand with onboard, which
// takes e-mail addresses (a user named otherwise needs a spec's user_name).
func onboardHint(row *Row, extra string) string {
	if row.Email == "" || !strings.EqualFold(row.Email, row.UserName) {
		return fmt.Sprintf("issue one with gatehouse onboard -f SPEC listing user_name: %s in account %s", row.UserName, row.Account)
	}
	words := []string{"gatehouse", "onboard", row.Email, "--account", row.Account}
	if extra != "" {
		words = append(words, strings.Fields(extra)...)
	}
	return "issue one with: " + shell.Line(words)
}

// Confirm records the passwords handed over in the report (channel none) as
// delivered. Call it once the report has been written.
func (r *Report) Confirm(ctx context.Context) error {
	if r.issued == nil {
		return nil
	}
	return r.issued.Confirm(ctx)
}

// Issued says whether the run issued new passwords through onboarding.
func (r *Report) Issued() bool { return r.issued != nil }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
