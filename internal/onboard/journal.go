package onboard

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// Journal is what onboarding records in and reads from.
type Journal interface {
	engine.Journal
	MarkUser(ctx context.Context, runID int64, account, userName, email string, managed bool) error
	MarkCreating(ctx context.Context, runID int64, account, userName, email string) error
	Person(ctx context.Context, account, userName string) (journal.Person, bool, error)
	CredentialIssued(ctx context.Context, runID int64, account, userName, credentialID string) error
	CredentialDelivered(ctx context.Context, runID int64, account, userName, credentialID, channel, receipt string) error
	DeliveryFailed(ctx context.Context, runID int64, account, userName, credentialID, channel, errText string) error
	RecordLink(ctx context.Context, l journal.Link) error
	OpenLinks(ctx context.Context, account, userName string) ([]journal.Link, error)
	LinkedWith(ctx context.Context, id string) ([]journal.Link, error)
	MarkLink(ctx context.Context, id, state string, at time.Time) error
}

var _ Journal = (*journal.Journal)(nil)
