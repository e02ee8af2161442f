package onboard

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// Why a user is left alone.
const (
	skipResendAbsent  = "no such user: a resend never creates one (gatehouse onboard does)"
	skipResendForeign = "exists, not created by gatehouse: a resend leaves it alone (gatehouse onboard --adopt takes it over)"
	skipForeign       = "exists, not created by gatehouse: left alone (--adopt takes it over)"
	noteNoPassword    = "has no console password although gatehouse delivered one (removed outside gatehouse?): " +
		"left as it is; gatehouse deliver --resend gives a new one"
)

// read reads pl's user and the journal's record of its credential, and
// settles pl's state and steps.
func (p *Plan) read(ctx context.Context, deps Deps, pl *Placement) error {
	rec, _, err := deps.Journal.Person(ctx, pl.Scope.ID, pl.Person.UserName)
	if err != nil {
		return err
	}
	pl.record = rec
	have, err := deps.Directory.Read(ctx, pl.Scope, pl.Person.UserName, known(rec))
	if err != nil {
		return err
	}
	p.settle(deps, pl, have)
	return nil
}

// settle sets pl's state from what the directory read and works out its
// steps: none for a user left alone.
func (p *Plan) settle(deps Deps, pl *Placement, have engine.User) {
	pl.have, pl.User, pl.UserName, pl.Skip, pl.Steps, pl.Note = have, have.State, have.Name, "", nil, ""
	if have.State == engine.UserAbsent {
		pl.UserName = pl.Person.UserName
	}
	switch {
	case have.State == engine.UserAbsent && p.resend:
		pl.Skip = skipResendAbsent
	case have.State == engine.UserForeign && p.resend:
		pl.Skip = skipResendForeign
	case have.State == engine.UserForeign && !deps.Adopt:
		pl.Skip = skipForeign
	default:
		pl.Steps = p.steps(deps.Directory, pl)
	}
}

// steps lists what pl still needs, given what its user has now and the
// journal's record of its credential: creating or adopting the user, what
// the directory's diff lists, and a credential with its delivery when the
// user has none or the last one was never confirmed delivered.
func (p *Plan) steps(dir engine.Onboarding, pl *Placement) []engine.Step {
	handOver := engine.Step{Kind: engine.StepDeliver, Arg: pl.Person.Deliver}
	if p.resend {
		// A fresh credential, whatever the journal says of the last one:
		// nothing else about the user changes.
		how := engine.IssueAgain
		if !pl.have.HasCredential {
			how = engine.IssueNew
		}
		return []engine.Step{dir.CredentialStep(how), handOver}
	}
	var steps []engine.Step
	switch pl.User {
	case engine.UserAbsent:
		steps = append(steps, engine.Step{Kind: engine.StepCreateUser})
	case engine.UserForeign:
		steps = append(steps, engine.Step{Kind: engine.StepAdoptUser})
	case engine.UserManaged:
		if pl.record.UserState == journal.UserCreating { // recognised from the intent a killed run left
			steps = append(steps, engine.Step{Kind: engine.StepRecordUser})
		}
	}
	steps = append(steps, dir.Diff(pl.Scope, pl.Person, pl.have)...)
	if p.reconcile && pl.User == engine.UserManaged {
		steps = append(steps, dir.Reconcile(pl.Scope, pl.Person, pl.have)...)
	}
	switch {
	case !pl.have.HasCredential && p.reconcile && pl.User == engine.UserManaged && pl.record.CredentialState == journal.CredentialDelivered:
		pl.Note = noteNoPassword
	case !pl.have.HasCredential:
		steps = append(steps, dir.CredentialStep(engine.IssueNew), handOver)
	case pl.record.CredentialState == journal.CredentialIssued:
		// Issued but never confirmed delivered: the person may not have it.
		steps = append(steps, dir.CredentialStep(engine.IssueAgain), handOver)
	}
	return steps
}

// known is what the journal's record vouches for.
func known(rec journal.Person) engine.Known { return engine.KnownFrom(rec) }
