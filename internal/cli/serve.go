package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// ServeOptions are `gatehouse serve`'s options.
type ServeOptions struct {
	IO         *IO
	Addr       string
	DataDir    string
	TLSCert    string
	TLSKey     string
	TokenFile  string
	TrustProxy bool
	Verbose    bool
	// OktaConfig is the Okta hook's configuration: with it, and the secret
	// in GATEHOUSE_OKTA_SECRET, serve hosts the hook at /hooks/okta.
	OktaConfig string
	Protect    string // gatehouse.yaml with the protected users (default: the usual places)
	Name       string // this server in the hook queue's leases (default host:pid)
	// Okta are where the hook's journal is and how it reaches AWS.
	Okta runenv.Settings
}

// Defaults of `gatehouse serve`.
const (
	DefaultServeAddr = "127.0.0.1:8080"
	DefaultServeData = "gatehouse-serve"
)

// NewCmdServe builds `gatehouse serve`.
func NewCmdServe(streams *IO, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve one-time claim links and Okta's event hook until interrupted",
		Long: `Serve one-time claim links: the pages where people reveal the password that
gatehouse onboard --deliver claim sealed for them, and the API that stores the
sealed passwords.

The server never sees a password or a link's key: it stores ciphertext, hands
it out once to the page that proves it holds the key, and deletes it then or at
its expiry. Claims and failed attempts are recorded in the data directory's
claim_events table. Repeated failures are refused (HTTP 429) per client: wrong
keys for that claim, unknown IDs, wrong API tokens — never the right token, nor
anyone's own claim because of unknown IDs.

The API token comes from --token-file or ` + claim.TokenEnv + `; gatehouse onboard
must present the same one. Browsers decrypt only on HTTPS pages (or localhost):
serve with --tls-cert and --tls-key, or behind an HTTPS proxy with --trust-proxy.
See docs/claim.md.`,
		Example: `  export ` + claim.TokenEnv + `=$(openssl rand -base64 32)
  gatehouse serve --addr 127.0.0.1:8080 --data /var/lib/gatehouse

  # HTTPS directly
  gatehouse serve --addr :443 --tls-cert cert.pem --tls-key key.pem --token-file /etc/gatehouse/claim-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", DefaultServeAddr, "address to listen on (port 0 picks a free one)")
	f.StringVar(&opts.DataDir, "data", DefaultServeData, "keep the claim store in `DIR` (created 0700)")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "serve HTTPS with the certificate chain in PEM `FILE`")
	f.StringVar(&opts.TLSKey, "tls-key", "", "the private key for --tls-cert, in PEM `FILE`")
	f.StringVar(&opts.TokenFile, "token-file", "", "read the API token from `FILE` (default: $"+claim.TokenEnv+")")
	f.BoolVar(&opts.TrustProxy, "trust-proxy", false, "take client addresses from the right-most X-Forwarded-For entry (only behind a proxy that appends it and is the sole way in)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log debug detail to stderr")
	f.StringVar(&opts.OktaConfig, "okta-config", "", "host the Okta hook at "+okta.PathEvents+" with the mapping in `FILE` (secret in $"+spec.EnvOktaSecret+"; see docs/okta.md)")
	f.StringVar(&opts.Protect, "protect", "", "the Okta hook never touches the users protected in `FILE` (default ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml)")
	f.StringVar(&opts.Name, "name", "", "this server's name in the Okta queue's leases (default host:pid)")
	addJournalFlags(cmd, &opts.Okta, "the Okta hook works on the embedded sandbox instead of AWS")
	addAWSFlags(cmd, &opts.Okta)
	cmd.AddCommand(NewCmdServeAudit(streams, nil))
	cmd.AddCommand(NewCmdServeOktaStatus(streams, nil))
	return cmd
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	cert, err := opts.certificate()
	if err != nil {
		return &UsageError{Err: err}
	}
	level := slog.LevelInfo
	if opts.Verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(opts.IO.Err, &slog.HandlerOptions{Level: level}))
	token, err := opts.token(opts.OktaConfig != "")
	if err != nil {
		return &UsageError{Err: err}
	}
	hook, err := opts.oktaHook(ctx, logger)
	if err != nil {
		return err
	}
	defer hook.close()
	store, err := claim.OpenStore(ctx, opts.DataDir, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	srv, err := claim.NewServer(claim.Config{
		Store: store, Token: token, Logger: logger, TrustProxy: opts.TrustProxy, HSTS: cert != nil, Hooks: hook.routes,
	})
	if err != nil {
		return &UsageError{Err: err}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another server running? choose another --addr)", opts.Addr, err)
	}
	scheme := "http"
	if cert != nil {
		scheme = "https"
	}
	fmt.Fprintf(opts.IO.Err, "gatehouse serve listening on %s://%s (claim store %s%s)\n", scheme, ln.Addr(), store.Path(), hook.where())
	if cert == nil && !isLoopback(ln.Addr()) {
		logger.Warn("serving plain HTTP on a non-loopback address: the API token gatehouse onboard sends crosses the network in clear, " +
			"so anyone on the path can read it and store or withdraw claims, and browsers decrypt claims only over HTTPS; " +
			"serve with --tls-cert and --tls-key, or keep serve on 127.0.0.1 behind an HTTPS proxy")
	}
	stopHook := hook.start(ctx)
	err = srv.Serve(ctx, ln, cert)
	stopHook()
	if err != nil {
		return fmt.Errorf("serving claim links: %w", err)
	}
	fmt.Fprintln(opts.IO.Err, "gatehouse serve stopped")
	return nil
}

// token is the API token: --token-file's first line, else the environment's.
// Without one, when serve hosts a hook (optional), the claims API gets a
// token nobody knows: it refuses every request, and the hook is served.
func (o *ServeOptions) token(optional bool) (string, error) {
	token, from := o.IO.getenv(claim.TokenEnv), claim.TokenEnv
	if o.TokenFile != "" {
		b, err := os.ReadFile(o.TokenFile)
		if err != nil {
			return "", fmt.Errorf("reading the API token: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		token, from = line, "--token-file "+o.TokenFile
	}
	token = strings.TrimSpace(token)
	if token == "" && optional {
		return unknownToken()
	}
	switch {
	case token == "":
		return "", fmt.Errorf("no API token: set %s or --token-file FILE (make a token with: openssl rand -base64 32); gatehouse onboard must present the same token", claim.TokenEnv)
	case len(token) < claim.MinTokenLength:
		return "", fmt.Errorf("the API token from %s is shorter than %d characters; make one with: openssl rand -base64 32", from, claim.MinTokenLength)
	}
	return token, nil
}

// certificate loads --tls-cert and --tls-key; nil without them.
func (o *ServeOptions) certificate() (*tls.Certificate, error) {
	if o.TLSCert == "" && o.TLSKey == "" {
		return nil, nil
	}
	if o.TLSCert == "" || o.TLSKey == "" {
		return nil, errors.New("give both --tls-cert and --tls-key, or neither")
	}
	cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("loading the TLS certificate (%s, %s): %w", o.TLSCert, o.TLSKey, err)
	}
	return &cert, nil
}

func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
