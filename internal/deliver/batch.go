package deliver

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/claim"
)

// MaxBatch is the most credentials one message carries: DeliverAll refuses
// more (ErrRejected), and a caller with more splits them. It is as many as
// one claim link reveals.
const MaxBatch = claim.MaxAccounts

// Batcher is a channel that can hand one person several credentials — one
// per account, from one run — in a single message: one mail listing every
// account, one Slack message, one claim link that reveals them all, one
// encrypted file. Onboarding sends a person's credentials through
// DeliverAll when the channel is a Batcher and there is more than one;
// otherwise one message per credential.
type Batcher interface {
	// DeliverAll sends cs, which all belong to one person (same e-mail
	// address, language and public key), in one message. A nil error means
	// the person has been sent every one of them.
	DeliverAll(ctx context.Context, cs []Credential) (Receipt, error)
}
