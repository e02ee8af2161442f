package deliver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/claim"
)

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

// MaxBatch is the most credentials one message carries: DeliverAll refuses
// more (ErrRejected), and a caller with more splits them. It is as many as
// one claim link reveals.
const MaxBatch = claim.MaxAccounts

// severalCarrier is a channel that knows whether its templates can put
// several credentials in one message (see templateSet.list).
type severalCarrier interface {
	carriesSeveral() bool
}

// oneAtATime is a channel whose templates show one account — an override
// that never mentions .Credentials — without its DeliverAll, so that
// onboarding sends each credential a message of its own, as the template
// was written for.
type oneAtATime struct{ Channel }

// Preflight runs the channel's own check.
func (o oneAtATime) Preflight(ctx context.Context) error { return Preflight(ctx, o.Channel) }

// batchingIfItCan is ch, or ch without DeliverAll when its templates show
// one account.
func batchingIfItCan(ch Channel) Channel {
	if s, ok := ch.(severalCarrier); ok && !s.carriesSeveral() {
		return oneAtATime{ch}
	}
	return ch
}

// checkBatch refuses credentials that cannot go in one message: none, more
// than MaxBatch, or not one person's. The error names no secret.
func checkBatch(cs []Credential) error {
	if len(cs) == 0 || len(cs) > MaxBatch {
		return reject(fmt.Errorf("one message carries 1 to %d credentials, not %d: split them", MaxBatch, len(cs)))
	}
	first := cs[0]
	for _, c := range cs[1:] {
		switch {
		case !strings.EqualFold(c.Email, first.Email):
			return reject(fmt.Errorf("the credentials of one message must be one person's: %s and %s are two addresses", first.Email, c.Email))
		case c.Language != first.Language:
			return reject(fmt.Errorf("the credentials of one message must be one person's: languages %q and %q differ (%s)", first.Language, c.Language, first.Email))
		case strings.TrimSpace(c.PublicKey) != strings.TrimSpace(first.PublicKey):
			return reject(errors.New("the credentials of one message must be one person's: their public keys differ (" + first.Email + ")"))
		}
	}
	return nil
}

// who names the users and accounts of cs for messages:
// "user (alice) in account (111122223333)", or
// "user (alice) in accounts (111122223333, 444455556666)".
func who(cs []Credential) string {
	var users, accounts []string
	for _, c := range cs {
		if !slices.Contains(users, c.UserName) {
			users = append(users, c.UserName)
		}
		accounts = append(accounts, c.Account)
	}
	u, a := "user", "account"
	if len(users) > 1 {
		u = "users"
	}
	if len(accounts) > 1 {
		a = "accounts"
	}
	return fmt.Sprintf("%s (%s) in %s (%s)", u, strings.Join(users, ", "), a, strings.Join(accounts, ", "))
}
