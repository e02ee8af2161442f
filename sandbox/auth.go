package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// authenticate resolves who signed the request and, with --strict-auth, verifies
// the signature against the secret the sandbox knows for that key. Expired session
// keys and deactivated access keys are refused in every mode, as AWS refuses them.
func (s *Server) authenticate(c *call) error {
	s.world.RLock()
	caller, sess, cred := resolveCaller(s.world, c.sig.AccessKeyID)
	secret, token, known := "", "", false
	inactive := false
	switch {
	case sess != nil:
		secret, token, known = sess.SecretAccessKey, sess.SessionToken, true
	case cred != nil:
		secret, known = cred.SecretAccessKey, true
		inactive = keyInactive(s.world, cred)
	}
	expired := sess != nil && time.Now().After(sess.Expiration)
	s.world.RUnlock()
	c.req.Caller = caller

	if expired {
		return authError(c, "ExpiredToken", "The security token included in the request is expired")
	}
	if inactive {
		return authError(c, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if !s.opts.StrictAuth {
		s.recordKeyUse(c, cred)
		return nil
	}
	if !c.signed && c.req.HTTP.Header.Get("Authorization") == "" {
		return authError(c, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if !c.signed || c.sig.Signature == "" || len(c.sig.SignedHeaders) == 0 {
		return awsproto.Errorf(http.StatusBadRequest, "IncompleteSignature",
			"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=…, Signature=…")
	}
	if !known {
		return authError(c, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if sess != nil && sessionToken(c.req.HTTP) != token {
		return authError(c, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if !verifySignature(c.req.HTTP, c.req.Body, c.sig, secret) {
		return signatureError(c, http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	if err := checkSigningTime(c, time.Now()); err != nil {
		return err
	}
	s.recordKeyUse(c, cred)
	return nil
}

// recordKeyUse notes an authenticated use of a long-term key for
// GetAccessKeyLastUsed: the signing service name and region, as AWS reports them.
func (s *Server) recordKeyUse(c *call, cred *state.Credential) {
	if cred == nil {
		return
	}
	service := c.sig.Service
	if c.api != nil {
		service = c.api.Name
	}
	s.world.RecordKeyUse(cred.AccessKeyID, service, c.req.Region, time.Now())
}

func keyInactive(w *state.World, cred *state.Credential) bool {
	if cred.User == "" {
		return false
	}
	u, ok := iamstate.UserOfKey(w, cred)
	if !ok {
		return true
	}
	for _, k := range u.AccessKeys {
		if k.ID == cred.AccessKeyID {
			return k.Status != "Active"
		}
	}
	return true
}

func authError(c *call, code, msg string) *awsproto.Error {
	if c.api != nil && code == "InvalidClientTokenId" {
		code = c.api.Codec.UnrecognizedKeyCode()
	}
	return &awsproto.Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

// signatureError is a signature that does not hold: the Query services (IAM,
// STS, SES) answer SignatureDoesNotMatch, the JSON services (Secrets Manager,
// Organizations) InvalidSignatureException, which the AWS SDKs also read as a
// sign of clock skew.
func signatureError(c *call, status int, msg string) *awsproto.Error {
	if _, ok := c.codec().(awsproto.JSON); ok {
		return &awsproto.Error{Status: http.StatusBadRequest, Code: "InvalidSignatureException", Message: msg}
	}
	return &awsproto.Error{Status: status, Code: "SignatureDoesNotMatch", Message: msg}
}

func sessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
}

// verifySignature recomputes the SigV4 signature over exactly the headers the
// client says it signed and over the body as it arrived. X-Amz-Content-Sha256
// is not trusted: only S3 signs the hash the header states, and a header that
// stands for the body would let a captured request carry another one. The Go
// SDK and the AWS CLI sign these services' bodies; UNSIGNED-PAYLOAD is taken
// only for a presigned request without a body, as botocore presigns.
func verifySignature(r *http.Request, body []byte, sig signature, secret string) bool {
	amzDate := signedDate(r, sig)
	if len(amzDate) < 8 || amzDate[:8] != sig.Date {
		return false
	}
	sum := sha256.Sum256(body)
	payloads := []string{hex.EncodeToString(sum[:])}
	if sig.Presigned && len(body) == 0 {
		payloads = append(payloads, "UNSIGNED-PAYLOAD")
	}
	for _, payload := range payloads {
		if hmac.Equal([]byte(expectedSignature(r, sig, secret, amzDate, payload)), []byte(sig.Signature)) {
			return true
		}
	}
	return false
}

func expectedSignature(r *http.Request, sig signature, secret, amzDate, payload string) string {
	canonical := strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.EscapedPath()),
		canonicalQuery(r.URL.Query(), sig.Presigned),
		canonicalHeaders(r, sig.SignedHeaders),
		strings.Join(sig.SignedHeaders, ";"),
		payload,
	}, "\n")
	scope := strings.Join([]string{sig.Date, sig.Region, sig.Service, "aws4_request"}, "/")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), sig.Date)
	key = hmacSHA256(key, sig.Region)
	key = hmacSHA256(key, sig.Service)
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalURI encodes each segment of the already-escaped path once more, as
// SigV4 does for every service but S3.
func canonicalURI(escaped string) string {
	if escaped == "" {
		return "/"
	}
	segs := strings.Split(escaped, "/")
	for i, seg := range segs {
		segs[i] = uriEncode(seg)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery sorts the parameters by encoded name, then encoded value:
// SigV4 orders the encoded forms, which differ from the decoded order for
// characters such as '|' or '/'.
func canonicalQuery(q url.Values, presigned bool) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vals := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vals {
			pairs = append(pairs, pair{uriEncode(k), uriEncode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, h := range signed {
		var v string
		if h == "host" {
			v = r.Host
		} else {
			vals := r.Header.Values(h)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(h + ":" + v + "\n")
	}
	return b.String()
}

// uriEncode is SigV4's encoding: every byte but unreserved characters is %XX.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
