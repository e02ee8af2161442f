package sandbox

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestServeStopsPromptlyWithIdleNewConnections: a client that opened a connection
// and never used it (as SDK connection pools do) must not hold up shutdown.
func TestServeStopsPromptlyWithIdleNewConnections(t *testing.T) {
	t.Parallel()
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // let the server see the connection
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve still waiting on an unused connection after 3 s (http.Server waits 5 s for new connections)")
	}
}
