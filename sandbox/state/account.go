package state

// Account is one AWS account: its ID and each service's part of it, which the
// service reads through its AccountSlot.
type Account struct {
	ID     string
	schema *schema
	parts  []any // one per account slot, in schema order
}

func newAccount(id string, sc *schema) *Account {
	return &Account{ID: id, schema: sc, parts: makeParts(sc.account)}
}

func (a *Account) part(k *slotKind) any { return a.parts[a.schema.lookup(k, "account")] }

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
