package delivertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
)

// severalAccounts are the accounts the suite onboards one person into.
var severalAccounts = []string{"210987654321", "321098765432", "432109876543"}

// inAccounts is person i in each of severalAccounts, with a password per
// account: the second without an alias, the third under another user name.
func inAccounts(h *Harness, s *secrets, i int) []deliver.Credential {
	base := h.Person(i)
	cs := make([]deliver.Credential, len(severalAccounts))
	for j, account := range severalAccounts {
		c := base
		c.Account, c.SignInURL = account, "https://"+account+".signin.aws.amazon.com/console"
		c.AccountAlias = fmt.Sprintf("%s-%d", cmp.Or(base.AccountAlias, "alias"), j)
		switch j {
		case 1:
			c.AccountAlias = ""
		case 2:
			c.UserName += ".ops"
		}
		c.Password = s.newPassword(10*i + j)
		cs[j] = c
	}
	return cs
}

// batcher is the channel as a deliver.Batcher. A channel that hands
// nothing over must not be one (onboarding would count on its message);
// every other must, or a person in three accounts gets three messages.
func batcher(t *testing.T, h *Harness, ch deliver.Channel) deliver.Batcher {
	t.Helper()
	b, ok := ch.(deliver.Batcher)
	switch {
	case h.Received == nil && ok:
		t.Fatalf("%s hands nothing over, yet is a deliver.Batcher", h.Name)
	case h.Received == nil:
		t.Skip("the channel hands nothing over")
	case !ok:
		t.Fatalf("%s is not a deliver.Batcher: a person in three accounts would get three messages", h.Name)
	case h.ReceivedAll == nil:
		t.Fatal("the harness has no ReceivedAll to say what a person reads in a message for several accounts")
	}
	return b
}

// deliversSeveral sends three people their three accounts each, at once:
// each recovers exactly their own three passwords, each beside its
// account, from one message.
func deliversSeveral(t *testing.T, h *Harness, s *secrets) {
	b := batcher(t, h, build(t, h, s))
	people := make([][]deliver.Credential, 3)
	receipts := make([]deliver.Receipt, len(people))
	errs := make([]error, len(people))
	var wg sync.WaitGroup
	for i := range people {
		people[i] = inAccounts(h, s, i)
		wg.Go(func() { receipts[i], errs[i] = b.DeliverAll(context.Background(), people[i]) })
	}
	wg.Wait()
	ids := map[string]int{}
	for i, cs := range people {
		if errs[i] != nil {
			s.check(t, "the error", errs[i].Error())
			t.Errorf("DeliverAll to person %d: %v", i, errs[i])
			continue
		}
		r := receipts[i]
		s.check(t, "the receipt", fmt.Sprintf("%#v %s", r, r))
		if r.Channel != h.Name || r.String() == "" {
			t.Errorf("receipt %+v: want the channel %q and where the credentials went", r, h.Name)
		}
		if j, seen := ids[r.MessageID]; seen && r.MessageID != "" {
			t.Errorf("persons %d and %d have the same receipt %q", j, i, r.MessageID)
		}
		ids[r.MessageID] = i
		want := map[string]string{}
		for _, c := range cs {
			want[c.Account] = c.Password
		}
		if got := h.ReceivedAll(t, cs[0]); len(got) != 1 || !maps.Equal(got[0], want) {
			t.Errorf("person %d recovered %q; want one message with their password in each account, %q", i, got, want)
		}
	}
	if h.Exposed != nil {
		for _, text := range h.Exposed(t) {
			s.check(t, "what others can read", text)
		}
	}
}

// badBatch is credentials DeliverAll must refuse: for good (rejected), or
// because the context has ended.
type badBatch struct {
	name     string
	ctx      context.Context
	cs       func() []deliver.Credential
	rejected bool
}

// refusesBadBatches: what Deliver refuses, DeliverAll refuses as well, and
// credentials that are not one person's, or too many, are refused for good
// before anything is sent.
func refusesBadBatches(t *testing.T, h *Harness, s *secrets) {
	ch := build(t, h, s)
	b := batcher(t, h, ch)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []badBatch{
		{"an ended context", ended, func() []deliver.Credential { return inAccounts(h, s, 0) }, false},
		{"two people", context.Background(), func() []deliver.Credential {
			return append(inAccounts(h, s, 0)[:2], inAccounts(h, s, 1)[2])
		}, true},
		{"more than deliver.MaxBatch", context.Background(), func() []deliver.Credential {
			cs := inAccounts(h, s, 0)
			for len(cs) <= deliver.MaxBatch {
				cs = append(cs, cs[0])
			}
			return cs
		}, true},
	}
	if h.Unreachable != nil {
		tests = append(tests, badBatch{"an unreachable person", context.Background(), func() []deliver.Credential {
			cs := inAccounts(h, s, 0)
			for i := range cs {
				h.Unreachable(&cs[i])
			}
			return cs
		}, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := tt.cs()
			r, err := b.DeliverAll(tt.ctx, cs)
			if err == nil {
				t.Fatalf("delivered: %+v", r)
			}
			s.check(t, "the error", err.Error())
			if r != (deliver.Receipt{}) {
				t.Errorf("a receipt with the error: %+v", r)
			}
			if rejected := errors.Is(err, deliver.ErrRejected); rejected != tt.rejected || (!tt.rejected && !errors.Is(err, context.Canceled)) {
				t.Errorf("error %v: deliver.ErrRejected %v, want %v (else context.Canceled)", err, rejected, tt.rejected)
			}
			for _, c := range cs {
				if got := h.ReceivedAll(t, c); len(got) != 0 {
					t.Errorf("%s received %d messages", c.Email, len(got))
				}
			}
		})
	}
}
