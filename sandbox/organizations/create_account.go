package organizations

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// defaultRoleName is the role CreateAccount puts in the new account for the
// management account to assume.
const defaultRoleName = "OrganizationAccountAccessRole"

var statusIDPattern = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)

// failureReasons are the FailureReason codes the sandbox can report, by index.
var failureReasons = []string{"EMAIL_ALREADY_EXISTS"}

type createAccountRequest struct {
	Email                  string
	AccountName            string
	RoleName               *string
	IamUserAccessToBilling *string
	Tags                   []tagJSON
}

type createStatusJSON struct {
	ID                 string `json:"Id"`
	AccountName        string `json:",omitempty"`
	State              string
	RequestedTimestamp awsproto.EpochTime
	CompletedTimestamp awsproto.EpochTime
	AccountID          string `json:"AccountId,omitempty"`
	FailureReason      string `json:",omitempty"`
}

type createStatusResponse struct {
	CreateAccountStatus createStatusJSON
}

// createAccount creates the member account at once (AWS takes minutes; the
// status is SUCCEEDED from the start), with the role the management account
// assumes to work in it. A duplicate e-mail address fails as AWS fails it: the
// request is accepted and its status is FAILED with EMAIL_ALREADY_EXISTS.
func createAccount(r *awsproto.Request) (any, error) {
	var in createAccountRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if err := checkNewAccount(in); err != nil {
		return nil, err
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	now := state.Now()
	if emailTaken(r.World, in.Email) {
		return createStatusResponse{failedStatus(org, now, 0)}, nil
	}
	created := r.World.Account(newAccountID(r.World))
	a := membershipOf(created)
	a.InOrg, a.ParentID, a.Joined = true, org.RootID, now
	a.OrgEmail, a.OrgName = in.Email, in.AccountName
	roleName := defaultRoleName
	if in.RoleName != nil {
		roleName = *in.RoleName
	}
	iamstate.Of(created).Roles.Put(roleName, accessRole(roleName, org.ManagementAccount, now))
	return createStatusResponse{succeededStatus(org, a)}, nil
}

// accessRole is the role CreateAccount makes: it trusts the management account
// and carries an inline AdministratorAccess policy, as AWS's does.
func accessRole(name, management string, now time.Time) *iamstate.Role {
	return &iamstate.Role{
		Name: name, ID: state.NewID("AROA", 17), Path: "/", Created: now, MaxSessionDuration: 3600,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + management + `:root"},"Action":"sts:AssumeRole"}]}`,
		InlinePolicies: map[string]string{
			"AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		},
	}
}

func newAccountID(w *state.World) string {
	for {
		id := randomString("123456789", 1) + randomString(decimal, 11)
		if _, taken := w.Accounts[id]; !taken && id != state.DefaultAccount {
			return id
		}
	}
}

// The CreateAccount request ID carries its own outcome, so the sandbox keeps no
// request log: car- + request time (8 hex) + MAC (12 hex) + the account ID, or
// "f" and a failure reason index. The MAC binds it to the organisation, so only
// IDs the sandbox issued are found.
func statusID(org *orgstate.Organization, at time.Time, tail string) string {
	ts := fmt.Sprintf("%08x", at.Unix())
	sum := sha256.Sum256([]byte(org.ID + "/" + ts + "/" + tail))
	return "car-" + ts + hex.EncodeToString(sum[:])[:12] + tail
}

func succeededStatus(org *orgstate.Organization, a orgAccount) createStatusJSON {
	return createStatusJSON{
		ID: statusID(org, a.Joined, a.ID), AccountName: a.OrgName, State: "SUCCEEDED",
		RequestedTimestamp: awsproto.EpochTime(a.Joined), CompletedTimestamp: awsproto.EpochTime(a.Joined), AccountID: a.ID,
	}
}

func failedStatus(org *orgstate.Organization, at time.Time, reason int) createStatusJSON {
	return createStatusJSON{
		ID: statusID(org, at, fmt.Sprintf("f%011d", reason)), State: "FAILED", FailureReason: failureReasons[reason],
		RequestedTimestamp: awsproto.EpochTime(at), CompletedTimestamp: awsproto.EpochTime(at),
	}
}

type describeStatusRequest struct {
	CreateAccountRequestID string `json:"CreateAccountRequestId"`
}

func describeCreateAccountStatus(r *awsproto.Request) (any, error) {
	var in describeStatusRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	id := in.CreateAccountRequestID
	if !statusIDPattern.MatchString(id) {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'createAccountRequestId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^car-[a-z0-9]{8,32}$", id)
	}
	org, err := managed(r)
	if err != nil {
		return nil, err
	}
	if status, ok := decodeStatus(r.World, org, id); ok {
		return createStatusResponse{status}, nil
	}
	return nil, orgError("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
}

func decodeStatus(w *state.World, org *orgstate.Organization, id string) (createStatusJSON, bool) {
	if len(id) != 36 {
		return createStatusJSON{}, false
	}
	secs, err := strconv.ParseInt(id[4:12], 16, 64)
	if err != nil {
		return createStatusJSON{}, false
	}
	at, tail := time.Unix(secs, 0).UTC(), id[24:]
	if statusID(org, at, tail) != id {
		return createStatusJSON{}, false
	}
	if tail[0] == 'f' {
		reason, err := strconv.Atoi(tail[1:])
		if err != nil || reason >= len(failureReasons) {
			return createStatusJSON{}, false
		}
		return failedStatus(org, at, reason), true
	}
	if !orgstate.IsMember(w, tail) {
		return createStatusJSON{}, false // the account has since left the organisation
	}
	status := succeededStatus(org, membershipOf(w.LookupAccount(tail)))
	status.ID = id
	return status, true
}
