package events_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// runtimeAPI is the Lambda Runtime API as Lambda serves it to a custom
// runtime (provided.al2023): /next hands out the queued invocations one at
// a time, and /response or /error takes each one's answer.
type runtimeAPI struct {
	*httptest.Server
	queue   chan invocation
	mu      sync.Mutex
	answers map[string]answer
	got     chan string
}

type invocation struct {
	id      string
	payload string
}

type answer struct {
	ok   bool
	body string
}

func startRuntimeAPI(t *testing.T) *runtimeAPI {
	t.Helper()
	r := &runtimeAPI{queue: make(chan invocation, 100), answers: map[string]answer{}, got: make(chan string, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, req *http.Request) {
		select {
		case inv := <-r.queue:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:111111111111:function:gatehouse")
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			_, _ = io.WriteString(w, inv.payload)
		case <-req.Context().Done():
		}
	})
	record := func(ok bool) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			id := req.PathValue("id")
			r.mu.Lock()
			r.answers[id] = answer{ok: ok, body: string(body)}
			r.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
			r.got <- id
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", record(true))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", record(false))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		t.Errorf("the function failed to start: %s", body)
		w.WriteHeader(http.StatusAccepted)
	})
	r.Server = httptest.NewServer(mux)
	t.Cleanup(r.Close)
	return r
}

// invoke queues payload and waits for the function's answer.
func (r *runtimeAPI) invoke(t *testing.T, id string, payload any) answer {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	r.queue <- invocation{id: id, payload: string(b)}
	select {
	case got := <-r.got:
		if got != id {
			t.Fatalf("answer for %s, want %s", got, id)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("no answer to invocation %s", id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answers[id]
}

// addr is host:port, as AWS_LAMBDA_RUNTIME_API gives it.
func (r *runtimeAPI) addr() string { return strings.TrimPrefix(r.URL, "http://") }
