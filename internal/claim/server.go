package claim

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
)

// MinTokenLength is the shortest API token the server accepts: long enough
// that guessing it is hopeless within any rate limit.
const MinTokenLength = 16

// Config is what a Server is built from.
type Config struct {
	Store *Store
	// Token is the API token that creating and withdrawing claims requires
	// (Authorization: Bearer TOKEN). Never logged.
	Token  string
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now
	// TrustProxy takes the client's address from the right-most
	// X-Forwarded-For entry (the one the proxy in front appended) when it is
	// an IP address, instead of the connection's. Without it, the header is
	// ignored, and logged once: every client behind a proxy then shares the
	// proxy's address.
	TrustProxy bool
	// MaxFailures failed attempts per key within FailureWindow, then 429
	// (defaults: DefaultMaxFailures, DefaultFailureWindow); see limiter.
	MaxFailures   int
	FailureWindow time.Duration
	// SweepEvery is how often expired claims are purged (default 1 minute).
	SweepEvery time.Duration
	// HSTS sends Strict-Transport-Security: the pages are reached over HTTPS
	// (served so directly, or by the proxy in front).
	HSTS bool
	// Hooks are served beside the claim pages, each behind its secret
	// (see Hook).
	Hooks []Hook
}

// Server serves claim pages and the claims API.
type Server struct {
	store      *Store
	tokenHash  [sha256.Size]byte
	logger     *slog.Logger
	now        func() time.Time
	trustProxy bool
	sweepEvery time.Duration
	// The failure limiters, one per kind of failure (see ratelimit.go).
	keyFailures, lookupFailures, tokenFailures, hookFailures *limiter
	hooks                                                    []hook
	warnedProxy                                              atomic.Bool // X-Forwarded-For without TrustProxy was logged
	page                                                     *pageRenderer
	hsts                                                     bool
}

// NewServer checks cfg and builds the server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("setting up the claim server: no store")
	}
	if len(cfg.Token) < MinTokenLength {
		return nil, fmt.Errorf("setting up the claim server: the API token must be at least %d characters; make one with: openssl rand -base64 32", MinTokenLength)
	}
	s := &Server{
		store: cfg.Store, tokenHash: sha256.Sum256([]byte(cfg.Token)), logger: cfg.Logger, now: cfg.Now,
		trustProxy: cfg.TrustProxy, sweepEvery: cfg.SweepEvery, hsts: cfg.HSTS,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sweepEvery <= 0 {
		s.sweepEvery = time.Minute
	}
	maxFailures, window := cfg.MaxFailures, cfg.FailureWindow
	if maxFailures <= 0 {
		maxFailures = DefaultMaxFailures
	}
	if window <= 0 {
		window = DefaultFailureWindow
	}
	s.keyFailures = newLimiter(maxFailures, window)
	s.lookupFailures = newLimiter(maxFailures, window)
	s.tokenFailures = newLimiter(maxFailures, window)
	s.hookFailures = newLimiter(maxFailures, window)
	hooks, err := newHooks(cfg.Hooks)
	if err != nil {
		return nil, err
	}
	s.hooks = hooks
	page, err := newPageRenderer()
	if err != nil {
		return nil, fmt.Errorf("setting up the claim server: %w", err)
	}
	s.page = page
	return s, nil
}

// contentSecurityPolicy allows the page its own script, style, images and
// API, and nothing else: no inline code, no frames, no forms, no base tag.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler is every route, each response with the security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /c/{id}", s.servePage)
	mux.HandleFunc("GET /static/{file}", serveStatic)
	mux.HandleFunc("POST /api/v1/claims", s.serveCreate)
	mux.HandleFunc("POST /api/v1/claims/{id}/reveal", s.serveReveal)
	mux.HandleFunc("DELETE /api/v1/claims/{id}", s.serveWithdraw)
	mux.HandleFunc("GET /api/v1/claims/{id}", s.serveStatus)
	for _, h := range s.hooks {
		mux.Handle(h.pattern, s.guard(h))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found: claim links look like /c/ID#KEY", http.StatusNotFound)
	})
	return s.secure(mux)
}

func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if s.hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the client's address, which failures are counted and
// claims recorded under: the connection's, or with TrustProxy the one the
// proxy appended to X-Forwarded-For. The zero Addr when neither is an
// address (nothing unvalidated becomes a key or reaches the audit trail).
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
		if s.trustProxy {
			if addr, ok := forwardedFor(fwd[len(fwd)-1]); ok {
				return addr
			}
		} else if s.warnedProxy.CompareAndSwap(false, true) {
			s.logger.Warn("requests arrive with X-Forwarded-For, and without --trust-proxy it is ignored: " +
				"if a proxy you run is in front, every client behind it shares its address for the failure limits " +
				"and the audit trail; start gatehouse serve with --trust-proxy (and let only the proxy reach it)")
		}
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// maxForwardedEntry is the longest X-Forwarded-For entry that can be an
// address: a bracketed IPv6 address with a zone and a port.
const maxForwardedEntry = 64

// forwardedFor is the right-most entry of an X-Forwarded-For line — the one
// the trusted proxy appended — when it is an IP address, with or without a
// port. Proxies that append put the client's address there; anything else
// (a client that reached serve past the proxy, or garbage) is not trusted,
// and neither is anything left of it, which the client wrote.
func forwardedFor(line string) (netip.Addr, bool) {
	line = strings.TrimRight(line, " \t,")
	entry := strings.TrimSpace(line[strings.LastIndexByte(line, ',')+1:])
	if entry == "" || len(entry) > maxForwardedEntry {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(entry)
	if err != nil {
		ap, err := netip.ParseAddrPort(entry)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}

func (s *Server) origin(r *http.Request) Origin {
	return Origin{Addr: addrText(s.clientAddr(r)), UserAgent: r.UserAgent()}
}

// addrText is addr for logs and the audit trail.
func addrText(addr netip.Addr) string {
	if !addr.IsValid() {
		return "unknown"
	}
	return addr.String()
}

// Serve serves on ln until ctx ends, then shuts down gracefully (requests
// in flight get ten seconds). With cert set it serves HTTPS.
// Expired claims are purged every SweepEvery meanwhile.
func (s *Server) Serve(ctx context.Context, ln net.Listener, cert *tls.Certificate) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); s.sweep(sweepCtx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
		if served := <-served; !errors.Is(served, http.ErrServerClosed) {
			err = errors.Join(err, served)
		}
	}
	stopSweep()
	<-swept
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// sweep purges expired claims now and every sweepEvery until ctx ends.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(s.sweepEvery)
	defer t.Stop()
	for {
		now := s.now()
		if n, err := s.store.Purge(ctx, now); err != nil && ctx.Err() == nil {
			s.logger.Warn("purging expired claims", "err", err)
		} else if n > 0 {
			s.logger.Info("purged expired claims", "count", n)
		}
		for _, l := range []*limiter{s.keyFailures, s.lookupFailures, s.tokenFailures, s.hookFailures} {
			l.prune(now)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
