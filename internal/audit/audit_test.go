package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// fakeDirectory is an auditable directory whose scopes answer from
// inventories (or errors), recording which scopes were read.
type fakeDirectory struct {
	kind      string
	scopes    []*engine.Scope
	inventory func(id string) (engine.Inventory, error)
	read      chan string
}

func (d *fakeDirectory) Kind() string { return d.kind }
func (d *fakeDirectory) Caller(context.Context) (string, error) {
	return "arn:aws:iam::222222222222:user/ci", nil
}
func (d *fakeDirectory) Scopes(context.Context, *spec.Input) ([]*engine.Scope, error) {
	return d.scopes, nil
}

func (d *fakeDirectory) Inventory(_ context.Context, s *engine.Scope) (engine.Inventory, error) {
	d.read <- s.ID
	return d.inventory(s.ID)
}

type fakeJournal []journal.Person

func (j fakeJournal) People(_ context.Context, account string) ([]journal.Person, error) {
	var out []journal.Person
	for _, p := range j {
		if p.Account == account {
			out = append(out, p)
		}
	}
	return out, nil
}

// The guards, the journal's word and the spec, on a fake directory: the
// identity gatehouse runs as and protected users are reported but never
// candidates; a user the journal says gatehouse adopted is not unmanaged,
// one it says was removed and made again by someone else is; a person the
// spec puts in another account does not cover this one; a scope that
// cannot be read is reported and the others still are.
func TestRunGuardsJournalAndSpec(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	stale := &engine.Credentials{Password: true, MFA: true, PasswordChanged: asOf.AddDate(-1, 0, 0), PasswordLastUsed: asOf.AddDate(0, 0, -60)}
	dir := &fakeDirectory{kind: engine.DirectoryIAM, read: make(chan string, 2),
		scopes: []*engine.Scope{{ID: "222222222222", Noun: "account"}, {ID: "333333333333", Noun: "account"}},
		inventory: func(id string) (engine.Inventory, error) {
			if id == "333333333333" {
				return engine.Inventory{}, errors.New("entering account 333333333333: AccessDenied")
			}
			return engine.Inventory{AsOf: asOf, Users: []engine.InventoryUser{
				{Name: "ci", Managed: true, Self: "it is the identity gatehouse runs as", Credentials: stale},
				{Name: "break-glass", Managed: true, Tags: map[string]string{"gatehouse:protected": "true"}, Credentials: stale},
				{Name: "adopted", Credentials: &engine.Credentials{}},
				{Name: "reborn", Credentials: &engine.Credentials{}},
				{Name: "alice", Managed: true, Credentials: &engine.Credentials{}},
				{Name: "new", Managed: true},
			}}, nil
		}}
	j := fakeJournal{{Account: "222222222222", UserName: "Adopted", Managed: true, UserState: journal.UserPresent},
		{Account: "222222222222", UserName: "reborn", Managed: true, UserState: journal.UserRemoved}}
	in := &spec.Input{Source: "team.yaml", People: []spec.Person{{UserName: "ci"}, {UserName: "break-glass"}, {UserName: "adopted"},
		{UserName: "reborn"}, {UserName: "new"}, {UserName: "alice", Accounts: []string{"333333333333"}}}}
	rep, err := Run(context.Background(), Deps{Directory: dir, Journal: j, Protect: config.Protect{Tags: map[string]string{"gatehouse:protected": "true"}}},
		Request{Input: in, Spec: true, Thresholds: Thresholds{UnusedDays: 45, RotationDays: 90}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dir.read) != 2 {
		t.Errorf("%d of 2 scopes read", len(dir.read))
	}
	var got []string
	for _, u := range rep.Users {
		line := u.UserName + ":" + strings.Join(kinds(u.Findings), ",")
		if u.Candidate {
			line += " candidate"
		}
		if u.Guard != "" {
			line += " guarded"
		}
		got = append(got, line)
	}
	want := []string{"ci:password-unused guarded", "break-glass:password-unused guarded", "reborn:unmanaged", "alice:not-in-spec candidate"}
	if !slices.Equal(got, want) {
		t.Errorf("users %q, want %q", got, want)
	}
	if rep.Failed() != 1 || rep.Scopes[1].Error == "" || rep.Scopes[0].Users != 6 || !slices.Equal(rep.Scopes[0].NotInReport, []string{"new"}) {
		t.Errorf("scopes %+v", rep.Scopes)
	}
	if !slices.Equal(rep.Candidates, DefaultCandidates) || rep.Caller != "arn:aws:iam::222222222222:user/ci" {
		t.Errorf("candidates %q, caller %q", rep.Candidates, rep.Caller)
	}
}

// The offboarding file is a spec offboard reads: the role the audit used,
// the accounts where anyone is a candidate, one person per user name
// (whatever its case in each account) with its accounts, the findings in a
// comment, and names quoted whatever they hold; for Identity Center, the
// directory, the instance and each person with what a spec needs of them.
func TestWriteOffboardFile(t *testing.T) {
	t.Parallel()
	rep := &Report{Directory: engine.DirectoryIAM, Candidates: DefaultCandidates, Thresholds: Thresholds{UnusedDays: 45, RotationDays: 90},
		Users: []User{
			{Scope: "333333333333", UserName: "Bob", Candidate: true, Findings: []Finding{{KindKeyUnused, "access key 1 last used 2026-01-01 (59 days ago)"}}},
			{Scope: "222222222222", UserName: "-x,y=z", Candidate: true, Findings: []Finding{{KindNotInSpec, "not in team\nyaml"}}},
			{Scope: "222222222222", UserName: "bob", Candidate: true, Findings: []Finding{{KindPasswordUnused, "…"}}},
			{Scope: "444444444444", UserName: "carol", Findings: []Finding{{KindPasswordNoMFA, "console password without MFA"}}},
		}}
	role := spec.Role{Name: "Auditor", ExternalID: "x-1", SessionName: "audit"}
	path := filepath.Join(t.TempDir(), "candidates.yaml")
	n, err := WriteOffboardFile(path, rep, &spec.Input{Role: role}, time.Now())
	data, _ := os.ReadFile(path)
	if err != nil || n != 2 {
		t.Fatalf("wrote %d, %v\n%s", n, err, data)
	}
	in, err := spec.Parse(path, data, spec.Flags{Deliver: spec.Set(spec.ChannelNone)})
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if in.Role != role || !slices.Equal(in.Accounts.IDs, []string{"222222222222", "333333333333"}) || len(in.People) != 2 ||
		in.People[0].UserName != "-x,y=z" || !slices.Equal(in.People[0].Accounts, []string{"222222222222"}) ||
		in.People[1].UserName != "Bob" || !slices.Equal(in.People[1].Accounts, []string{"222222222222", "333333333333"}) {
		t.Errorf("read back: role %+v, accounts %q, people %+v\n%s", in.Role, in.Accounts.IDs, in.People, data)
	}
	if !strings.Contains(string(data), "  # 333333333333: key-unused (access key 1 last used 2026-01-01 (59 days ago))\n") {
		t.Errorf("no comment naming the findings:\n%s", data)
	}

	// Identity Center: the directory, where the instance is, and each
	// person with the address and names a spec needs of them.
	idc := &Report{Directory: engine.DirectoryIdentityCenter, Candidates: DefaultCandidates, Users: []User{
		{Scope: "d-1234567890", UserName: "ada", Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace", Candidate: true,
			Findings: []Finding{{KindNotInSpec, "not in team.yaml"}}},
		{Scope: "d-1234567890", UserName: "nomail", GivenName: "No", FamilyName: "Mail", Candidate: true,
			Findings: []Finding{{KindNotInSpec, "not in team.yaml"}}},
	}}
	where := spec.IdentityCenter{Region: "eu-west-1", InstanceARN: "arn:aws:sso:::instance/ssoins-1234567890abcdef"}
	if n, err = WriteOffboardFile(path, idc, &spec.Input{IdentityCenter: where}, time.Now()); err != nil || n != 1 {
		t.Fatalf("Identity Center: wrote %d, %v", n, err)
	}
	data, _ = os.ReadFile(path)
	in, err = spec.Parse(path, data, spec.Flags{Deliver: spec.Set(spec.ChannelNone)})
	if err != nil || in.Directory != spec.DirectoryIdentityCenter || in.IdentityCenter != where || len(in.People) != 1 ||
		in.People[0].Email != "ada@example.com" || in.People[0].FamilyName != "Lovelace" || !strings.Contains(string(data), "# nomail is left out") {
		t.Errorf("Identity Center file: %v, %+v\n%s", err, in, data)
	}
}

// The table a person reads: the summary, the thresholds and candidate kinds,
// one row per finding with whether the user is offered for offboarding, and
// below it the users the report does not cover and the scopes not audited.
func TestWriteTable(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	rep := &Report{Directory: engine.DirectoryIAM, Candidates: []string{KindKeyUnused}, Thresholds: Thresholds{UnusedDays: 30, RotationDays: 60},
		Scopes: []Scope{{ID: "222222222222", Noun: "account", AsOf: asOf, Users: 3, NotInReport: []string{"dave"}},
			{ID: "333333333333", Noun: "account", Error: "entering account 333333333333: AccessDenied"}},
		Users: []User{
			{Scope: "222222222222", UserName: "bob", Candidate: true, Findings: []Finding{{KindKeyUnused, "access key 1 last used 2026-01-01 (59 days ago)"},
				{KindKeyNotRotated, "access key 1 created 2025-01-01 (424 days ago)"}}},
			{Scope: "222222222222", UserName: "root-ish", Guard: "protected by configuration (users: root-ish)",
				Findings: []Finding{{KindPasswordNoMFA, "console password without MFA"}}},
		}}
	var b strings.Builder
	if err := Write(&b, FormatTable, rep); err != nil {
		t.Fatal(err)
	}
	want := `Audit of 2 accounts: 3 findings on 2 of 3 users; 1 offboarding candidate. 1 not audited (below).
Thresholds: unused 30 days, rotation 60 days. Offboarding candidates: users with key-unused.

ACCOUNT       USER      FINDING          DETAIL                                           OFFBOARD
222222222222  bob       key-unused       access key 1 last used 2026-01-01 (59 days ago)  candidate
222222222222  bob       key-not-rotated  access key 1 created 2025-01-01 (424 days ago)   candidate
222222222222  root-ish  password-no-mfa  console password without MFA                     never: protected by configuration (users: root-ish)

account 222222222222: 1 user created after its credential report of 2026-03-01 09:30 UTC; their credentials were not checked (AWS makes a new report at most every four hours): dave

account 333333333333 was not audited: entering account 333333333333: AccessDenied
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
