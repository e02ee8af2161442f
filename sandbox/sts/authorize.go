package sts

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// authorize asks the role's trust policy every question AWS asks: sts:AssumeRole
// always, sts:TagSession when session tags are passed, and sts:SetSourceIdentity
// when a source identity is set. Identity-based policies of the caller are not
// evaluated: the sandbox grants every principal its own account's permissions.
func authorize(r *awsproto.Request, role *iamstate.Role, in assumeInput, ctx conditionContext) error {
	actions := []string{"sts:AssumeRole"}
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	e := evaluation{caller: callerPrincipal(r), context: ctx}
	for _, action := range actions {
		e.action = action
		if !e.allows(role.TrustPolicy) {
			return accessDenied(r.Caller.ARN, action, in.RoleArn)
		}
	}
	return nil
}

// callerPrincipal describes the caller for Principal matching. A role session
// matches its role's ARN as well as its own assumed-role ARN.
func callerPrincipal(r *awsproto.Request) principal {
	c := r.Caller
	p := principal{account: c.Account, arns: []string{c.ARN}}
	if sess, ok := r.World.Sessions[c.AccessKeyID]; ok {
		p.uniqueID = sess.RoleID
		p.arns = append(p.arns, sessionRoleARN(r.World, sess))
	} else if c.UserID != c.Account {
		p.uniqueID = c.UserID
	}
	return p
}

func sessionRoleARN(w *state.World, sess *state.Session) string {
	path := "/"
	if role, ok := iamstate.Of(w.LookupAccount(sess.Account)).Roles.Get(sess.RoleName); ok {
		path = role.Path
	}
	return "arn:aws:iam::" + sess.Account + ":role" + path + sess.RoleName
}

// requestContext gathers the condition keys AWS puts in an AssumeRole request
// context. It verifies the MFA code first, since aws:MultiFactorAuthPresent
// depends on it.
func requestContext(r *awsproto.Request, in assumeInput, now time.Time) (conditionContext, error) {
	ctx := conditionContext{}
	ctx.set("aws:PrincipalAccount", r.Caller.Account)
	ctx.set("aws:userid", r.Caller.UserID)
	ctx.set("aws:CurrentTime", now.Format(time.RFC3339))
	ctx.set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.set("aws:RequestedRegion", r.Region)
	if r.HTTP != nil {
		ctx.set("aws:SecureTransport", strconv.FormatBool(r.HTTP.TLS != nil))
		if host, _, err := net.SplitHostPort(r.HTTP.RemoteAddr); err == nil {
			ctx.set("aws:SourceIp", host)
		}
	}
	_, isSession := r.World.Sessions[r.Caller.AccessKeyID]
	principalKeys(r, ctx, isSession)
	requestKeys(in, ctx)
	switch {
	case in.SerialNumber != "" || in.TokenCode != "":
		if err := checkMFA(r, in.SerialNumber, in.TokenCode, now); err != nil {
			return nil, err
		}
		ctx.set("aws:MultiFactorAuthPresent", "true")
		ctx.set("aws:MultiFactorAuthAge", "0")
	case isSession:
		// Temporary credentials carry the key; long-term ones leave it absent,
		// which is why trust policies use BoolIfExists.
		ctx.set("aws:MultiFactorAuthPresent", "false")
	}
	return ctx, nil
}

// principalKeys adds aws:PrincipalType, aws:PrincipalArn, aws:username,
// aws:PrincipalTag/… and aws:PrincipalOrgID.
func principalKeys(r *awsproto.Request, ctx conditionContext, isSession bool) {
	var tags []state.Tag
	a := iamstate.Of(r.World.LookupAccount(r.Caller.Account))
	cred, hasCred := r.World.Credentials[r.Caller.AccessKeyID]
	switch {
	case isSession:
		sess := r.World.Sessions[r.Caller.AccessKeyID]
		ctx.set("aws:PrincipalType", "AssumedRole")
		ctx.set("aws:PrincipalArn", sessionRoleARN(r.World, sess))
		if role, ok := a.Roles.Get(sess.RoleName); ok {
			tags = role.Tags
		}
	case hasCred && cred.User != "":
		ctx.set("aws:PrincipalType", "User")
		ctx.set("aws:PrincipalArn", r.Caller.ARN)
		ctx.set("aws:username", cred.User)
		if u, ok := a.Users.Get(cred.User); ok {
			tags = u.Tags
		}
	default:
		ctx.set("aws:PrincipalType", "Account")
		ctx.set("aws:PrincipalArn", r.Caller.ARN)
	}
	for _, t := range tags {
		ctx.set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	if orgstate.IsMember(r.World, r.Caller.Account) {
		ctx.set("aws:PrincipalOrgID", orgstate.Of(r.World).ID)
	}
}

// requestKeys adds the keys the AssumeRole parameters set.
func requestKeys(in assumeInput, ctx conditionContext) {
	ctx.set("sts:RoleSessionName", in.SessionName)
	if in.ExternalID != "" {
		ctx.set("sts:ExternalId", in.ExternalID)
	}
	if in.SourceIdentity != "" {
		ctx.set("sts:SourceIdentity", in.SourceIdentity)
	}
	if len(in.Tags) > 0 {
		keys := make([]string, len(in.Tags))
		for i, t := range in.Tags {
			keys[i] = t.Key
			ctx.set("aws:RequestTag/"+t.Key, t.Value)
		}
		ctx.set("aws:TagKeys", keys...)
	}
	if len(in.TransitiveTagKeys) > 0 {
		ctx.set("sts:TransitiveTagKeys", in.TransitiveTagKeys...)
	}
}

// packedSize checks the session policy and returns the packed size of session
// policies and tags as a percentage of the limit (nil when none was passed).
// AWS compresses before measuring; the sandbox counts plaintext characters
// against the 2,048-character session policy limit, which is stricter.
func packedSize(in assumeInput) (*int, error) {
	if in.Policy == "" && len(in.PolicyArns) == 0 && len(in.Tags) == 0 {
		return nil, nil
	}
	total := 0
	if in.Policy != "" {
		var doc policyDoc
		var compact bytes.Buffer
		if json.Unmarshal([]byte(in.Policy), &doc) != nil || len(doc.Statement) == 0 || json.Compact(&compact, []byte(in.Policy)) != nil {
			return nil, awsproto.Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "The policy is not in the valid JSON format.")
		}
		total += compact.Len()
	}
	for _, arn := range in.PolicyArns {
		total += len(arn)
	}
	for _, t := range in.Tags {
		total += len(t.Key) + len(t.Value)
	}
	percent := (total*100 + maxPackedChars - 1) / maxPackedChars
	if percent > 100 {
		return nil, awsproto.Errorf(http.StatusBadRequest, "PackedPolicyTooLarge",
			"The request was rejected because the total packed size of the session policies and session tags combined was too large (%d%% of the limit).", percent)
	}
	return &percent, nil
}
