// Package slacktest runs a fake Slack Web API for tests: the four methods
// gatehouse calls (auth.test, users.lookupByEmail, conversations.open,
// chat.postMessage) with Slack's request rules and response shapes, a record
// of every call and every posted message, and faults on demand (rate limits,
// missing scopes, Slack's own errors).
//
// It is written from Slack's API documentation, not from gatehouse's client,
// so that the client's mistakes show: a request without the bearer token gets
// not_authed, a message to a channel that conversations.open did not return
// gets channel_not_found, a JSON body without a charset gets Slack's
// missing_charset warning (recorded in Call.Warnings).
package slacktest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the bot token a server accepts when Options.Token is empty.
const DefaultToken = "xoxb-1234567890-0987654321-slacktestToken"

// The workspace and bot the server answers as.
const (
	TeamID    = "T0GATEHOUSE"
	TeamName  = "Gatehouse Test"
	BotUserID = "U0GATEHOUSEBOT"
	BotID     = "B0GATEHOUSE"
)

// scopeOf is the bot token scope Slack requires for method; "" for none.
func scopeOf(method string) string {
	switch method {
	case "users.lookupByEmail":
		return "users:read.email"
	case "conversations.open":
		return "im:write"
	case "chat.postMessage":
		return "chat:write"
	}
	return ""
}

// Options configure a server.
type Options struct {
	// Token is the only bot token accepted; "" is DefaultToken.
	Token string
	// Members are the workspace's people: e-mail address → user ID ("U…").
	Members map[string]string
	// Scopes are the token's scopes; nil grants every scope the methods need
	// (users:read.email, im:write, chat:write). A method whose scope is
	// missing answers missing_scope with Slack's needed and provided fields.
	Scopes []string
	// Faults make the next calls of a method (by name, "chat.postMessage")
	// fail before any other check; see RateLimit.
	Faults map[string]Fault
}

// Fault makes the next Calls calls of a method fail.
type Fault struct {
	Calls int
	// Status is the HTTP status; 0 is 200. 429 answers as Slack's rate
	// limiter does: Retry-After: RetryAfter and error "ratelimited".
	Status     int
	RetryAfter int // seconds, sent with status 429
	// Error is the Slack error code of the ok:false answer ("internal_error",
	// "token_revoked"); empty: "ratelimited" for 429, else no JSON body at all
	// (a proxy's error page).
	Error string
	// Messages go in response_metadata.messages, as Slack explains
	// invalid_arguments.
	Messages []string
}

// RateLimit is the Fault that answers the next calls with HTTP 429 and
// Retry-After: retryAfter seconds.
func RateLimit(calls, retryAfter int) Fault {
	return Fault{Calls: calls, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// Call is one request the server answered.
type Call struct {
	Method      string    // "users.lookupByEmail"
	Time        time.Time // when the request arrived
	HTTPMethod  string    // GET | POST
	ContentType string
	Status      int      // the HTTP status answered
	Error       string   // the Slack error code answered; "" when ok
	Warnings    []string // Slack's warnings answered (missing_charset)
}

// Message is one message chat.postMessage accepted.
type Message struct {
	Channel string // the DM's ID ("D…")
	User    string // the member the DM is with
	Text    string // as sent: Slack mrkdwn, escaped (see Unescape)
	TS      string
	// Params are the other arguments as sent (mrkdwn, unfurl_links, …),
	// JSON values as strings ("true").
	Params map[string]string
}

// Server is a running fake Slack Web API.
type Server struct {
	srv     *httptest.Server
	token   string
	members map[string]string // lower-case e-mail → user ID
	emails  map[string]string // user ID → e-mail
	scopes  []string          // nil: all

	mu       sync.Mutex
	faults   map[string]Fault
	calls    []Call
	messages []Message
	dms      map[string]string // user ID → DM ID
	dmUsers  map[string]string // DM ID → user ID
	seq      int
}

// Start runs a server on a loopback port until the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{
		token: opts.Token, members: map[string]string{}, emails: map[string]string{}, scopes: opts.Scopes,
		faults: map[string]Fault{}, dms: map[string]string{}, dmUsers: map[string]string{},
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	for email, id := range opts.Members {
		s.members[strings.ToLower(email)] = id
		s.emails[id] = email
	}
	for method, f := range opts.Faults {
		s.faults[method] = f
	}
	s.srv = httptest.NewServer(s)
	tb.Cleanup(s.srv.Close)
	return s
}

// URL is the Web API's base address, ending in "/" like https://slack.com/api/.
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// SetFault replaces the fault of method.
func (s *Server) SetFault(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = f
}

// Calls lists the calls of method in arrival order; "" lists every call.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages lists the messages posted, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Unescape is mrkdwn text as a Slack client shows it: &amp;, &lt; and &gt;
// turned back into &, < and >.
func Unescape(text string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
}

// reply is an answer: an HTTP status, headers and Slack's JSON object.
type reply struct {
	status int
	header http.Header
	body   map[string]any // nil: a non-JSON error page
}

func ok(fields map[string]any) reply {
	body := map[string]any{"ok": true}
	for k, v := range fields {
		body[k] = v
	}
	return reply{status: http.StatusOK, body: body}
}

func fail(code string, messages ...string) reply {
	body := map[string]any{"ok": false, "error": code}
	if len(messages) > 0 {
		body["response_metadata"] = map[string]any{"messages": messages}
	}
	return reply{status: http.StatusOK, body: body}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: strings.TrimPrefix(r.URL.Path, "/api/"), Time: time.Now(), HTTPMethod: r.Method, ContentType: r.Header.Get("Content-Type")}
	rep := s.answer(r, &call)
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	call.Status = rep.status
	if rep.body != nil {
		call.Error, _ = rep.body["error"].(string)
		if len(call.Warnings) > 0 {
			rep.body["warning"] = strings.Join(call.Warnings, ",")
			meta, _ := rep.body["response_metadata"].(map[string]any)
			if meta == nil {
				meta = map[string]any{}
			}
			meta["warnings"] = call.Warnings
			rep.body["response_metadata"] = meta
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.body == nil {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte("<html><body>" + http.StatusText(rep.status) + "</body></html>"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body)
}

// answer checks the request as Slack does — faults, then parameters and
// token, then the method and its scope — and runs the method.
func (s *Server) answer(r *http.Request, call *Call) reply {
	if rep, ok := s.takeFault(call.Method); ok {
		return rep
	}
	params, token, code := readParams(r, call)
	if code != "" {
		return fail(code)
	}
	switch token {
	case "":
		return fail("not_authed")
	case s.token:
	default:
		return fail("invalid_auth")
	}
	run, known := map[string]func(map[string]string) reply{
		"auth.test":           s.authTest,
		"users.lookupByEmail": s.lookupByEmail,
		"conversations.open":  s.conversationsOpen,
		"chat.postMessage":    s.postMessage,
	}[call.Method]
	if !known {
		rep := fail("unknown_method")
		rep.status = http.StatusNotFound
		return rep
	}
	if need := scopeOf(call.Method); need != "" && s.scopes != nil && !slices.Contains(s.scopes, need) {
		rep := fail("missing_scope")
		rep.body["needed"], rep.body["provided"] = need, strings.Join(s.scopes, ",")
		return rep
	}
	return run(params)
}

func (s *Server) takeFault(method string) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[method]
	if !ok || f.Calls <= 0 {
		return reply{}, false
	}
	f.Calls--
	s.faults[method] = f
	rep := reply{status: f.Status}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	code := f.Error
	if rep.status == http.StatusTooManyRequests {
		rep.header = http.Header{"Retry-After": {itoa(f.RetryAfter)}}
		if code == "" {
			code = "ratelimited"
		}
	}
	if code != "" {
		rep.body = fail(code, f.Messages...).body
	}
	return rep, true
}
