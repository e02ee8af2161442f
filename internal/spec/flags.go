package spec

import (
	"strings"
	"time"
)

// Opt is a command-line setting and whether it was given. A flag that was not
// given leaves the file's setting alone; one that was given replaces it, even
// with a zero value (--reset-required=false).
type Opt[T any] struct {
	Value T
	Set   bool
}

// Set returns a given setting; tests and callers without a flag parser use it.
func Set[T any](v T) Opt[T] { return Opt[T]{Value: v, Set: true} }

// Flags are the command-line settings of onboard. They override the file:
//   - --account, --all-accounts and --ou together replace the file's accounts;
//   - --role replaces role.name and role.arn (a value starting with "arn:" is an
//     ARN template); --external-id and --session-name replace theirs;
//   - --group, --policy and --boundary replace the file's defaults (a person's
//     own groups and policies are still added; a person's own boundary wins);
//   - --language replaces the default language (a person's own language wins);
//   - --deliver sets the channel for everyone, people with their own deliver
//     included, so --deliver none is a sure way to mail nobody;
//   - --from, the password flags and the channels' flags (--smtp-addr,
//     --smtp-user, --smtp-tls, --claim-url, --claim-via, --claim-ttl,
//     --file-dir) replace the file's settings; --smtp-user "" turns SMTP
//     authentication off.
//
// The channels' secrets are never flags: they come from the environment
// (EnvSMTPPassword, EnvSlackToken, EnvClaimToken), which the CLI reads.
type Flags struct {
	Accounts       Opt[[]string]      // --account
	AllAccounts    Opt[bool]          // --all-accounts
	OUs            Opt[[]string]      // --ou
	Role           Opt[string]        // --role NAME | ARN template with {account}
	ExternalID     Opt[string]        // --external-id
	SessionName    Opt[string]        // --session-name
	Groups         Opt[[]string]      // --group
	Policies       Opt[[]string]      // --policy
	Boundary       Opt[string]        // --boundary
	Deliver        Opt[string]        // --deliver ses|smtp|slack|claim|file|none
	From           Opt[string]        // --from
	Language       Opt[string]        // --language en|ja
	PasswordLength Opt[int]           // --password-length
	PasswordSource Opt[string]        // --password-source crypto|secretsmanager
	ResetRequired  Opt[bool]          // --reset-required
	SMTPAddr       Opt[string]        // --smtp-addr HOST:PORT
	SMTPUser       Opt[string]        // --smtp-user
	SMTPTLS        Opt[string]        // --smtp-tls starttls|tls|none
	ClaimURL       Opt[string]        // --claim-url BASE
	ClaimVia       Opt[string]        // --claim-via ses|smtp|slack
	ClaimTTL       Opt[time.Duration] // --claim-ttl
	FileDir        Opt[string]        // --file-dir
	PerAccount     Opt[bool]          // --message-per-account
	Directory      Opt[string]        // --directory iam|identity-center
	// KeyDirs are directories besides the input file's own that
	// public_key_file may read from (repeatable). They come from whoever
	// runs gatehouse, never from the input, which is what they guard.
	KeyDirs Opt[[]string] // --key-dir
}

// Flag names, without dashes, as the CLI should register them.
const (
	FlagAccount        = "account"
	FlagAllAccounts    = "all-accounts"
	FlagOU             = "ou"
	FlagRole           = "role"
	FlagExternalID     = "external-id"
	FlagSessionName    = "session-name"
	FlagGroup          = "group"
	FlagPolicy         = "policy"
	FlagBoundary       = "boundary"
	FlagDeliver        = "deliver"
	FlagFrom           = "from"
	FlagLanguage       = "language"
	FlagPasswordLength = "password-length"
	FlagPasswordSource = "password-source"
	FlagResetRequired  = "reset-required"
	FlagSMTPAddr       = "smtp-addr"
	FlagSMTPUser       = "smtp-user"
	FlagSMTPTLS        = "smtp-tls"
	FlagClaimURL       = "claim-url"
	FlagClaimVia       = "claim-via"
	FlagClaimTTL       = "claim-ttl"
	FlagFileDir        = "file-dir"
	FlagPerAccount     = "message-per-account"
	FlagDirectory      = "directory"
	FlagKeyDir         = "key-dir"
)

// MarkChanged sets each Opt's Set from the flag parser, e.g. after binding the
// values with pflag: flags.MarkChanged(cmd.Flags().Changed).
func (f *Flags) MarkChanged(changed func(name string) bool) {
	for name, set := range f.setters() {
		*set = changed(name)
	}
}

func (f *Flags) setters() map[string]*bool {
	return map[string]*bool{
		FlagAccount: &f.Accounts.Set, FlagAllAccounts: &f.AllAccounts.Set, FlagOU: &f.OUs.Set,
		FlagRole: &f.Role.Set, FlagExternalID: &f.ExternalID.Set, FlagSessionName: &f.SessionName.Set,
		FlagGroup: &f.Groups.Set, FlagPolicy: &f.Policies.Set, FlagBoundary: &f.Boundary.Set,
		FlagDeliver: &f.Deliver.Set, FlagFrom: &f.From.Set, FlagLanguage: &f.Language.Set,
		FlagPasswordLength: &f.PasswordLength.Set, FlagPasswordSource: &f.PasswordSource.Set,
		FlagResetRequired: &f.ResetRequired.Set,
		FlagSMTPAddr:      &f.SMTPAddr.Set, FlagSMTPUser: &f.SMTPUser.Set, FlagSMTPTLS: &f.SMTPTLS.Set,
		FlagClaimURL: &f.ClaimURL.Set, FlagClaimVia: &f.ClaimVia.Set, FlagClaimTTL: &f.ClaimTTL.Set,
		FlagFileDir: &f.FileDir.Set, FlagKeyDir: &f.KeyDirs.Set, FlagPerAccount: &f.PerAccount.Set,
		FlagDirectory: &f.Directory.Set,
	}
}

func flagPos(name string) Pos { return Pos{Flag: "--" + name} }

func flagVal[T any](o Opt[T], name string) val[T] { return setVal(o.Value, flagPos(name)) }

func flagList(o Opt[[]string], name string) []val[string] {
	out := make([]val[string], 0, len(o.Value))
	for _, v := range o.Value {
		out = append(out, setVal(strings.TrimSpace(v), flagPos(name)))
	}
	return out
}

// apply puts the flags over the draft and reports flags that contradict each
// other.
func (f *Flags) apply(s *draft, probs *Problems) {
	f.conflicts(probs)
	if f.Accounts.Set || f.OUs.Set || (f.AllAccounts.Set && f.AllAccounts.Value) {
		s.accounts = accountsDraft{ids: flagList(f.Accounts, FlagAccount), ous: flagList(f.OUs, FlagOU)}
		if f.AllAccounts.Value {
			s.accounts.all = flagVal(f.AllAccounts, FlagAllAccounts)
		}
	}
	if f.Role.Set {
		s.role.name, s.role.arn = val[string]{}, val[string]{}
		role := flagVal(f.Role, FlagRole)
		role.V = strings.TrimSpace(role.V)
		if strings.HasPrefix(role.V, "arn:") {
			s.role.arn = role
		} else {
			s.role.name = role
		}
	}
	override(&s.directory, f.Directory, FlagDirectory)
	override(&s.role.externalID, f.ExternalID, FlagExternalID)
	override(&s.role.sessionName, f.SessionName, FlagSessionName)
	if f.Groups.Set {
		s.defaults.groups = flagList(f.Groups, FlagGroup)
	}
	if f.Policies.Set {
		s.defaults.policies = flagList(f.Policies, FlagPolicy)
	}
	override(&s.defaults.boundary, f.Boundary, FlagBoundary)
	if f.Language.Set {
		// The spec's language and its defaults' both give way; a person's own stays.
		s.defaults.language = val[string]{}
		override(&s.delivery.language, f.Language, FlagLanguage)
	}
	f.applyDelivery(&s.delivery)
	if f.Deliver.Set {
		s.deliverOverride = flagVal(f.Deliver, FlagDeliver)
		s.delivery.channel = s.deliverOverride
	}
	if f.PasswordLength.Set {
		s.password.length = flagVal(f.PasswordLength, FlagPasswordLength)
	}
	override(&s.password.source, f.PasswordSource, FlagPasswordSource)
	if f.ResetRequired.Set {
		s.password.resetRequired = flagVal(f.ResetRequired, FlagResetRequired)
	}
}

// applyDelivery puts the channels' flags over the file's delivery settings.
func (f *Flags) applyDelivery(m *deliveryDraft) {
	override(&m.from, f.From, FlagFrom)
	override(&m.smtp.addr, f.SMTPAddr, FlagSMTPAddr)
	override(&m.smtp.user, f.SMTPUser, FlagSMTPUser)
	override(&m.smtp.tls, f.SMTPTLS, FlagSMTPTLS)
	override(&m.claim.url, f.ClaimURL, FlagClaimURL)
	override(&m.claim.via, f.ClaimVia, FlagClaimVia)
	if f.ClaimTTL.Set {
		m.claim.ttl = flagVal(f.ClaimTTL, FlagClaimTTL)
	}
	override(&m.file.dir, f.FileDir, FlagFileDir)
	if f.PerAccount.Set {
		m.perAcct = flagVal(f.PerAccount, FlagPerAccount)
	}
}

func override(into *val[string], o Opt[string], name string) {
	if o.Set {
		v := flagVal(o, name)
		v.V = strings.TrimSpace(v.V)
		*into = v
	}
}

// conflicts reports flags that cannot be used together.
func (f *Flags) conflicts(probs *Problems) {
	if f.AllAccounts.Set && f.AllAccounts.Value {
		if f.Accounts.Set {
			probs.add(Pos{}, "--all-accounts with --account", "choose one: --all-accounts already "+
				"selects every active account of the organisation")
		}
		if f.OUs.Set {
			probs.add(Pos{}, "--all-accounts with --ou", "choose one: --all-accounts already "+
				"selects every account, those under the OU included")
		}
	}
}
