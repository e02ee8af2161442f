package spec

import "time"

// The decoders of every format fill a draft: the input as written, each value
// with where it came from. Flags are applied to the draft, the draft is
// validated, and only a draft without problems becomes an Input.

// val is one value from the input and where it was written.
type val[T any] struct {
	V   T
	Pos Pos
	Set bool // written in the input (false: absent or null)
}

func setVal[T any](v T, pos Pos) val[T] { return val[T]{V: v, Pos: pos, Set: true} }

// values returns the plain values of a list.
func values(list []val[string]) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, v.V)
	}
	return out
}

type draft struct {
	source string
	format string

	version   val[int]
	accounts  accountsDraft
	role      roleDraft
	password  passwordDraft
	delivery  deliveryDraft
	defaults  personDraft
	people    []personDraft
	peoplePos Pos // where people were listed, for "no people" problems
	// selecting marks people who only name users to find (offboarding by
	// name or address): what creating a user needs is not asked of them.
	selecting bool
	// incomplete marks entries that could not be read (their problems are
	// reported), so an empty people list is no news.
	incomplete bool

	// deliverOverride is --deliver: the channel for everyone, per-person
	// settings included.
	deliverOverride val[string]

	// events is a watcher's configuration (ParseConfig); nil otherwise.
	events *eventsDraft
	// okta is the Okta hook's configuration (ParseOktaConfig); nil otherwise.
	okta *oktaDraft

	directory val[string]
	idc       struct{ region, instanceARN val[string] }

	checks checksDraft
}

// checksDraft is the checks section: what gatehouse doctor verifies besides
// what every run needs.
type checksDraft struct {
	denyIAMGroups []val[string]
}

type accountsDraft struct {
	all val[bool]
	ids []val[string]
	ous []val[string]
}

func (a accountsDraft) empty() bool { return !a.all.V && len(a.ids) == 0 && len(a.ous) == 0 }

type roleDraft struct {
	pos         Pos // the role mapping, for problems about the role as a whole
	name        val[string]
	arn         val[string]
	externalID  val[string]
	sessionName val[string]
}

type passwordDraft struct {
	length        val[int]
	source        val[string]
	resetRequired val[bool]
}

type deliveryDraft struct {
	channel  val[string]
	from     val[string]
	replyTo  val[string]
	subject  val[string]
	language val[string]
	perAcct  val[bool]
	text     val[string]
	html     val[string]
	smtp     smtpDraft
	slack    slackDraft
	claim    claimDraft
	file     fileDraft
}

type smtpDraft struct {
	addr val[string]
	user val[string]
	tls  val[string]
}

type slackDraft struct {
	apiURL val[string]
}

type claimDraft struct {
	url val[string]
	via val[string]
	ttl val[time.Duration]
}

type fileDraft struct {
	dir val[string]
}

type tagDraft struct {
	key   val[string]
	value val[string]
}

// personDraft is a person as written; the spec's defaults use it too.
type personDraft struct {
	pos         Pos
	email       val[string]
	userName    val[string]
	displayName val[string]
	path        val[string]
	boundary    val[string]
	deliver     val[string]
	language    val[string]
	groups      []val[string]
	policies    []val[string]
	accounts    []val[string]
	tags        []tagDraft
	givenName   val[string]
	familyName  val[string]
	assignments []assignmentDraft
	suspended   val[bool]

	// publicKey is public_key as written; publicKeyFile is public_key_file's
	// path as written, and keyFromFile what was read from it (positioned at
	// public_key_file).
	publicKey     val[string]
	publicKeyFile val[string]
	keyFromFile   val[string]
}

// label names a person in messages: the user name, else the e-mail address.
func (p *personDraft) label() string {
	if p.userName.V != "" {
		return p.userName.V
	}
	return p.email.V
}
