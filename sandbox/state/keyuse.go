package state

import (
	"sync"
	"time"
)

// KeyUse is the last time an access key authenticated a request, and where:
// what GetAccessKeyLastUsed reports.
type KeyUse struct {
	Time    time.Time
	Service string // the SigV4 signing name: iam, sts, ses, …
	Region  string
}

// keyUseLog holds the last use of each access key. It is not part of the
// world's data and is not persisted: the router authenticates under the world's
// read lock, so recording a use takes this log's own lock instead of writing
// fields that snapshots read. A restart forgets last-use times, which AWS also
// reports as "N/A" for keys it has no data on.
type keyUseLog struct {
	mu   sync.Mutex
	uses map[string]KeyUse // by access key ID
}

func (w *World) keyUses() *keyUseLog {
	w.keyUse.mu.Lock()
	if w.keyUse.uses == nil {
		w.keyUse.uses = map[string]KeyUse{}
	}
	w.keyUse.mu.Unlock()
	return &w.keyUse
}

// RecordKeyUse notes that accessKeyID authenticated a request to service in
// region at t. It takes its own lock, so call it with or without the World's.
func (w *World) RecordKeyUse(accessKeyID, service, region string, t time.Time) {
	l := w.keyUses()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.uses[accessKeyID] = KeyUse{Time: t.UTC().Truncate(time.Second), Service: service, Region: region}
}

// KeyLastUsed returns the last recorded use of accessKeyID.
func (w *World) KeyLastUsed(accessKeyID string) (KeyUse, bool) {
	l := w.keyUses()
	l.mu.Lock()
	defer l.mu.Unlock()
	u, ok := l.uses[accessKeyID]
	return u, ok
}

// ForgetKeyUse drops the record of a deleted key.
func (w *World) ForgetKeyUse(accessKeyID string) {
	l := w.keyUses()
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.uses, accessKeyID)
}
