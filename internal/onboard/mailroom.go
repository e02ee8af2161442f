package onboard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// mailroom gathers the new credentials each person gets in a run and hands
// them over together — one message for every account — once the last of
// the person's placements has been worked on, whatever its outcome. No
// placement waits for another: the one that finishes last delivers, so a
// small worker pool cannot deadlock. The journal's protocol is unchanged:
// each credential is journaled issued before it is set and delivered only
// once the message carrying it was accepted, so a crash in between
// re-issues exactly the credentials that were not confirmed.
type mailroom struct {
	r *runner

	mu      sync.Mutex
	boxes   map[string]*mailbox    // by person
	results map[*Placement]*posted // what became of each placement's credential
}

// mailbox is one person's credentials of the run.
type mailbox struct {
	pending int // the person's placements not yet worked on
	letters []*posted
}

// posted is one credential waiting for, then handed over in, a message.
type posted struct {
	pl      *Placement
	id      string // the journal's credential ID
	channel string
	cred    deliver.Credential
	// set once delivered (or not):
	delivery string
	err      error
}

// newMailroom counts, per person, the placements that issue a credential
// delivered through a channel that can carry several.
func newMailroom(r *runner) *mailroom {
	m := &mailroom{r: r, boxes: map[string]*mailbox{}, results: map[*Placement]*posted{}}
	for _, pl := range r.plan.Placements {
		if m.takes(pl) {
			box := m.box(pl)
			box.pending++
		}
	}
	return m
}

// takes reports whether pl's credential goes through the mailroom: it issues
// one, to be delivered through a channel (not the report), with one message
// per person asked for.
func (m *mailroom) takes(pl *Placement) bool {
	if m.r.plan.Input.Delivery.PerAccount || pl.Skip != "" || pl.Person.Deliver == spec.ChannelNone {
		return false
	}
	for _, s := range pl.Steps {
		if s.Issues != engine.IssueNone {
			return true
		}
	}
	return false
}

func (m *mailroom) box(pl *Placement) *mailbox {
	key := boxKey(pl)
	b, ok := m.boxes[key]
	if !ok {
		b = &mailbox{}
		m.boxes[key] = b
	}
	return b
}

// post puts pl's new credential in its person's box.
func (m *mailroom) post(pl *Placement, id, channel string, c deliver.Credential) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := &posted{pl: pl, id: id, channel: channel, cred: c}
	m.results[pl] = p
	b := m.box(pl)
	b.letters = append(b.letters, p)
}

// done says pl has been worked on (or will not be); the person's last one
// delivers what the box holds.
func (m *mailroom) done(ctx context.Context, pl *Placement) {
	if !m.takes(pl) {
		return
	}
	m.mu.Lock()
	b := m.box(pl)
	b.pending--
	last := b.pending == 0
	letters := b.letters
	m.mu.Unlock()
	if last && len(letters) > 0 {
		m.send(ctx, letters)
	}
}

// send hands letters over: in one message when the channel can carry
// several, else one each; and journals each credential's outcome.
func (m *mailroom) send(ctx context.Context, letters []*posted) {
	r := m.r
	ch, err := r.deps.Channel(letters[0].channel)
	batch, canBatch := ch.(deliver.Batcher)
	if err != nil || len(letters) == 1 || !canBatch {
		for _, p := range letters {
			p.err = err
			if err == nil {
				p.delivery, p.err = r.handOver(ctx, p.pl, p.channel, p.id, p.cred)
			}
		}
		return
	}
	for part := range slices.Chunk(letters, deliver.MaxBatch) {
		creds := make([]deliver.Credential, len(part))
		for i, p := range part {
			creds[i] = p.cred
		}
		receipt, attempts, err := retryDelivery(ctx, func(ctx context.Context) (deliver.Receipt, error) { return batch.DeliverAll(ctx, creds) },
			r.deps.deliveryRetryDelay())
		for _, p := range part {
			p.delivery, p.err = r.journalDelivery(ctx, p.pl, p.channel, p.id, p.cred.Welcome, receipt, attempts, err)
			if err == nil {
				p.delivery += fmt.Sprintf(" (one message for %d accounts)", len(part))
			}
		}
	}
}

// deliver patches row with what became of pl's credential, once the run is over.
func (m *mailroom) deliver(pl *Placement, row *Row) {
	p := m.results[pl]
	if p == nil {
		return
	}
	if p.err == nil && p.delivery == "" {
		p.err = errors.New("interrupted before the message was sent; run the same command again")
	}
	row.Delivery = p.delivery
	if p.err != nil {
		row.Delivery = p.channel + ": failed"
		if row.Status.OK() {
			row.Status, row.Error = StatusFailed, p.err.Error()
		}
		return
	}
	row.Steps = append(row.Steps, engine.Step{Kind: engine.StepDeliver, Arg: p.channel}.String())
}
