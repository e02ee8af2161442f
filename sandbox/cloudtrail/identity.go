package cloudtrail

import (
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

// Identity is a record's userIdentity: who made the call, as the sandbox
// resolved the signing key.
type Identity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	AccessKeyID    string          `json:"accessKeyId"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext says which role an assumed-role session came from.
type SessionContext struct {
	SessionIssuer Issuer            `json:"sessionIssuer"`
	Attributes    map[string]string `json:"attributes"`
}

// Issuer is the role behind an assumed-role session.
type Issuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

func identity(r *awsproto.Request) Identity {
	c := r.Caller
	id := Identity{Type: "Root", PrincipalID: c.UserID, ARN: c.ARN, AccountID: c.Account, AccessKeyID: c.AccessKeyID}
	switch {
	case strings.Contains(c.ARN, ":user/"):
		id.Type = "IAMUser"
		id.UserName = c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
	case strings.Contains(c.ARN, ":assumed-role/"):
		id.Type = "AssumedRole"
		id.SessionContext = sessionContext(r)
	}
	return id
}

// sessionContext describes the role of the caller's session, its path
// looked up in IAM's data when the role still exists.
func sessionContext(r *awsproto.Request) *SessionContext {
	sess, ok := r.World.Sessions[r.Caller.AccessKeyID]
	if !ok {
		return nil
	}
	path := "/"
	if a, ok := r.World.Accounts[sess.Account]; ok {
		if role, ok := iamstate.Of(a).Roles.Get(sess.RoleName); ok {
			path = role.Path
		}
	}
	return &SessionContext{
		SessionIssuer: Issuer{Type: "Role", PrincipalID: sess.RoleID, AccountID: sess.Account, UserName: sess.RoleName,
			ARN: "arn:aws:iam::" + sess.Account + ":role" + path + sess.RoleName},
		// The sandbox keeps no session's start or MFA use; MFA is not evaluated.
		Attributes: map[string]string{"mfaAuthenticated": "false"},
	}
}
