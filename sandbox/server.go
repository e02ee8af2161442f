// Package sandbox is gatehouse's local AWS: one HTTP listener that speaks the wire
// protocols of IAM, STS, Secrets Manager, SES (v1 and v2) and Organizations, with
// AWS's strictness where it matters, fault injection, and an inspection API under
// /_sandbox/. It is an independent oracle: it must not import gatehouse's lifecycle
// packages (see DESIGN.md).
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// InspectTokenEnv is the environment variable `gatehouse sandbox serve` takes
// the inspection API's token from (Options.InspectToken).
const InspectTokenEnv = "GATEHOUSE_SANDBOX_TOKEN"

// Options configure a sandbox server.
type Options struct {
	// StateDir, when set, keeps the world in DIR/state.json across restarts.
	StateDir string
	// Fixture is a YAML file that sets up the world at start and on reset.
	Fixture string
	// StrictAuth verifies SigV4 signatures against known secrets.
	StrictAuth bool
	// InspectToken is the bearer token the inspection API (everything under
	// /_sandbox/ but GET /_sandbox/health) then requires. With StrictAuth an
	// empty one is made at random (InspectToken reports it); without
	// StrictAuth the inspection API is open unless a token is set.
	InspectToken string
	// Faults is the initial fault injection.
	Faults FaultConfig
	// Logger receives one line per request at debug level and problems at warn.
	Logger *slog.Logger
}

// Server is a sandbox instance. Its zero value is not usable; call New.
type Server struct {
	opts     Options
	log      *slog.Logger
	world    *state.World
	initial  []byte // the world as the fixture set it up, for /_sandbox/reset
	apis     []*awsproto.API
	fixtures *fixture.Loader
	hooks    map[string][]service.Hook // by path below /_sandbox/
	faults   *faults
	counts   *counters
	store    *store // nil when the state is in memory only
	started  time.Time
	token    string // the inspection API's bearer token; "" when it is open
	timeouts timeouts
}

// timeouts bound what a client may hold a connection for (http.Server's).
type timeouts struct{ readHeader, read, write, idle time.Duration }

// defaultTimeouts: a request must arrive within 30 s (its body is at most
// 8 MiB); an answer may take 2 minutes, so an SQS long poll (up to 20 s) with
// injected latency fits; a kept-alive connection may idle 2 minutes, longer
// than the SDKs keep idle connections (90 s).
var defaultTimeouts = timeouts{readHeader: 10 * time.Second, read: 30 * time.Second, write: 2 * time.Minute, idle: 2 * time.Minute}

// New builds a server: it registers every service (Services) and loads the
// saved state (when StateDir holds one) or the fixture.
func New(opts Options) (*Server, error) {
	if err := opts.Faults.Validate(); err != nil {
		return nil, fmt.Errorf("configuring faults: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:     opts,
		log:      log,
		faults:   newFaults(opts.Faults),
		counts:   newCounters(),
		started:  time.Now(),
		token:    opts.InspectToken,
		timeouts: defaultTimeouts,
	}
	if s.token == "" && opts.StrictAuth {
		s.token = newInspectToken()
	}
	if err := s.register(Services()); err != nil {
		return nil, err
	}
	if err := s.loadWorld(); err != nil {
		return nil, err
	}
	return s, nil
}

// InspectToken is the bearer token the inspection API requires ("" when it
// is open): the one Options gave, or the one made for StrictAuth.
func (s *Server) InspectToken() string { return s.token }

// World exposes the server's state to in-process tests (take its lock to use it).
func (s *Server) World() *state.World { return s.world }

// ServeHTTP routes /_sandbox/ to the inspection API and everything else to AWS services.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Path) >= len(inspectPrefix) && r.URL.Path[:len(inspectPrefix)] == inspectPrefix {
		s.serveInspect(w, r)
		return
	}
	s.serveAPI(w, r)
}

// Serve answers requests on ln until ctx is done, then shuts down gracefully:
// in-flight requests finish (up to 10 s) and the state is flushed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	fresh := &freshConns{conns: map[net.Conn]struct{}{}}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.timeouts.readHeader,
		ReadTimeout:       s.timeouts.read,
		WriteTimeout:      s.timeouts.write,
		IdleTimeout:       s.timeouts.idle,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState:         fresh.track,
	}
	s.warnIfReachable(ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// http.Server.Shutdown waits up to 5 s for connections that were opened but
	// never sent a request, which SDK clients leave behind; they carry no work.
	fresh.closeAll()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// warnIfReachable says when others than this machine can reach the sandbox:
// without --strict-auth anyone who can is every account's root and can read
// every secret the sandbox holds.
func (s *Server) warnIfReachable(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return
	}
	if !s.opts.StrictAuth {
		s.log.Error("the sandbox listens beyond loopback without --strict-auth: anyone who can reach "+tcp.String()+
			" acts as any account and reads every secret through /_sandbox/; listen on 127.0.0.1 or add --strict-auth",
			"addr", tcp.String())
		return
	}
	s.log.Warn("the sandbox listens beyond loopback: anyone who can reach "+tcp.String()+
		" may call it, with signatures of the keys it knows, and the inspection API with its token",
		"addr", tcp.String())
}

// freshConns tracks connections that have not sent a request yet.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == http.StateNew {
		f.conns[c] = struct{}{}
	} else {
		delete(f.conns, c)
	}
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		_ = c.Close()
	}
}

// Close flushes the state to disk (when persistent).
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	return s.store.close()
}
