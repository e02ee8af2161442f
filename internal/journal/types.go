package journal

import "time"

// Run statuses (Run.Status, FinishRun).
const (
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// Step statuses (StepRecord.Status).
const (
	StepDone    = "done"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// Credential states (Person.CredentialState).
const (
	CredentialNone      = "none"      // gatehouse never issued this user a credential
	CredentialIssued    = "issued"    // issued (and maybe set in AWS), not confirmed delivered
	CredentialDelivered = "delivered" // the channel confirmed the hand-over
)

// User states (Person.UserState).
const (
	UserPresent = "present" // the IAM user exists (gatehouse saw or created it)
	UserRemoved = "removed" // offboarded
	// UserCreating is gatehouse's intent, journaled before it asks the
	// directory to create the user: a run killed after the user was made but
	// before MarkUser leaves it, so the next run can recognise the user as
	// gatehouse's where the directory cannot mark users (Identity Center).
	UserCreating = "creating"
)

// Delivery statuses (Delivery.Status).
const (
	DeliverySent   = "sent"
	DeliveryFailed = "failed"
)

// RunInfo describes a run as it starts. Args are the command's arguments as
// typed; gatehouse takes secrets only from the environment, never from flags.
type RunInfo struct {
	Command string // "onboard", "offboard", …
	Source  string // where the input came from ("team.yaml", "arguments")
	Args    []string
}

// Summary is a run's outcome, counted per (account, person) pair.
type Summary struct {
	People    int `json:"people"`
	Accounts  int `json:"accounts"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Delivered int `json:"delivered"`
}

// Run is one recorded command run.
type Run struct {
	ID         int64
	Command    string
	Source     string
	Args       []string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running (or when the process died)
	Status     string    // RunRunning, RunSucceeded, RunFailed, RunInterrupted
	Summary    Summary
}

// StepRecord is one step for one (account, person) pair in a run.
type StepRecord struct {
	RunID    int64
	Account  string
	UserName string
	Email    string
	Step     string // "create-user", "login-profile", "add-to-group:Dev", …
	Status   string // StepDone, StepFailed, StepSkipped
	Detail   string // what happened, or the error; never a secret
}

// Step is a recorded StepRecord with its time.
type Step struct {
	StepRecord
	At time.Time
}

// Person is what the journal knows about one IAM user in one account.
type Person struct {
	Account         string
	UserName        string
	Email           string
	Managed         bool   // created (or adopted) by gatehouse
	UserState       string // UserPresent, UserRemoved, UserCreating, or "" before MarkUser
	CredentialID    string // the latest issued credential's ID
	CredentialState string // CredentialNone, CredentialIssued, CredentialDelivered
	Channel         string // the channel that delivered CredentialID
	Receipt         string // the channel's receipt for it
	UpdatedAt       time.Time
	LastRun         int64
}

// Delivery is one attempt to hand a credential over.
type Delivery struct {
	RunID        int64
	Account      string
	UserName     string
	CredentialID string
	Channel      string
	Status       string // DeliverySent, DeliveryFailed
	Receipt      string
	Error        string
	At           time.Time
}
