package differential

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// awsDoc is what AWS documents for a check, and where.
type awsDoc struct {
	says string
	ref  string
}

// run is one scenario's pass against one endpoint.
type run struct {
	t       *testing.T
	ctx     context.Context
	target  string // "sandbox" or "moto"
	url     string
	rec     *scenarioRecord
	seen    map[string]string // sandbox outcomes by check, for the document
	sb      *sandboxtest.Sandbox
	Account string
	*clients
}

// clients are the SDK clients of one identity.
type clients struct {
	IAM     *iam.Client
	STS     *sts.Client
	SES     *ses.Client
	SESv2   *sesv2.Client
	Secrets *secretsmanager.Client
}

// abortMoto stops a moto pass whose set-up failed; the failure is recorded.
type abortMoto struct{}

// scenario runs body against the sandbox, then against moto. Checks on the
// sandbox fail the test; checks on moto record departures for the document.
func scenario(t *testing.T, title string, body func(r *run)) {
	t.Helper()
	t.Parallel()
	requireMoto(t)
	rec := &scenarioRecord{test: t.Name(), title: title}
	seen := map[string]string{}
	sb := sandboxtest.Start(t, sandbox.Options{})
	account := accountFor(t.Name())
	sr := &run{t: t, ctx: context.Background(), target: "sandbox", url: sb.URL, rec: rec, seen: seen, sb: sb, Account: account}
	sr.clients = sr.clientsFor(account)
	body(sr)
	if t.Failed() || t.Skipped() {
		return
	}
	mr := &run{t: t, ctx: context.Background(), target: "moto", url: moto.url, rec: rec, seen: seen, Account: account}
	mr.clients = mr.clientsFor(account)
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(abortMoto); !ok {
					panic(p)
				}
			}
		}()
		body(mr)
	}()
	for _, d := range rec.departures {
		t.Logf("moto departs from AWS: %s: AWS documents: %s; moto: %s", d.check, d.aws.says, d.moto)
	}
	record(rec)
}

// accountFor derives a stable 12-digit account from a test name, so messages
// that name accounts read the same in every run.
func accountFor(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return fmt.Sprintf("3%011d", h.Sum64()%100_000_000_000)
}

// onSandbox reports whether this pass runs against the sandbox.
func (r *run) onSandbox() bool { return r.target == "sandbox" }

// check records one comparison with AWS's documented behaviour and reports
// whether the endpoint matched it.
func (r *run) check(name string, doc awsDoc, ok bool, observed string) bool {
	r.t.Helper()
	return r.compare(name, doc, ok, observed, observed)
}

// compare is check with a shorter description of the sandbox's outcome for the
// document: the sandbox's column shows status and code, not message wording,
// so rewording a sandbox message does not make the document stale.
func (r *run) compare(name string, doc awsDoc, ok bool, observed, brief string) bool {
	r.t.Helper()
	if r.onSandbox() {
		r.seen[name] = brief
		if !ok {
			r.t.Errorf("sandbox departs from AWS: %s\n  AWS documents: %s (%s)\n  sandbox did:   %s", name, doc.says, doc.ref, observed)
		}
		return ok
	}
	r.rec.checks++
	if !ok {
		r.rec.departures = append(r.rec.departures, departure{check: name, aws: doc, moto: observed, sandbox: r.seen[name]})
	}
	return ok
}

// wantError checks that a call failed with the error code AWS documents.
func (r *run) wantError(name string, doc awsDoc, err error, code string) bool {
	r.t.Helper()
	r.lacks(err)
	return r.compare(name, doc, errorCode(err) == code, outcome(err), briefOutcome(err))
}

// wantSuccess checks that a call succeeded, as AWS documents it does.
func (r *run) wantSuccess(name string, doc awsDoc, err error) bool {
	r.t.Helper()
	r.lacks(err)
	return r.compare(name, doc, err == nil, outcome(err), briefOutcome(err))
}

// gate ends moto's pass when a check it just failed leaves the rest of the
// scenario meaningless there (a user deleted that should not have been, say).
// The sandbox's pass goes on: its failures are already reported.
func (r *run) gate(ok bool) {
	if ok || r.onSandbox() {
		return
	}
	last := &r.rec.departures[len(r.rec.departures)-1]
	last.check += " (the scenario stops here on moto)"
	panic(abortMoto{})
}

// must is a set-up step. On the sandbox a failure fails the test; on moto it is
// recorded as a departure (AWS documents the call succeeding) and ends moto's pass.
func (r *run) must(name string, err error) {
	r.t.Helper()
	if err == nil {
		return
	}
	r.lacks(err)
	if r.onSandbox() {
		r.t.Fatalf("set-up step %s failed on the sandbox: %v", name, err)
	}
	r.rec.checks++
	r.rec.departures = append(r.rec.departures, departure{
		check:   name + " (set-up; the scenario stops here on moto)",
		aws:     awsDoc{says: "the call succeeds", ref: setupRef(name)},
		moto:    outcome(err),
		sandbox: "succeeds",
	})
	panic(abortMoto{})
}

// lacks skips the scenario, and lists it as not yet compared, when the sandbox
// does not implement the action yet.
func (r *run) lacks(err error) {
	r.t.Helper()
	if !r.onSandbox() {
		return
	}
	switch errorCode(err) {
	case "InvalidAction", "UnknownOperationException", "UnknownService":
		r.rec.uncovered = "the sandbox answered " + outcome(err)
		record(r.rec)
		r.t.Skipf("the sandbox does not implement this yet: %v", err)
	}
}

// setupRef is the API reference page of an action named at the start of a step.
func setupRef(step string) string {
	action, _, _ := strings.Cut(step, " ")
	service := "IAM/latest/APIReference"
	switch {
	case strings.HasPrefix(action, "AssumeRole"):
		service = "STS/latest/APIReference"
	case strings.HasPrefix(action, "Send"), strings.HasPrefix(action, "Verify"):
		service = "ses/latest/APIReference"
	}
	return "https://docs.aws.amazon.com/" + service + "/API_" + action + ".html"
}

// errorCode is the AWS error code of err ("" for success or a non-API error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

var (
	awsIDs = regexp.MustCompile(`\b(AKIA|ASIA|AIDA|AGPA|AROA|ANPA|ACCA|APKA|ASCA)[A-Z0-9]{8,}\b`)
	uuids  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// outcome describes a call's result in words that do not change between runs.
func outcome(err error) string {
	if err == nil {
		return "succeeds"
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	hasStatus := errors.As(err, &re)
	if !errors.As(err, &ae) {
		if hasStatus {
			return fmt.Sprintf("HTTP %d with a body the SDK cannot read as an AWS error", re.HTTPStatusCode())
		}
		return "fails: " + stable(err.Error())
	}
	status := ""
	if hasStatus {
		status = fmt.Sprintf("HTTP %d ", re.HTTPStatusCode())
	}
	msg := stable(ae.ErrorMessage())
	if msg == "" {
		msg = "(no message)"
	}
	if len(msg) > 160 {
		msg = msg[:157] + "…"
	}
	return fmt.Sprintf("%s%s: %q", status, ae.ErrorCode(), msg)
}

// briefOutcome is outcome without the error message.
func briefOutcome(err error) string {
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) {
		return outcome(err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("HTTP %d %s", re.HTTPStatusCode(), ae.ErrorCode())
	}
	return ae.ErrorCode()
}

// stable replaces generated IDs, which differ from run to run.
func stable(s string) string {
	s = awsIDs.ReplaceAllString(s, "${1}…")
	return uuids.ReplaceAllString(s, "…")
}

// sharedHTTP is every client's transport.
var sharedHTTP = &http.Client{Transport: ownedBody{awshttp.NewBuildableClient().GetTransport()}, Timeout: 30 * time.Second}

// ownedBody gives net/http a request body of its own. smithy-go closes the
// request body as soon as the response headers arrive, racing net/http's
// writeLoop, which then closes the connection under the response: "use of
// closed network connection" (aws/aws-sdk-go-v2#2737), about once in a
// thousand requests under concurrency, with any server. The SDK's default
// retryer hides it by retrying; the suite keeps retries off, so that every AWS
// error reaches a check, and avoids the race instead.
type ownedBody struct{ next http.RoundTripper }

func (o ownedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return o.next.RoundTrip(r)
}

// clientsFor returns clients acting as the root of account (a 12-digit access key
// ID, which the sandbox reads; moto reads x-moto-account-id).
func (r *run) clientsFor(account string) *clients {
	return r.clientsWith(credentials.NewStaticCredentialsProvider(account, "differential-secret", ""), account)
}

// sessionClients acts with temporary credentials; moto finds their account itself.
func (r *run) sessionClients(id, secret, token string) *clients {
	return r.clientsWith(credentials.NewStaticCredentialsProvider(id, secret, token), "")
}

func (r *run) clientsWith(creds aws.CredentialsProvider, motoAccount string) *clients {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  creds,
		BaseEndpoint: aws.String(r.url),
		HTTPClient:   sharedHTTP,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	var opts []func(*middleware.Stack) error
	if r.target == "moto" && motoAccount != "" {
		opts = append(opts, accountHeader(motoAccount))
	}
	return &clients{
		IAM:     iam.NewFromConfig(cfg, func(o *iam.Options) { o.APIOptions = append(o.APIOptions, opts...) }),
		STS:     sts.NewFromConfig(cfg, func(o *sts.Options) { o.APIOptions = append(o.APIOptions, opts...) }),
		SES:     ses.NewFromConfig(cfg, func(o *ses.Options) { o.APIOptions = append(o.APIOptions, opts...) }),
		SESv2:   sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.APIOptions = append(o.APIOptions, opts...) }),
		Secrets: secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.APIOptions = append(o.APIOptions, opts...) }),
	}
}

// accountHeader sets x-moto-account-id, moto_server's way of choosing an account.
func accountHeader(account string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("MotoAccountID",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("x-moto-account-id", account)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
