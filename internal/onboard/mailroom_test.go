package onboard_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// batcher is a channel that can carry several credentials in one message;
// it records each message.
type batcher struct {
	mu       sync.Mutex
	messages [][]deliver.Credential
	fail     error
}

func (b *batcher) Name() string { return spec.ChannelSES }
func (b *batcher) Close() error { return nil }

func (b *batcher) Deliver(ctx context.Context, c deliver.Credential) (deliver.Receipt, error) {
	return b.DeliverAll(ctx, []deliver.Credential{c})
}

func (b *batcher) DeliverAll(_ context.Context, cs []deliver.Credential) (deliver.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return deliver.Receipt{}, b.fail
	}
	b.messages = append(b.messages, cs)
	return deliver.Receipt{Channel: "ses", Detail: "one message to " + cs[0].Email}, nil
}

func (e *env) runWith(t *testing.T, in *spec.Input, ch deliver.Channel, concurrency int) *onboard.Report {
	t.Helper()
	ctx := context.Background()
	deps := e.deps(t, in)
	deps.Channel = func(string) (deliver.Channel, error) { return ch, nil }
	deps.Concurrency = concurrency
	deps.DeliveryRetryDelay = 1
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A person onboarded into three accounts gets one message carrying three
// credentials, each of which signs in — even with one worker, where the
// person's placements run one after another. A message that fails leaves
// all three unconfirmed; the rerun re-issues exactly those, in one message.
func TestOnePersonThreeAccountsOneMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in, err := spec.FromArgs([]string{"ada@example.com"}, spec.Flags{Accounts: spec.Set([]string{mgmt, prod, dev}),
		From: spec.Set(sender)})
	if err != nil {
		t.Fatal(err)
	}
	ch := &batcher{fail: errors.New("mail server away")}
	rep := e.runWith(t, in, ch, 1)
	if rep.Count(onboard.StatusFailed) != 3 || len(ch.messages) != 0 {
		t.Fatalf("a failed message: want three failed rows and no message, got %+v", rep.Rows)
	}

	ch.fail = nil
	rep = e.runWith(t, in, ch, 1)
	if !rep.OK() || len(ch.messages) != 1 || len(ch.messages[0]) != 3 {
		t.Fatalf("rerun: want one message with three credentials, got %d messages, rows %+v", len(ch.messages), rep.Rows)
	}
	for _, c := range ch.messages[0] {
		if valid, _ := e.checkPassword(t, c.Account, c.UserName, c.Password); !valid {
			t.Errorf("%s in %s: the password in the message does not sign in", c.UserName, c.Account)
		}
	}
	for _, row := range rep.Rows {
		if !strings.Contains(row.Delivery, "one message for 3 accounts") || !strings.Contains(strings.Join(row.Steps, " "), "update-login-profile") {
			t.Errorf("row %+v: want a re-issued credential delivered in one message", row)
		}
	}
	if rep := e.runWith(t, in, ch, 1); !rep.OK() || len(ch.messages) != 1 {
		t.Errorf("a third run sent %d messages in all, want still 1", len(ch.messages))
	}
}

// delivery.per_account (--message-per-account) keeps one message per account.
func TestMessagePerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in, err := spec.FromArgs([]string{"bea@example.com"}, spec.Flags{Accounts: spec.Set([]string{mgmt, prod, dev}),
		From: spec.Set(sender), PerAccount: spec.Set(true)})
	if err != nil {
		t.Fatal(err)
	}
	ch := &batcher{}
	if rep := e.runWith(t, in, ch, 8); !rep.OK() || len(ch.messages) != 3 {
		t.Errorf("want three messages of one credential each, got %d", len(ch.messages))
	}
}

// Two entries for one address in different languages are two messages: one
// message is written in one language (and encrypted to one key).
func TestOneMessagePerLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in, err := spec.FromArgs([]string{"cy@example.com"}, spec.Flags{Accounts: spec.Set([]string{mgmt, prod, dev}),
		From: spec.Set(sender)})
	if err != nil {
		t.Fatal(err)
	}
	second := in.People[0]
	second.UserName, second.Language, second.Accounts = "cy-ja", "ja", []string{prod, dev}
	in.People = append(in.People, second)
	ch := &batcher{}
	if rep := e.runWith(t, in, ch, 4); !rep.OK() || len(ch.messages) != 2 {
		t.Fatalf("want two messages (one per language), got %d", len(ch.messages))
	}
	for _, m := range ch.messages {
		for _, c := range m[1:] {
			if c.Language != m[0].Language {
				t.Errorf("one message mixes languages %q and %q", m[0].Language, c.Language)
			}
		}
	}
}
