// Package policy is the IAM policy each of gatehouse's features needs, least
// privilege: what `gatehouse policy` prints, and what the CloudFormation
// template's execution role gets. Actions are listed from the calls the
// code makes; each resource is scoped to what the action acts on where IAM
// allows it.
package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Features a policy can be asked for.
const (
	Onboard  = "onboard"  // create users, set and deliver passwords
	Offboard = "offboard" // discover, archive, remove, suspend, reinstate
	Watch    = "watch"    // complete users from events on a queue (and the Lambda handler)
	Deliver  = "deliver"  // deliver --resend: fresh passwords for existing users
	Serve    = "serve"    // gatehouse serve: no AWS access at all
	Audit    = "audit"    // the credential report and the users' details
	Apply    = "apply"    // plan / apply: onboard, offboard, and undo what was changed outside gatehouse
	// IdentityCenter is the Identity Center directory (--directory
	// identity-center) in place of IAM users: the identity store and the
	// account assignments, from the organisation's management (or
	// delegated administrator) account.
	IdentityCenter = "identity-center"
	// Okta is gatehouse serve's Okta hook (--okta-config): Identity Center
	// users provisioned, suspended and removed, their welcome mailed.
	Okta = "okta"
	// Doctor is the preflight: identities, trust, simulations, SES, accounts.
	Doctor = "doctor"
)

// Features lists every feature, in the order help shows them.
var Features = []string{Onboard, Offboard, Watch, Deliver, Serve, Audit, Apply, IdentityCenter, Okta, Doctor}

// Where a statement applies.
const (
	Caller = "caller" // the identity gatehouse runs as (the management account)
	Member = "member" // the role gatehouse enters in each account
)

// Document is an IAM policy document.
type Document struct {
	Version   string
	Statement []Statement
}

// Statement is one Allow statement.
type Statement struct {
	Sid      string
	Effect   string
	Action   []string
	Resource []string
}

// statement is a block of actions one feature needs, and where.
type statement struct {
	sid       string
	where     string
	features  []string
	actions   []string
	resources []string
}

const (
	users    = "arn:aws:iam::*:user/*"
	groups   = "arn:aws:iam::*:group/*"
	roles    = "arn:aws:iam::*:role/*"
	mfa      = "arn:aws:iam::*:mfa/*"
	policies = "arn:aws:iam::*:policy/*"
	managed  = "arn:aws:iam::aws:policy/*"
	anything = "*"
)

// Sids of the statements whose need depends on the run rather than the
// feature: gatehouse doctor simulates them only where the run needs them.
const (
	SidReadAccounts  = "ReadAccounts"  // --all-accounts and --ou
	SidEnterAccounts = "EnterAccounts" // any account but the caller's own
	SidSendMail      = "SendMail"      // anyone delivered by SES
)

// catalogue is every statement gatehouse may need. Each statement's
// resources are of one kind, so that simulating its actions on one resource
// of each says whether the statement's permission is there.
var catalogue = []statement{
	{SidReadAccounts, Caller, []string{Onboard, Offboard, Watch, Deliver, Audit, Apply, IdentityCenter, Okta, Doctor},
		[]string{"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"}, []string{anything}},
	{SidEnterAccounts, Caller, []string{Onboard, Offboard, Watch, Deliver, Audit, Apply, Doctor},
		[]string{"sts:AssumeRole"}, []string{"arn:aws:iam::*:role/OrganizationAccountAccessRole"}},
	{SidSendMail, Caller, []string{Onboard, Watch, Deliver, Offboard, Apply, Okta},
		[]string{"ses:SendEmail", "ses:SendRawEmail", "ses:GetEmailIdentity", "ses:GetAccount", "ses:ListEmailIdentities"}, []string{anything}},
	{"ReadQueue", Caller, []string{Watch},
		[]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"}, []string{"arn:aws:sqs:*:*:*"}},
	{"CheckCaller", Caller, []string{Doctor},
		[]string{"iam:GetRole", "iam:SimulatePrincipalPolicy"}, []string{users, roles}},
	{"CheckMail", Caller, []string{Doctor},
		[]string{"ses:GetEmailIdentity", "ses:ListEmailIdentities", "ses:GetAccount"}, []string{anything}},
	{"ReadAccount", Member, []string{Onboard, Offboard, Watch, Deliver, Audit, Apply},
		[]string{"iam:GetAccountPasswordPolicy", "iam:ListAccountAliases", "iam:GetAccountAuthorizationDetails", "iam:ListUsers",
			"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, []string{anything}},
	{"CheckAccount", Member, []string{Doctor},
		[]string{"iam:GetAccountPasswordPolicy", "iam:ListAccountAliases"}, []string{anything}},
	{"CheckRole", Member, []string{Doctor},
		[]string{"iam:GetRole", "iam:SimulatePrincipalPolicy"}, []string{roles}},
	{"CheckGroups", Member, []string{Doctor},
		[]string{"iam:GetGroup", "iam:SimulatePrincipalPolicy"}, []string{groups}},
	{"ReadGroups", Member, []string{Onboard, Watch, Deliver, Apply},
		[]string{"iam:GetGroup"}, []string{groups}},
	{"ReadPolicies", Member, []string{Onboard, Watch, Deliver, Apply, Doctor},
		[]string{"iam:GetPolicy"}, []string{policies, managed}},
	{"ReadUsers", Member, []string{Onboard, Offboard, Watch, Deliver, Apply},
		[]string{"iam:GetUser", "iam:GetLoginProfile", "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies",
			"iam:GetUserPolicy", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListSSHPublicKeys", "iam:GetSSHPublicKey",
			"iam:ListSigningCertificates", "iam:ListServiceSpecificCredentials", "iam:ListMFADevices"}, []string{users}},
	{"CreateUsers", Member, []string{Onboard, Watch, Apply},
		[]string{"iam:CreateUser", "iam:TagUser", "iam:PutUserPermissionsBoundary", "iam:AttachUserPolicy"}, []string{users}},
	{"JoinGroups", Member, []string{Onboard, Watch, Apply},
		[]string{"iam:AddUserToGroup"}, []string{groups}},
	{"SetPasswords", Member, []string{Onboard, Watch, Deliver, Offboard, Apply},
		[]string{"iam:CreateLoginProfile", "iam:UpdateLoginProfile"}, []string{users}},
	{"MakePasswords", Member, []string{Onboard, Watch, Deliver, Apply},
		[]string{"secretsmanager:GetRandomPassword"}, []string{anything}},
	{"RemoveUsers", Member, []string{Offboard, Apply},
		[]string{"iam:DeleteUser", "iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:DeleteSSHPublicKey",
			"iam:UpdateSSHPublicKey", "iam:DeleteSigningCertificate", "iam:UpdateSigningCertificate", "iam:DeleteServiceSpecificCredential",
			"iam:UpdateServiceSpecificCredential", "iam:DeactivateMFADevice", "iam:DetachUserPolicy", "iam:DeleteUserPolicy",
			"iam:DeleteUserPermissionsBoundary", "iam:TagUser", "iam:UntagUser"}, []string{users}},
	{"LeaveGroups", Member, []string{Offboard, Apply},
		[]string{"iam:RemoveUserFromGroup"}, []string{groups}},
	{"RemoveVirtualMFA", Member, []string{Offboard, Apply},
		[]string{"iam:ListVirtualMFADevices", "iam:DeleteVirtualMFADevice"}, []string{anything}},
	// Undoing drift also detaches, untags and leaves groups: RemoveUsers and LeaveGroups allow those.
	{"UndoDrift", Member, []string{Apply},
		[]string{"iam:UpdateUser"}, []string{users}},
	{"IdentityStore", Caller, []string{IdentityCenter, Okta},
		[]string{"identitystore:GetUserId", "identitystore:DescribeUser", "identitystore:ListUsers", "identitystore:ListGroups",
			"identitystore:ListGroupMembershipsForMember", "identitystore:ListGroupMemberships", "identitystore:CreateUser", "identitystore:UpdateUser", "identitystore:DeleteUser",
			"identitystore:CreateGroupMembership", "identitystore:DeleteGroupMembership"}, []string{anything}},
	{"AccountAssignments", Caller, []string{IdentityCenter, Okta},
		[]string{"sso:ListInstances", "sso:ListPermissionSets", "sso:DescribePermissionSet", "sso:ListAccountAssignments",
			"sso:ListAccountsForProvisionedPermissionSet", "sso:CreateAccountAssignment", "sso:DeleteAccountAssignment",
			"sso:DescribeAccountAssignmentCreationStatus", "sso:DescribeAccountAssignmentDeletionStatus"}, []string{anything}},
}

// For returns the policy the features need where ("caller", "member", or
// "" for both in one document: a single account, where gatehouse's own
// identity does everything). serve alone needs nothing: the document is
// then empty, which is an error.
func For(features []string, where string) (Document, error) {
	for _, f := range features {
		if !slices.Contains(Features, f) {
			return Document{}, fmt.Errorf("--for %q: choose from %s", f, strings.Join(Features, ", "))
		}
	}
	if where != "" && where != Caller && where != Member {
		return Document{}, fmt.Errorf("--part %q: choose caller or member (or neither, for both)", where)
	}
	doc := Document{Version: "2012-10-17"}
	for _, s := range catalogue {
		if where != "" && s.where != where {
			continue
		}
		if !slices.ContainsFunc(features, func(f string) bool { return slices.Contains(s.features, f) }) {
			continue
		}
		doc.Statement = append(doc.Statement, Statement{Sid: s.sid, Effect: "Allow", Action: s.actions, Resource: s.resources})
	}
	if len(doc.Statement) == 0 {
		return doc, fmt.Errorf("%s need no AWS permission%s", strings.Join(features, ", "), map[bool]string{true: " there", false: ""}[where != ""])
	}
	return doc, nil
}

// Entering returns the document with the statement that lets the caller
// assume the member accounts' role naming role instead of the default: a
// role name, or an ARN template with {account} (and {partition}), which
// becomes a pattern for every account.
func (d Document) Entering(role string) Document {
	if role == "" {
		return d
	}
	resource := "arn:aws:iam::*:role/" + strings.Trim(role, "/")
	if strings.HasPrefix(role, "arn:") {
		resource = strings.NewReplacer("{account}", "*", "{partition}", "aws").Replace(role)
	}
	out := Document{Version: d.Version, Statement: slices.Clone(d.Statement)}
	for i, s := range out.Statement {
		if s.Sid == SidEnterAccounts {
			out.Statement[i].Resource = []string{resource}
		}
	}
	return out
}
