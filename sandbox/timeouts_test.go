package sandbox

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveWith runs srv with its own listener until the test ends and returns
// the address.
func serveWith(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// closedWithin reports whether the server answered or hung up on conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4096)
	for {
		_, err := conn.Read(buf)
		var ne net.Error
		switch {
		case err == nil:
			continue // an answer; read on until the server closes
		case errors.As(err, &ne) && ne.Timeout():
			return false
		default:
			return true
		}
	}
}

// TestSlowClientsAreCutOff: a client that sends half a body, or keeps an
// idle connection, must not hold a connection (and a goroutine) forever.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{})
	srv.timeouts = timeouts{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond, write: 5 * time.Second, idle: 300 * time.Millisecond}
	addr := serveWith(t, srv)

	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	_, _ = stalled.Write([]byte("POST / HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=List"))
	if !closedWithin(stalled, 3*time.Second) {
		t.Error("a request whose body stalled was still open after 3 s (read timeout 300 ms)")
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	body := "Action=ListUsers&Version=2010-05-08"
	_, _ = idle.Write([]byte("POST / HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body))
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ListUsers on a kept-alive connection: %v %v", resp, err)
	}
	resp.Body.Close()
	if !closedWithin(idle, 3*time.Second) {
		t.Error("an idle kept-alive connection was still open after 3 s (idle timeout 300 ms)")
	}
}

// TestLongAnswersOutliveTheReadTimeout: the read timeout bounds reading a
// request, not answering it, so a long poll (SQS waits up to 20 s) is served.
func TestLongAnswersOutliveTheReadTimeout(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Faults: FaultConfig{LatencyMS: 1200}})
	srv.timeouts = timeouts{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond, write: 5 * time.Second, idle: 300 * time.Millisecond}
	addr := serveWith(t, srv)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	for k, v := range scope("iam") {
		req.Header.Set(k, v)
	}
	resp := sendRaw(t, req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a 1.2 s answer with a 300 ms read timeout: %s", resp.Status)
	}

	d := defaultTimeouts
	if d.readHeader <= 0 || d.read <= 0 || d.write < 25*time.Second || d.idle < 25*time.Second {
		t.Errorf("default timeouts %+v: each must be set, and writing and idling must allow a 20 s long poll and then some", d)
	}
}

func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}
