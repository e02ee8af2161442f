package ssoadmin

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

var (
	permissionSetNameRule = awsproto.NewRule(1, 32, `[\w+=,.@-]+`)
	descriptionRule       = awsproto.NewRule(1, 700, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*`)
	relayStateRule        = awsproto.NewRule(1, 240, `[a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+`)
	durationRule          = awsproto.NewRule(1, 100, `(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?`)
	managedPolicyARNRule  = awsproto.NewRule(20, 2048, `arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)`)
	clockDuration         = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)
)

// maxManagedPolicies is AWS's quota of managed policies per permission set.
const maxManagedPolicies = 20

// SessionDuration bounds: permission sets give sessions of 1 to 12 hours.
const (
	defaultSessionDuration = "PT1H"
	minSession, maxSession = time.Hour, 12 * time.Hour
)

// CheckSessionDuration returns what is wrong with an ISO 8601 session
// duration, "" when nothing is. The fixture applies it too.
func CheckSessionDuration(d string) string {
	m := clockDuration.FindStringSubmatch(d)
	if m == nil || d == "PT" {
		return "session duration " + d + " must be an ISO 8601 duration of hours, minutes and seconds, such as PT8H"
	}
	var total time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		n, _ := strconv.Atoi(m[i+1])
		total += time.Duration(n) * unit
	}
	if total < minSession || total > maxSession {
		return "session duration " + d + " must be between 1 and 12 hours"
	}
	return ""
}

type createPermissionSetRequest struct {
	Name            string
	Description     string
	InstanceArn     string
	SessionDuration string
	RelayState      string
	Tags            []tag
}

// permissionSetJSON is a permission set as the API returns it.
type permissionSetJSON struct {
	Name             string
	PermissionSetArn string
	Description      string `json:",omitempty"`
	CreatedDate      awsproto.EpochTime
	SessionDuration  string
	RelayState       string `json:",omitempty"`
}

func permissionSetShape(inst *idcstate.Instance, ps *idcstate.PermissionSet) permissionSetJSON {
	return permissionSetJSON{
		Name: ps.Name, PermissionSetArn: inst.PermissionSetARN(ps), Description: ps.Description,
		CreatedDate: awsproto.EpochTime(ps.Created), SessionDuration: ps.SessionDuration, RelayState: ps.RelayState,
	}
}

type permissionSetResponse struct {
	PermissionSet permissionSetJSON
}

// createPermissionSet adds a permission set; names are unique in an
// instance. It is not provisioned anywhere until an account assignment uses it.
func createPermissionSet(r *awsproto.Request) (any, error) {
	var in createPermissionSetRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := organizationInstance(r, in.InstanceArn, func(v *validator) {
		v.RequiredValue("Name", in.Name, permissionSetNameRule)
		v.OptionalValue("Description", in.Description, descriptionRule)
		v.OptionalValue("SessionDuration", in.SessionDuration, durationRule)
		v.OptionalValue("RelayState", in.RelayState, relayStateRule)
		v.AtMost("Tags", len(in.Tags), 75)
	})
	if err != nil {
		return nil, err
	}
	if in.SessionDuration == "" {
		in.SessionDuration = defaultSessionDuration
	}
	if problem := CheckSessionDuration(in.SessionDuration); problem != "" {
		return nil, validation("The %s.", problem)
	}
	if _, taken := inst.PermissionSetByName(in.Name); taken {
		return nil, conflict("PermissionSet with name %s already exists.", in.Name)
	}
	ps := inst.AddPermissionSet(in.Name, in.Description, in.SessionDuration, now())
	ps.RelayState = in.RelayState
	return permissionSetResponse{permissionSetShape(inst, ps)}, nil
}

// findPermissionSet returns the permission set a request names in its
// instance, once the request's other members pass check (nil: it has none).
func findPermissionSet(r *awsproto.Request, instanceARN, arn string, check func(*validator)) (*idcstate.Instance, *idcstate.PermissionSet, error) {
	inst, err := organizationInstance(r, instanceARN, func(v *validator) {
		v.RequiredValue("PermissionSetArn", arn, permissionSetARNRule)
		if check != nil {
			check(v)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	ps, ok := inst.PermissionSetByARN(arn)
	if !ok {
		return nil, nil, notFound("Could not find PermissionSet with arn %s.", arn)
	}
	return inst, ps, nil
}

func describePermissionSet(r *awsproto.Request) (any, error) {
	var in struct{ InstanceArn, PermissionSetArn string }
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, ps, err := findPermissionSet(r, in.InstanceArn, in.PermissionSetArn, nil)
	if err != nil {
		return nil, err
	}
	return permissionSetResponse{permissionSetShape(inst, ps)}, nil
}

type listPermissionSetsResponse struct {
	PermissionSets []string
	NextToken      string `json:",omitempty"`
}

func listPermissionSets(r *awsproto.Request) (any, error) {
	var in struct {
		InstanceArn string
		MaxResults  *int
		NextToken   *string
	}
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := organizationInstance(r, in.InstanceArn, nil)
	if err != nil {
		return nil, err
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, ps := range inst.PermissionSets {
		arns = append(arns, inst.PermissionSetARN(ps))
	}
	page, next := idcstate.Page(arns, func(arn string) string { return arn }, start, size)
	return listPermissionSetsResponse{PermissionSets: page, NextToken: next}, nil
}

type attachRequest struct {
	InstanceArn      string
	PermissionSetArn string
	ManagedPolicyArn string
}

// attachManagedPolicy attaches an AWS-managed policy, once, up to AWS's 20.
func attachManagedPolicy(r *awsproto.Request) (any, error) {
	var in attachRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	_, ps, err := findPermissionSet(r, in.InstanceArn, in.PermissionSetArn, func(v *validator) {
		v.RequiredValue("ManagedPolicyArn", in.ManagedPolicyArn, managedPolicyARNRule)
	})
	if err != nil {
		return nil, err
	}
	if problem := ps.AttachManagedPolicy(in.ManagedPolicyArn, maxManagedPolicies); problem != nil {
		if problem == idcstate.ErrAttached {
			return nil, conflict("Managed policy %s is already attached to permission set %s.", in.ManagedPolicyArn, in.PermissionSetArn)
		}
		return nil, ssoError("ServiceQuotaExceededException", "A permission set can have at most %d managed policies.", maxManagedPolicies)
	}
	return nil, nil
}

type managedPoliciesResponse struct {
	AttachedManagedPolicies []managedPolicyJSON
	NextToken               string `json:",omitempty"`
}

type managedPolicyJSON struct {
	Name string
	Arn  string
}

func listManagedPolicies(r *awsproto.Request) (any, error) {
	var in struct {
		InstanceArn      string
		PermissionSetArn string
		MaxResults       *int
		NextToken        *string
	}
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	_, ps, err := findPermissionSet(r, in.InstanceArn, in.PermissionSetArn, nil)
	if err != nil {
		return nil, err
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	page, next := idcstate.Page(append([]idcstate.ManagedPolicy(nil), ps.ManagedPolicies...),
		func(p idcstate.ManagedPolicy) string { return strings.ToLower(p.ARN) }, start, size)
	out := managedPoliciesResponse{AttachedManagedPolicies: make([]managedPolicyJSON, len(page)), NextToken: next}
	for i, p := range page {
		out.AttachedManagedPolicies[i] = managedPolicyJSON{Name: p.Name, Arn: p.ARN}
	}
	return out, nil
}
