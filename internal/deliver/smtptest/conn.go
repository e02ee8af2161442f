package smtptest

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-smtp"
)

// countingListener counts the connections it accepts and, through
// countedConn, those still open.
type countingListener struct {
	net.Listener
	server *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.server.mu.Lock()
	l.server.accepted++
	l.server.open++
	l.server.mu.Unlock()
	return &countedConn{Conn: c, server: l.server}, nil
}

// countedConn is an accepted connection (below TLS, when there is TLS).
type countedConn struct {
	net.Conn
	server     *Server
	closeOnce  sync.Once
	hangUpNext atomic.Bool // close once the next reply is written
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.hangUpNext.Load() {
		_ = c.Close()
	}
	return n, err
}

func (c *countedConn) Close() error {
	c.closeOnce.Do(func() {
		c.server.mu.Lock()
		c.server.open--
		c.server.mu.Unlock()
	})
	return c.Conn.Close()
}

// hangUpAfterReply makes the server close conn once it has written its next
// reply, as a server does after answering 421.
func hangUpAfterReply(conn *smtp.Conn) {
	nc := conn.Conn()
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	if cc, ok := nc.(*countedConn); ok {
		cc.hangUpNext.Store(true)
	}
}

// quitCounter is the server's Debug writer: it sees every conversation in
// plaintext, a read or a reply at a time, and counts the replies to QUIT.
// It keeps nothing else, so no password passes through it into memory
// that outlives the write.
type quitCounter struct{ server *Server }

func (q quitCounter) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("221 ")) {
		q.server.mu.Lock()
		q.server.quits++
		q.server.mu.Unlock()
	}
	return len(p), nil
}
