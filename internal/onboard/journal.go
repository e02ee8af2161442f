package onboard

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// Journal is what onboarding records in and reads from.
type Journal interface {
	StartRun(ctx context.Context, info journal.RunInfo) (int64, error)
	FinishRun(ctx context.Context, runID int64, status string, summary journal.Summary) error
	RecordStep(ctx context.Context, s journal.StepRecord) error
	MarkUser(ctx context.Context, runID int64, account, userName, email string, managed bool) error
	Person(ctx context.Context, account, userName string) (journal.Person, bool, error)
	CredentialIssued(ctx context.Context, runID int64, account, userName, credentialID string) error
	CredentialDelivered(ctx context.Context, runID int64, account, userName, credentialID, channel, receipt string) error
	DeliveryFailed(ctx context.Context, runID int64, account, userName, credentialID, channel, errText string) error
}

var _ Journal = (*journal.Journal)(nil)
