package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// servedHook is the Okta hook as serve hosts it: its routes behind the
// secret, and the processor that works its queue. The zero value hosts
// nothing.
type servedHook struct {
	routes []claim.Hook
	proc   *okta.Processor
	rt     *runenv.Factory
	config string
	log    *slog.Logger
}

// oktaHook builds the Okta hook when --okta-config asks for it: the secret
// from the environment, the configuration checked, and everything the
// processor needs (AWS, the journal, the channel) set up before serve
// listens, so a bad setup stops serve at once (exit 2).
func (o *ServeOptions) oktaHook(ctx context.Context, log *slog.Logger) (*servedHook, error) {
	secret := strings.TrimSpace(o.IO.getenv(spec.EnvOktaSecret))
	if o.OktaConfig == "" {
		if secret != "" {
			log.Warn(spec.EnvOktaSecret + " is set, but the Okta hook is served only with --okta-config FILE")
		}
		return &servedHook{}, nil
	}
	problems := o.Okta.Problems()
	switch {
	case secret == "":
		problems = append(problems, "no Okta hook secret: set "+spec.EnvOktaSecret+" to the Authorization header value the event hook "+
			"sends (configured in Okta; make one with: openssl rand -base64 32)")
	case len(secret) < claim.MinTokenLength:
		problems = append(problems, fmt.Sprintf("the Okta hook secret in %s is shorter than %d characters; make one with: openssl rand -base64 32",
			spec.EnvOktaSecret, claim.MinTokenLength))
	}
	if len(problems) > 0 {
		return nil, &UsageError{Err: errors.New(strings.Join(problems, "; "))}
	}
	rt := runenv.New(o.Okta, o.IO.Err, o.IO.Getenv)
	h, err := o.buildHook(ctx, rt, secret, log)
	if err != nil {
		return nil, errors.Join(err, rt.Close())
	}
	return h, nil
}

func (o *ServeOptions) buildHook(ctx context.Context, rt *runenv.Factory, secret string, log *slog.Logger) (*servedHook, error) {
	cfg, err := rt.ReadOktaConfig(o.OktaConfig)
	if err != nil {
		return nil, err
	}
	protect, err := loadConfig(o.Protect)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	owner := o.Name
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	hook, proc, err := rt.OktaHook(ctx, cfg, protect.Protect, owner, log)
	if err != nil {
		return nil, err
	}
	h := &servedHook{proc: proc, rt: rt, config: o.OktaConfig, log: log}
	for pattern, handler := range hook.Routes() {
		h.routes = append(h.routes, claim.Hook{Pattern: pattern, Secret: secret, Handler: handler})
	}
	slices.SortFunc(h.routes, func(a, b claim.Hook) int { return strings.Compare(a.Pattern, b.Pattern) })
	return h, nil
}

// where says, for serve's first line, where the hook is.
func (h *servedHook) where() string {
	if h.proc == nil {
		return ""
	}
	return ", Okta hook at " + okta.PathEvents + " mapped by " + h.config
}

// start works the hook's queue until stop, which waits for the
// reconciles in hand.
func (h *servedHook) start(ctx context.Context) (stop func()) {
	if h.proc == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); h.proc.Run(ctx) }()
	return func() { cancel(); <-done }
}

// close releases the journal, the channels and the sandbox.
func (h *servedHook) close() {
	if h.rt == nil {
		return
	}
	if err := h.rt.Close(); err != nil {
		h.log.Error("closing the Okta hook's journal and channels", "err", err)
	}
}

// unknownToken is an API token nobody knows: serve hosting only the hook
// keeps a claims API that refuses every request.
func unknownToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
