package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// reinstateChannels builds the channel the new passwords go through, so a
// bad sender is reported (exit 2) before anything is reactivated.
func reinstateChannels(streams *IO, env *onboardEnv, in *spec.Input) (channels, error) {
	if in.Delivery.Channel == spec.ChannelFile {
		return nil, usageErrorf("--reinstate cannot deliver by file: it knows no one's public key; " +
			"use another channel, or --deliver none and gatehouse deliver --resend -f SPEC afterwards")
	}
	probe := &spec.Input{Delivery: in.Delivery, People: []spec.Person{{Deliver: in.Delivery.Channel}}}
	return newChannels(streams, env.aws, probe)
}

// passwordRun is the onboarding run that issued reinstated users' passwords.
type passwordRun struct {
	report  *onboard.Report
	sandbox *embeddedSandbox
}

// issuePasswords gives every reinstated user whose suspension deleted its
// console password a new one through onboarding — the account's password
// policy, the journal's credential protocol and the delivery channel of
// `gatehouse onboard` — and notes on each row how it went. Only users
// gatehouse manages get one; the others are told how to.
func issuePasswords(ctx context.Context, opts *OffboardOptions, env *onboardEnv, in *spec.Input, rep *offboard.Report, chans channels) (*passwordRun, error) {
	rows, input := passwordInput(in, rep)
	if input == nil {
		return nil, nil
	}
	deps := onboard.Deps{AWS: env.aws, Journal: env.journal, Channel: chans.get, Logger: newLogger(opts.onboardOptions()),
		Concurrency: opts.Concurrency, Args: opts.Args}
	plan, err := onboard.MakePlan(ctx, deps, input)
	if err != nil {
		return nil, fmt.Errorf("planning the new passwords: %w", err)
	}
	plan.Targets = passwordTargets(plan, rows)
	if env.sandbox != nil {
		if err := env.sandbox.markMail(); err != nil {
			return nil, err
		}
	}
	orep, err := onboard.Apply(ctx, deps, plan)
	if orep == nil {
		return nil, err
	}
	for _, orow := range orep.Rows {
		row := rows[orow.Account+"\x00"+strings.ToLower(orow.UserName)]
		if row == nil {
			continue
		}
		row.Delivery, row.Password = orow.Delivery, orow.Password
		if !orow.Status.OK() {
			row.Status = offboard.StatusFailed
			row.Error = "reactivated, but the new password failed: " + orow.Error + " (" + onboardHint(row, "") + ")"
		}
	}
	return &passwordRun{report: orep, sandbox: env.sandbox}, err
}

// passwordInput is onboarding's input for the reinstated rows that need a
// password, keyed by account and user; nil when none does. Rows that cannot
// get one here say why.
func passwordInput(in *spec.Input, rep *offboard.Report) (map[string]*offboard.Row, *spec.Input) {
	channel := in.Delivery.Channel
	rows := map[string]*offboard.Row{}
	var people []spec.Person
	var accounts []string
	for i := range rep.Rows {
		row := &rep.Rows[i]
		switch {
		case row.Status != offboard.StatusReinstated || !row.PasswordNeeded:
			continue
		case !row.Managed:
			row.Delivery = "no password: not created by gatehouse (" + onboardHint(row, "--adopt") + ")"
			continue
		case channel == spec.ChannelSES && row.Email == "":
			row.Delivery = "no password: no " + offboard.TagEmail + " tag to mail it to (" + onboardHint(row, "--deliver none") + ")"
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

// passwordTargets keeps, of onboarding's plan, only the users the rows are
// about that exist and are gatehouse's: a reinstatement never creates or
// adopts a user. Those it drops are noted on their rows.
func passwordTargets(plan *onboard.Plan, rows map[string]*offboard.Row) []*onboard.Target {
	var keep []*onboard.Target
	for _, t := range plan.Targets {
		row := rows[t.Account.ID+"\x00"+strings.ToLower(t.UserName)]
		switch {
		case row == nil:
		case t.User != onboard.UserManaged || t.Skip != "":
			row.Delivery = "no password: the user changed since it was reinstated (" + onboardHint(row, "") + ")"
			delete(rows, t.Account.ID+"\x00"+strings.ToLower(t.UserName))
		default:
			keep = append(keep, t)
		}
	}
	return keep
}

// onboardHint says how to issue row's password by hand with onboard, which
// takes e-mail addresses (a user named otherwise needs a spec's user_name).
func onboardHint(row *offboard.Row, extra string) string {
	if row.Email == "" || !strings.EqualFold(row.Email, row.UserName) {
		return fmt.Sprintf("issue one with gatehouse onboard -f SPEC listing user_name: %s in account %s", row.UserName, row.Account)
	}
	words := []string{"gatehouse", "onboard", row.Email, "--account", row.Account}
	if extra != "" {
		words = append(words, strings.Fields(extra)...)
	}
	return "issue one with: " + shellLine(words)
}

// confirm records the passwords handed over in the report (channel none) as
// delivered, now that the report is written, and saves the sandbox's mail.
func (p *passwordRun) confirm(ctx context.Context, opts *OffboardOptions) error {
	if p == nil {
		return nil
	}
	if err := p.report.Confirm(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	if p.sandbox != nil {
		return p.sandbox.saveMail(opts.IO.Err, opts.MailDir)
	}
	return nil
}
