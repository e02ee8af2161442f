package offboard

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/config"
)

// guard says why t's user must never be touched, or "": the identity
// gatehouse runs as is refused (self), and users the configuration protects
// (by name, pattern or tag) are left alone, whatever the command.
func guard(protect config.Protect, caller awsx.Identity, t *Target) (why string, self bool) {
	if isCaller(caller, t) {
		return "refused: it is the identity gatehouse runs as (" + caller.ARN + ")", true
	}
	var tags map[string]string
	if t.Record != nil {
		tags = t.Record.tagMap()
	}
	return protect.Match(t.UserName, tags), false
}

// isCaller reports whether t's user is the IAM user gatehouse's credentials
// belong to: the same user ID, or the user the caller's ARN names
// (arn:PARTITION:iam::ACCOUNT:user/PATH/NAME). A caller that assumed a role
// is that role, which offboarding never deletes.
func isCaller(caller awsx.Identity, t *Target) bool {
	if t.Record != nil && caller.UserID != "" && caller.UserID == t.Record.User.UserID {
		return true
	}
	account, name, ok := callerUser(caller.ARN)
	return ok && account == t.Account.ID && strings.EqualFold(name, t.UserName)
}

// callerUser returns the account and user name of an IAM user's ARN.
func callerUser(arn string) (account, name string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || !strings.HasPrefix(f[5], "user/") {
		return "", "", false
	}
	return f[4], f[5][strings.LastIndexByte(f[5], '/')+1:], true
}
