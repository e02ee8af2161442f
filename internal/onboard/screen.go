package onboard

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// screen asks every channel that can tell (deliver.Screener: SES) whether
// it will take the messages the run would send — within the day's quota,
// and to recipients its sending sandbox lets through — so that a run the
// channel would refuse halfway stops before anyone is created, with one
// problem per person it would refuse.
func (p *Plan) screen(ctx context.Context, deps Deps) (spec.Problems, error) {
	if deps.Channel == nil {
		return nil, nil
	}
	out := p.outbox(deps)
	var probs spec.Problems
	for _, name := range slices.Sorted(maps.Keys(out)) {
		ch, err := deps.Channel(name)
		if err != nil {
			continue // its deliveries fail with that error, one by one
		}
		people := out[name]
		recipients := make([]string, len(people))
		for i, person := range people {
			recipients[i] = person.Email
		}
		refusals, err := deliver.Screen(ctx, ch, recipients)
		if err != nil {
			return nil, err
		}
		for _, r := range refusals {
			probs = append(probs, refusalProblems(name, r, people)...)
		}
	}
	sortProblems(probs)
	return probs, nil
}

// refusalProblems words a refusal as a problem at each person it concerns,
// or as one for the whole run.
func refusalProblems(channel string, r deliver.Refusal, people []spec.Person) spec.Problems {
	if r.Recipient == "" {
		return spec.Problems{{What: "delivery by " + channel, Fix: r.Reason}}
	}
	var probs spec.Problems
	seen := map[spec.Pos]bool{}
	for _, person := range people {
		if strings.EqualFold(person.Email, r.Recipient) && !seen[person.Pos] {
			seen[person.Pos] = true
			probs = append(probs, spec.Problem{Pos: person.Pos, What: "recipient " + person.Email, Fix: r.Reason})
		}
	}
	return probs
}

// outbox is, per channel, whom each message of the run goes to, as the
// run sends them: one message per person (address, language and key) and
// channel, with at most deliver.MaxBatch credentials; one per credential
// where the spec asks for one message per account or the channel cannot
// carry several. People without an address are left out: their delivery
// fails on its own.
func (p *Plan) outbox(deps Deps) map[string][]spec.Person {
	out := map[string][]spec.Person{}
	boxes := map[string]int{} // credentials per person's box
	for _, pl := range p.Placements {
		channel, ok := deliveredThrough(pl)
		if !ok || pl.Person.Email == "" {
			continue
		}
		ch, err := deps.Channel(channel)
		_, batches := ch.(deliver.Batcher)
		if err != nil || !batches || p.Input.Delivery.PerAccount {
			out[channel] = append(out[channel], pl.Person)
			continue
		}
		key := boxKey(pl)
		if boxes[key]%deliver.MaxBatch == 0 {
			out[channel] = append(out[channel], pl.Person)
		}
		boxes[key]++
	}
	return out
}

// deliveredThrough is the channel pl's new credential goes through, if pl
// issues one that a channel (not the report) delivers.
func deliveredThrough(pl *Placement) (string, bool) {
	if pl.Skip != "" {
		return "", false
	}
	issues, channel := false, pl.Person.Deliver
	for _, s := range pl.Steps {
		issues = issues || s.Issues != engine.IssueNone
		if s.Kind == engine.StepDeliver && s.Arg != "" {
			channel = s.Arg
		}
	}
	return channel, issues && channel != spec.ChannelNone
}

// boxKey is whose message pl's credential goes in: one message goes to
// one address, in one language, encrypted to one key.
func boxKey(pl *Placement) string {
	return strings.Join([]string{strings.ToLower(cmpOr(pl.Person.Email, pl.Person.UserName)), pl.Person.Deliver,
		pl.Person.Language, pl.Person.PublicKey}, "\x00")
}
