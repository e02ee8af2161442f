package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// maxBody bounds a request body; AWS's own limits for these services are far lower.
const maxBody = 8 << 20

// call is a request on its way through the router.
type call struct {
	api    *awsproto.API // nil until routed
	req    *awsproto.Request
	sig    signature
	signed bool
}

// codec is the protocol the answer is written in: the API's, or, when no API
// takes the request, the one its client speaks.
func (c *call) codec() awsproto.Codec {
	if c.api == nil {
		return awsproto.Spoken(c.req)
	}
	return c.api.Codec
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
	switch {
	case err != nil:
		// Mostly the read timeout: the client stopped sending. SDKs retry RequestTimeout.
		s.writeError(w, c, awsproto.Errorf(http.StatusBadRequest, "RequestTimeout",
			"the request body did not arrive in full: %v", err))
		return
	case len(body) > maxBody:
		s.writeError(w, c, awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"the request body is larger than the sandbox's %d bytes", maxBody))
		return
	}
	c.req.Body = body
	c.sig, c.signed = parseSignature(r)
	if err := s.route(c); err != nil {
		s.writeError(w, c, err)
		return
	}
	op, found := c.api.Operations[c.req.Action]
	if err := s.authenticate(c); err != nil {
		s.count(c, op.Mutating, true)
		s.writeError(w, c, err)
		return
	}
	if !found {
		s.count(c, false, true)
		s.writeError(w, c, c.api.Codec.UnknownOperation(c.req.Action))
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
	c.api.Codec.WriteResult(w, c.req, result)
}

// route finds the API and action. Each API's codec scores the request (the
// SigV4 credential scope, X-Amz-Target or path name an API; an unsigned Query
// request is a guess by its action); the first API with the best score serves
// it and its codec decodes the action and parameters.
func (s *Server) route(c *call) error {
	c.req.SigningName = c.sig.Service
	c.req.Region = c.sig.Region
	if c.req.Region == "" {
		c.req.Region = "us-east-1"
	}
	best := 0
	for _, api := range s.apis {
		if score := api.Codec.Match(api, c.req); score > best {
			best, c.api = score, api
		}
	}
	if c.api == nil {
		r := c.req.HTTP
		return awsproto.Errorf(http.StatusBadRequest, "UnknownService",
			"the sandbox serves %s; this request names service %q (target %q, path %q)",
			s.served(), c.sig.Service, r.Header.Get("X-Amz-Target"), r.URL.Path)
	}
	c.req.Service = c.api.ID
	return c.api.Codec.Decode(c.req)
}

// served lists the APIs for an UnknownService message: "iam, sts and ses".
func (s *Server) served() string {
	ids := make([]string, len(s.apis))
	for i, api := range s.apis {
		ids[i] = api.ID
	}
	if len(ids) < 2 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
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
		return c.api.Codec.Throttling()
	case fault500:
		return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Receiver: true}
	case fault503:
		return &awsproto.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Service is unable to handle request.", Receiver: true}
	}
	return nil
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

func (s *Server) writeError(w http.ResponseWriter, c *call, err error) {
	e := awsproto.AsError(err)
	if e.Code == "InternalFailure" && err != e {
		s.log.Error("sandbox operation failed", "service", c.req.Service, "action", c.req.Action, "err", err)
	}
	c.codec().WriteError(w, c.req, e)
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
		if u, ok := iamstate.UserOfKey(w, cred); ok {
			caller.ARN = fmt.Sprintf("arn:aws:iam::%s:user%s%s", cred.Account, u.Path, u.Name)
			caller.UserID = u.ID
		}
		return caller, nil, cred
	}
	account := state.DefaultAccount
	if state.IsAccountID(keyID) {
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
