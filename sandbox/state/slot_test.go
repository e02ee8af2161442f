package state

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Two services' parts of an account and one part of the world, as a service
// package would declare them.
type queues struct {
	Queues map[string]string `json:"sqs_queues"`
	Hidden string            `json:"-"`
}

type topics struct {
	Topics *Index[Tag] `json:"sns_topics"`
	Count  int         `json:"sns_count,omitempty"`
}

type directory struct {
	Store string `json:"identity_store,omitempty"`
}

var (
	queueSlot = NewAccountSlot("sqs", func(q *queues) {
		if q.Queues == nil {
			q.Queues = map[string]string{}
		}
	})
	topicSlot = NewAccountSlot("sns", func(t *topics) {
		if t.Topics == nil {
			t.Topics = NewIndex[Tag]()
		}
	})
	storeSlot = NewWorldSlot[directory]("identitystore", nil)
)

func TestSlotsRoundTripAsOneFlatObjectPerAccount(t *testing.T) {
	t.Parallel()
	w := NewWorld(queueSlot, topicSlot, storeSlot)
	a := w.Account("111111111111")
	queueSlot.Of(a).Queues["jobs"] = "https://sqs/jobs"
	topicSlot.Of(a).Topics.Put("Alerts", &Tag{Key: "Alerts"})
	storeSlot.Of(w).Store = "d-1234567890"
	w.Credentials["AKIA"] = &Credential{AccessKeyID: "AKIA", Account: "111111111111"}

	snap, err := w.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(snap, &doc); err != nil {
		t.Fatalf("snapshot is not JSON: %v\n%s", err, snap)
	}
	acct := doc["accounts"].(map[string]any)["111111111111"].(map[string]any)
	if got := strings.Join(keys(acct), ","); got != "id,sns_topics,sqs_queues" {
		t.Errorf("account fields = %s, want the account's own and each slot's, side by side", got)
	}
	if doc["identity_store"] != "d-1234567890" || doc["credentials"] == nil {
		t.Errorf("world fields = %v", keys(doc))
	}
	if one, err := json.Marshal(a); err != nil || !strings.Contains(string(one), `"sqs_queues":{"jobs":"https://sqs/jobs"}`) {
		t.Errorf("one account marshals as %s, %v", one, err)
	}

	back := NewWorld(queueSlot, topicSlot, storeSlot)
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	b := back.Accounts["111111111111"]
	if b.ID != "111111111111" || queueSlot.Of(b).Queues["jobs"] != "https://sqs/jobs" || storeSlot.Of(back).Store != "d-1234567890" {
		t.Errorf("restored account %s: %+v, store %+v", b.ID, queueSlot.Of(b), storeSlot.Of(back))
	}
	if _, ok := topicSlot.Of(b).Topics.Get("alerts"); !ok {
		t.Error("the restored index lost its entry")
	}
	again, _ := back.Snapshot()
	if string(again) != string(snap) {
		t.Errorf("snapshot changed across a restore:\n%s\n%s", snap, again)
	}
}

func TestRestoreFillsMissingPartsAndDropsUnknownFields(t *testing.T) {
	t.Parallel()
	w := NewWorld(queueSlot, topicSlot)
	err := w.Restore([]byte(`{"accounts":{"111111111111":{"id":"111111111111","sqs_queues":null,"retired_service":{"x":1}},"222222222222":null},"retired":[1]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"111111111111", "222222222222"} {
		a := w.Accounts[id]
		if a == nil || a.ID != id || queueSlot.Of(a).Queues == nil || topicSlot.Of(a).Topics == nil {
			t.Errorf("account %s = %+v: every part should be ready to use", id, a)
		}
	}
	if w.Sessions == nil || w.Credentials == nil {
		t.Error("the world's own maps are not made")
	}
	snap, _ := w.Snapshot()
	if strings.Contains(string(snap), "retired") {
		t.Errorf("fields no slot claims survive: %s", snap)
	}
}

func TestLookupAccountHasEveryPartButIsNotCreated(t *testing.T) {
	t.Parallel()
	w := NewWorld(queueSlot)
	if q := queueSlot.Of(w.LookupAccount("333333333333")); q.Queues == nil || len(w.Accounts) != 0 {
		t.Errorf("LookupAccount: %+v, %d accounts", q, len(w.Accounts))
	}
	if empty := w.Empty(); queueSlot.Of(empty.Account("1")).Queues == nil {
		t.Error("Empty() lost the slots")
	}
}

func TestSlotMistakesAreCaught(t *testing.T) {
	t.Parallel()
	clash := NewAccountSlot[queues]("sqs-again", nil)
	ownField := NewAccountSlot[struct {
		ID string `json:"id"`
	}]("sneaky", nil)
	worldField := NewWorldSlot[struct {
		Mail string `json:"mail"`
	}]("mailer", nil)
	for _, tc := range []struct {
		name  string
		build func()
		want  string
	}{
		{"two slots claim one field", func() { NewWorld(queueSlot, clash) }, `slot sqs-again claims the account field "sqs_queues", which slot sqs already has`},
		{"a slot claims the account's ID", func() { NewWorld(ownField) }, `slot sneaky claims the account field "id", which the account itself already has`},
		{"a slot claims a world field", func() { NewWorld(worldField) }, `slot mailer claims the world field "mail", which the world itself already has`},
		{"a slot listed twice", func() { NewWorld(queueSlot, queueSlot) }, "slot sqs is listed twice"},
		{"a slot the world was not made with", func() { queueSlot.Of(NewWorld(topicSlot).Account("1")) }, "slot sqs is not part of this account"},
	} {
		got := panicMessage(tc.build)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: panic %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
}

func TestJSONFields(t *testing.T) {
	t.Parallel()
	got, index := jsonFields(reflect.TypeFor[struct {
		A      int `json:"a,omitempty"`
		B      int
		C      int `json:"-"`
		hidden int
	}]())
	if strings.Join(got, ",") != "a,B" || len(index) != 2 || index[0] != 0 || index[1] != 1 {
		t.Errorf("jsonFields = %v, %v", got, index)
	}
}

func keys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func panicMessage(f func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg, _ = p.(string)
		}
	}()
	f()
	return ""
}

func TestRestoreRefusesBrokenSnapshots(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		`{"accounts": {`,
		`{"accounts": []}`,
		`{"accounts": {"1": {"sqs_queues": 5}}}`,
		`{"sessions": 1}`,
		`{} {}`,
		`[]`,
	} {
		w := NewWorld(queueSlot)
		w.Account("111111111111")
		if err := w.Restore([]byte(data)); err == nil {
			t.Errorf("Restore(%s) accepted it", data)
		} else if len(w.Accounts) != 1 {
			t.Errorf("Restore(%s) failed but changed the world", data)
		}
	}
}
