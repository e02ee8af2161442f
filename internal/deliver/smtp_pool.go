package deliver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

const (
	// smtpConns is how many connections the channel holds to the mail server
	// at most. Onboarding delivers from many goroutines: with one connection
	// every message would wait for all those before it, and with many the
	// channel would look like a flood to servers that limit connections per
	// client (Microsoft 365 allows three at once per mailbox). A run's
	// messages mostly take turns on the first connection; the second
	// carries the ones that arrive while it is busy.
	smtpConns = 2
	// smtpMaxIdle is how long a kept connection may go unused before the
	// channel says QUIT. Servers drop idle clients after a few minutes
	// (RFC 5321 asks them to wait five; many wait less), and a connection
	// held longer would only fail at the next message.
	smtpMaxIdle = 30 * time.Second
)

var errSMTPClosed = errors.New("the SMTP channel is closed")

// smtpPool keeps the channel's connections to the mail server between
// messages, up to smtpConns of them, and gives each conversation one to
// itself. go-mail's Client keeps a connection too, but only one, shared by
// every Send under a mutex, without a context to interrupt it and without
// reconnecting when the server drops it; the pool does those three things
// with go-mail's smtp.Client underneath.
type smtpPool struct {
	dial    func(context.Context) (*smtpConn, error)
	slots   chan struct{} // one per conversation under way: they and the kept connections number smtpConns at most
	maxIdle time.Duration

	mu     sync.Mutex
	idle   []*smtpConn // kept, the most recently used last
	closed bool
}

func newSMTPPool(size int, maxIdle time.Duration, dial func(context.Context) (*smtpConn, error)) *smtpPool {
	return &smtpPool{dial: dial, slots: make(chan struct{}, size), maxIdle: maxIdle}
}

// send holds one conversation (fn) on a kept connection, else a new one,
// and keeps the connection for the next unless the conversation left it
// unusable. A kept connection that the server dropped since its last
// message (closed, reset, 421, silent) is replaced once and fn runs again:
// the server cannot have taken the message, since the message had not been
// sent in full (see unconfirmedError).
func (p *smtpPool) send(ctx context.Context, fn func(*smtp.Client) error) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting for a connection to the mail server: %w", context.Cause(ctx))
	}
	defer func() { <-p.slots }()
	c, err := p.get(ctx)
	if err != nil {
		return err
	}
	err = c.converse(ctx, fn)
	if err != nil && c.used && ctx.Err() == nil && dropped(err) {
		_ = c.raw.Close() // the server is gone from it: nobody to say QUIT to
		if c, err = p.dial(ctx); err != nil {
			return fmt.Errorf("reconnecting after the server dropped the connection: %w", err)
		}
		err = c.converse(ctx, fn)
	}
	p.put(c, err)
	return err
}

// get takes the most recently used kept connection, else dials a new one.
func (p *smtpPool) get(ctx context.Context) (*smtpConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errSMTPClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		c.idle.Stop() // expire will not find it among the kept ones
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	return p.dial(ctx)
}

// put keeps c for the next message after a conversation that ended with
// err, or closes it when it cannot carry one.
func (p *smtpPool) put(c *smtpConn, err error) {
	if c.broken || !keepable(err) {
		_ = c.raw.Close() // broken, or in a state nobody knows: no QUIT
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.quit()
		return
	}
	c.used = true
	c.idle = time.AfterFunc(p.maxIdle, func() { p.expire(c) })
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// expire closes c when it is still kept and unused.
func (p *smtpPool) expire(c *smtpConn) {
	p.mu.Lock()
	i := slices.Index(p.idle, c)
	if i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
	p.mu.Unlock()
	if i >= 0 {
		c.quit()
	}
}

// close says QUIT on the kept connections; a connection in use is closed
// when its conversation ends. Later sends fail. It is safe to call twice.
func (p *smtpPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	for _, c := range idle {
		c.idle.Stop()
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range idle {
		wg.Go(c.quit)
	}
	wg.Wait()
}
