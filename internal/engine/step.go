package engine

// Step is one thing to do for a person in a scope. Its text is what the
// journal and the dry run show: the kind, then ":" and the argument when it
// has one ("add-to-group:developers").
type Step struct {
	Kind string
	Arg  string // group name, policy ARN, channel
	// Issues says the step gives the user a new credential (a console
	// password; for a directory without passwords, the welcome): the
	// lifecycle journals it as issued before the step and hands it over
	// with the deliver step that follows.
	Issues Issue
}

// Issue is how a step issues a credential.
type Issue int

// Ways of issuing.
const (
	IssueNone  Issue = iota // the step issues nothing
	IssueNew                // the user has no credential yet
	IssueAgain              // a fresh one replaces the current one
)

// Step kinds every directory shares.
const (
	StepCreateUser = "create-user" // create the person's user, marked as gatehouse's
	StepAdoptUser  = "adopt-user"  // mark a user someone else created as gatehouse's (--adopt)
	StepDeliver    = "deliver"     // hand the credential over through a channel
	// StepRecordUser journals as gatehouse's a user gatehouse created in a
	// run killed before it journaled the creation (the directory recognised
	// it from the journaled intent): no call to the directory.
	StepRecordUser = "record-user"
)

func (s Step) String() string {
	if s.Arg == "" {
		return s.Kind
	}
	return s.Kind + ":" + s.Arg
}

// Strings lists steps as text.
func Strings(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.String()
	}
	return out
}

// Explainer is a directory that says why a plan has a step of its own:
// "the spec lists this group", "added outside gatehouse".
type Explainer interface {
	Why(step Step) string
}

// Why says why a plan has step: the directory's word for its own kinds,
// the engine's for the shared ones, else "".
func Why(dir any, step Step) string {
	switch step.Kind {
	case StepCreateUser:
		return "the spec lists this person and there is no such user"
	case StepAdoptUser:
		return "the user exists but was not created by gatehouse (--adopt)"
	case StepDeliver:
		return "hand the new credential over (" + step.Arg + ")"
	case StepRecordUser:
		return "gatehouse created this user in a run that ended before journaling it"
	}
	if e, ok := dir.(Explainer); ok {
		return e.Why(step)
	}
	return ""
}
