package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// maxBody bounds a request body; AWS's own limits for these services are far lower.
const maxBody = 8 << 20

var twelveDigits = regexp.MustCompile(`^[0-9]{12}$`)

// call is a request on its way through the router.
type call struct {
	svc    *awsproto.Service
	req    *awsproto.Request
	sig    signature
	signed bool
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	c := &call{req: &awsproto.Request{Ctx: r.Context(), HTTP: r, RequestID: reqID, World: s.world}}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("sandbox handler panicked", "service", c.req.Service, "action", c.req.Action, "panic", fmt.Sprint(p))
			s.writeError(w, c, awsproto.InternalFailure())
		}
	}()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		s.writeError(w, c, awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"the request body is unreadable or larger than the sandbox's %d bytes", maxBody))
		return
	}
	c.req.Body = body
	c.sig, c.signed = parseSignature(r)
	if err := s.route(c); err != nil {
		s.writeError(w, c, err)
		return
	}
	op, found := c.svc.Operations[c.req.Action]
	if err := s.authenticate(c); err != nil {
		s.count(c, op.Mutating, true)
		s.writeError(w, c, err)
		return
	}
	if !found {
		s.count(c, false, true)
		s.writeError(w, c, unknownOperation(c))
		return
	}
	if fault := s.applyFaults(c); fault != nil {
		s.count(c, op.Mutating, true)
		s.writeError(w, c, fault)
		return
	}
	result, err := s.run(c, op)
	s.count(c, op.Mutating, err != nil)
	if err != nil {
		s.writeError(w, c, err)
		return
	}
	s.writeResult(w, c, result)
}

// route finds the service and action: the SigV4 credential scope names the
// service, X-Amz-Target names JSON actions, the path names REST actions and the
// Action parameter names Query actions.
func (s *Server) route(c *call) error {
	r := c.req.HTTP
	target := r.Header.Get("X-Amz-Target")
	name := c.sig.Service
	c.req.Region = c.sig.Region
	if c.req.Region == "" {
		c.req.Region = "us-east-1"
	}
	for _, svc := range s.services {
		if !s.serviceMatches(svc, name, target, r.URL.EscapedPath()) {
			continue
		}
		c.svc = svc
		c.req.Service = svc.ID
		return s.routeAction(c, target)
	}
	if name == "" && target == "" {
		if matched, err := s.routeUnsigned(c); matched || err != nil {
			return err
		}
	}
	return awsproto.Errorf(http.StatusBadRequest, "UnknownService",
		"the sandbox serves iam, sts, ses, sesv2, secretsmanager and organizations; this request names service %q (target %q, path %q)", name, target, r.URL.Path)
}

func (s *Server) serviceMatches(svc *awsproto.Service, name, target, path string) bool {
	switch svc.Protocol {
	case awsproto.JSON:
		prefix, _, _ := strings.Cut(target, ".")
		return target != "" && prefix == svc.TargetPrefix
	case awsproto.RESTJSON:
		return (name == "" || name == svc.Name) && target == "" && svc.Route != nil && routes(svc, path)
	default:
		return name == svc.Name && target == ""
	}
}

func routes(svc *awsproto.Service, path string) bool {
	_, _, ok := svc.Route(http.MethodGet, path)
	if ok {
		return true
	}
	_, _, ok = svc.Route(http.MethodPost, path)
	return ok
}

func (s *Server) routeAction(c *call, target string) error {
	r := c.req.HTTP
	switch c.svc.Protocol {
	case awsproto.JSON:
		_, c.req.Action, _ = strings.Cut(target, ".")
		return nil
	case awsproto.RESTJSON:
		action, pathParams, ok := c.svc.Route(r.Method, r.URL.EscapedPath())
		if !ok {
			return awsproto.Errorf(http.StatusNotFound, "UnknownOperationException", "no %s operation at %s %s", c.svc.ID, r.Method, r.URL.Path)
		}
		c.req.Action, c.req.PathParams = action, pathParams
		return nil
	}
	params, err := awsproto.ParseQuery(r, c.req.Body)
	if err != nil {
		return err
	}
	return queryAction(c, params)
}

// queryAction takes a Query request's action and checks its API version.
func queryAction(c *call, params awsproto.Params) error {
	c.req.Params = params
	c.req.Action = params.Get("Action")
	if c.req.Action == "" {
		return awsproto.MissingParameter("Action")
	}
	if v := params.Get("Version"); v != "" && v != c.svc.Version {
		return awsproto.InvalidAction(c.req.Action, v)
	}
	return nil
}

// routeUnsigned finds the Query service of an unsigned request (which names no
// service) by its action and API version: both matching is best, then the
// action alone, then the version alone (so an unknown action gets that
// service's InvalidAction). matched is false when no service fits.
func (s *Server) routeUnsigned(c *call) (matched bool, err error) {
	params, err := awsproto.ParseQuery(c.req.HTTP, c.req.Body)
	if err != nil {
		return false, err
	}
	action, version := params.Get("Action"), params.Get("Version")
	best := 0
	for _, svc := range s.services {
		if svc.Protocol != awsproto.Query {
			continue
		}
		score := 0
		if _, ok := svc.Operations[action]; ok {
			score += 2
		}
		if version != "" && version == svc.Version {
			score++
		}
		if score > best {
			best, c.svc = score, svc
		}
	}
	if c.svc == nil {
		return false, nil
	}
	c.req.Service = c.svc.ID
	return true, queryAction(c, params)
}

func unknownOperation(c *call) error {
	switch c.svc.Protocol {
	case awsproto.Query:
		return awsproto.InvalidAction(c.req.Action, c.svc.Version)
	default:
		return awsproto.Errorf(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", c.req.Action)
	}
}

// applyFaults sleeps for the injected latency and returns the injected error, if any.
func (s *Server) applyFaults(c *call) error {
	delay, kind := s.faults.decide(c.req.Caller.Account)
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-c.req.Ctx.Done():
			t.Stop()
		}
	}
	switch kind {
	case faultThrottle:
		return throttlingError(c.svc.Protocol)
	case fault500:
		return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Receiver: true}
	case fault503:
		return &awsproto.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Service is unable to handle request.", Receiver: true}
	}
	return nil
}

// throttlingError is each protocol's real throttling answer, which SDK retryers recognise.
func throttlingError(p awsproto.Protocol) *awsproto.Error {
	switch p {
	case awsproto.JSON:
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
	case awsproto.RESTJSON:
		return &awsproto.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Too Many Requests"}
	}
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// run executes the operation under the world's lock and, for a successful
// mutation, waits until the state holding it is on disk.
func (s *Server) run(c *call, op awsproto.Operation) (any, error) {
	var (
		result any
		err    error
	)
	if op.Mutating || op.Writes {
		s.world.Lock()
		result, err = op.Handle(c.req)
		s.world.Unlock()
		if err == nil && s.store != nil {
			if perr := s.store.commit(); perr != nil {
				s.log.Error("persisting sandbox state", "err", perr)
				return nil, awsproto.InternalFailure()
			}
		}
		return result, err
	}
	s.world.RLock()
	defer s.world.RUnlock()
	return op.Handle(c.req)
}

func (s *Server) count(c *call, mutating, failed bool) {
	s.counts.add(c.req.Caller.Account, c.req.Service, c.req.Action, mutating, failed)
	s.log.Debug("request", "account", c.req.Caller.Account, "service", c.req.Service, "action", c.req.Action, "failed", failed)
}

func (s *Server) writeResult(w http.ResponseWriter, c *call, result any) {
	switch c.svc.Protocol {
	case awsproto.JSON:
		awsproto.WriteJSON(w, c.req.RequestID, result)
	case awsproto.RESTJSON:
		awsproto.WriteRESTJSON(w, c.req.RequestID, http.StatusOK, result)
	default:
		awsproto.WriteQueryResponse(w, c.svc.Namespace, c.req.Action, c.req.RequestID, result)
	}
}

func (s *Server) writeError(w http.ResponseWriter, c *call, err error) {
	e := awsproto.AsError(err)
	if e.Code == "InternalFailure" && err != e {
		s.log.Error("sandbox operation failed", "service", c.req.Service, "action", c.req.Action, "err", err)
	}
	if c.svc == nil {
		awsproto.WriteQueryError(w, "", c.req.RequestID, e)
		return
	}
	switch c.svc.Protocol {
	case awsproto.JSON:
		awsproto.WriteJSONError(w, c.req.RequestID, e)
	case awsproto.RESTJSON:
		awsproto.WriteRESTJSONError(w, c.req.RequestID, e)
	default:
		awsproto.WriteQueryError(w, c.svc.Namespace, c.req.RequestID, e)
	}
}

// resolveCaller maps the signing key to an account and identity: session keys and
// keys created in the sandbox map to their owner, a 12-digit key ID means that
// account's root, and any other key means the default account's root.
func resolveCaller(w *state.World, keyID string) (awsproto.Caller, *state.Session, *state.Credential) {
	if sess, ok := w.Sessions[keyID]; ok {
		return awsproto.Caller{
			Account: sess.Account, AccessKeyID: keyID,
			ARN:    fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", sess.Account, sess.RoleName, sess.SessionName),
			UserID: sess.RoleID + ":" + sess.SessionName,
		}, sess, nil
	}
	if cred, ok := w.Credentials[keyID]; ok {
		caller := rootCaller(cred.Account, keyID)
		if cred.User != "" {
			if u, ok := w.LookupAccount(cred.Account).Users.Get(cred.User); ok {
				caller.ARN = fmt.Sprintf("arn:aws:iam::%s:user%s%s", cred.Account, u.Path, u.Name)
				caller.UserID = u.ID
			}
		}
		return caller, nil, cred
	}
	account := state.DefaultAccount
	if twelveDigits.MatchString(keyID) {
		account = keyID
	}
	return rootCaller(account, keyID), nil, nil
}

func rootCaller(account, keyID string) awsproto.Caller {
	return awsproto.Caller{Account: account, AccessKeyID: keyID, ARN: "arn:aws:iam::" + account + ":root", UserID: account}
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
