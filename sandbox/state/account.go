package state

// Account is one AWS account: its ID and each service's part of it, which the
// service reads through its AccountSlot.
type Account struct {
	ID      string
	schema  *schema
	parts   []any    // one per account slot, in schema order
	ch      *changes // the world's, nil for an account LookupAccount made up
	reached []bool   // parts a writer asked for since the last delta, by slot
}

func newAccount(id string, sc *schema, ch *changes) *Account {
	a := &Account{ID: id, schema: sc, parts: makeParts(sc.account), ch: ch}
	if ch != nil {
		attachParts(sc.account, a.parts, ch)
	}
	return a
}

func (a *Account) part(k *slotKind) any {
	i := a.schema.lookup(k, "account")
	if a.ch != nil && a.ch.writing {
		if a.reached == nil {
			a.reached = make([]bool, len(a.parts))
		}
		a.reached[i] = true
		a.ch.reachAccount(a)
	}
	return a.parts[i]
}

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
