package sts

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Constraints from the STS service model.
var (
	arnRule         = awsproto.NewRule(20, 2048, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{0085}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+`)
	sessionNameRule = awsproto.NewRule(2, 64, `[\w+=,.@-]*`)
	externalIDRule  = awsproto.NewRule(2, 1224, `[\w+=,.@:\/-]*`)
	policyRule      = awsproto.NewRule(1, 0, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)
	serialRule      = awsproto.NewRule(9, 256, `[\w+=/:,.@-]*`)
	tokenCodeRule   = awsproto.NewRule(6, 6, `[\d]*`)
	tagKeyRule      = awsproto.NewRule(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	tagValueRule    = awsproto.NewRule(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
)

// roleARN is arn:aws:iam::ACCOUNT:role/PATH/NAME.
var roleARN = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role(/|/[\x{21}-\x{7E}]*/)([\w+=,.@-]{1,64})$`)

const (
	defaultDuration   = 3600
	chainedMaxSeconds = 3600 // role chaining caps sessions at one hour
	maxPackedChars    = 2048 // session policy plaintext limit
)

// assumeInput is a validated AssumeRole request.
type assumeInput struct {
	RoleArn, SessionName, ExternalID, Policy, SourceIdentity string
	SerialNumber, TokenCode                                  string
	Duration                                                 int
	PolicyArns                                               []string
	Tags                                                     []state.Tag
	TransitiveTagKeys                                        []string
}

type assumeResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUserXML
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

type assumedRoleUserXML struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string
}

func assumeRole(r *awsproto.Request) (any, error) {
	in, err := readAssumeRole(r.Params)
	if err != nil {
		return nil, err
	}
	role, roleAccount := findRole(r.World, in.RoleArn)
	if role == nil {
		return nil, accessDenied(r.Caller.ARN, "sts:AssumeRole", in.RoleArn)
	}
	now := time.Now().UTC()
	ctx, err := requestContext(r, in, now)
	if err != nil {
		return nil, err
	}
	if err := authorize(r, role, in, ctx); err != nil {
		return nil, err
	}
	if err := checkDuration(r, role, in.Duration); err != nil {
		return nil, err
	}
	packed, err := packedSize(in)
	if err != nil {
		return nil, err
	}
	sess := newSession(roleAccount, role, in.SessionName, now.Add(time.Duration(in.Duration)*time.Second))
	r.World.Sessions[sess.AccessKeyID] = sess
	return assumeResult{
		Credentials: credentialsXML{sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken, sess.Expiration},
		AssumedRoleUser: assumedRoleUserXML{
			AssumedRoleID: role.ID + ":" + in.SessionName,
			Arn:           fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", roleAccount, role.Name, in.SessionName),
		},
		PackedPolicySize: packed,
		SourceIdentity:   in.SourceIdentity,
	}, nil
}

func readAssumeRole(p awsproto.Params) (assumeInput, error) {
	var v awsproto.Validator
	in := assumeInput{
		RoleArn:        v.Required(p, "RoleArn", arnRule),
		SessionName:    v.Required(p, "RoleSessionName", sessionNameRule),
		ExternalID:     v.Optional(p, "ExternalId", externalIDRule),
		Policy:         v.Optional(p, "Policy", policyRule),
		SourceIdentity: v.Optional(p, "SourceIdentity", sessionNameRule),
		SerialNumber:   v.Optional(p, "SerialNumber", serialRule),
		TokenCode:      v.Optional(p, "TokenCode", tokenCodeRule),
		Duration:       defaultDuration,
	}
	if n, ok, err := p.Int("DurationSeconds"); err != nil {
		return in, err
	} else if ok {
		switch {
		case n < 900:
			v.Addf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", n)
		case n > 43200:
			v.Addf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200", n)
		}
		in.Duration = n
	}
	in.PolicyArns = readPolicyArns(p, &v)
	in.Tags = readTags(p, &v)
	in.TransitiveTagKeys = readTransitiveKeys(p, &v, in.Tags)
	if err := v.Err(); err != nil {
		return in, err
	}
	if in.RoleArn != "" && !roleARN.MatchString(in.RoleArn) {
		return in, awsproto.ValidationError("%s is invalid", in.RoleArn)
	}
	return in, nil
}

func readPolicyArns(p awsproto.Params, v *awsproto.Validator) []string {
	var arns []string
	for i, m := range p.Structs("PolicyArns") {
		v.Check(fmt.Sprintf("PolicyArns.%d.member.arn", i+1), m["arn"], arnRule)
		arns = append(arns, m["arn"])
	}
	if len(arns) > 10 {
		v.Addf("Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	return arns
}

func readTags(p awsproto.Params, v *awsproto.Validator) []state.Tag {
	var tags []state.Tag
	seen := map[string]bool{}
	for i, m := range p.Structs("Tags") {
		key, hasKey := m["Key"]
		value, hasValue := m["Value"]
		if !hasKey || !hasValue {
			missing := "key"
			if hasKey {
				missing = "value"
			}
			v.Addf("Value null at 'tags.%d.member.%s' failed to satisfy constraint: Member must not be null", i+1, missing)
			continue
		}
		v.Check(fmt.Sprintf("Tags.%d.member.key", i+1), key, tagKeyRule)
		v.Check(fmt.Sprintf("Tags.%d.member.value", i+1), value, tagValueRule)
		if seen[strings.ToLower(key)] {
			v.Addf("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(key)] = true
		tags = append(tags, state.Tag{Key: key, Value: value})
	}
	if len(tags) > 50 {
		v.Addf("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return tags
}

func readTransitiveKeys(p awsproto.Params, v *awsproto.Validator, tags []state.Tag) []string {
	keys := p.List("TransitiveTagKeys")
	for i, k := range keys {
		v.Check(fmt.Sprintf("TransitiveTagKeys.%d.member", i+1), k, tagKeyRule)
		found := false
		for _, t := range tags {
			found = found || strings.EqualFold(t.Key, k)
		}
		if !found {
			v.Addf("The transitive tag key %s is not among the session tags.", k)
		}
	}
	return keys
}

// findRole returns the role a role ARN names, or nil: the account must hold a
// role of that name, and the ARN's path must be the role's path.
func findRole(w *state.World, arn string) (*iamstate.Role, string) {
	m := roleARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, ""
	}
	account, path, name := m[1], m[2], m[3]
	if _, exists := w.Accounts[account]; !exists {
		return nil, ""
	}
	role, ok := iamstate.Of(w.Accounts[account]).Roles.Get(name)
	if !ok || role.Path != path {
		return nil, ""
	}
	return role, account
}

// checkDuration enforces the role's MaxSessionDuration and the one-hour cap on
// role chaining (a role session assuming a role).
func checkDuration(r *awsproto.Request, role *iamstate.Role, seconds int) error {
	if _, chained := r.World.Sessions[r.Caller.AccessKeyID]; chained && seconds > chainedMaxSeconds {
		return awsproto.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	limit := role.MaxSessionDuration
	if limit == 0 {
		limit = defaultDuration
	}
	if seconds > limit {
		return awsproto.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return nil
}

func newSession(account string, role *iamstate.Role, name string, expires time.Time) *state.Session {
	token := make([]byte, 264)
	_, _ = rand.Read(token)
	return &state.Session{
		AccessKeyID:     state.NewID("ASIA", 16),
		SecretAccessKey: state.NewSecret(40),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(token),
		Account:         account,
		RoleName:        role.Name,
		RoleID:          role.ID,
		SessionName:     name,
		Expiration:      expires.Truncate(time.Second),
	}
}
