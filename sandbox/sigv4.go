package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// signature is what a SigV4-signed request says about itself.
type signature struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	Presigned     bool
}

// parseSignature reads the SigV4 Authorization header (or presigned query
// parameters). ok is false for an unsigned request.
func parseSignature(r *http.Request) (sig signature, ok bool) {
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		for _, part := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ",") {
			k, v, found := strings.Cut(strings.TrimSpace(part), "=")
			if !found {
				continue
			}
			switch k {
			case "Credential":
				sig.setScope(v)
			case "SignedHeaders":
				sig.SignedHeaders = strings.Split(v, ";")
			case "Signature":
				sig.Signature = v
			}
		}
		return sig, sig.AccessKeyID != ""
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" {
		sig.setScope(q.Get("X-Amz-Credential"))
		sig.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
		sig.Signature = q.Get("X-Amz-Signature")
		sig.Presigned = true
		return sig, sig.AccessKeyID != ""
	}
	return sig, false
}

// setScope splits AKID/DATE/REGION/SERVICE/aws4_request.
func (s *signature) setScope(cred string) {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
}

// signedDate is the X-Amz-Date the request was signed with.
func signedDate(r *http.Request, sig signature) string {
	if sig.Presigned {
		return r.URL.Query().Get("X-Amz-Date")
	}
	return r.Header.Get("X-Amz-Date")
}

// maxSkew is how far AWS lets a signature's time be from its own clock.
const maxSkew = 15 * time.Minute

// checkSigningTime refuses a request signed more than 15 minutes from now,
// as AWS does, so a captured request cannot be replayed later; a presigned
// one is good from its date until X-Amz-Expires seconds after it (15 minutes
// when it does not say). The
// messages are AWS's, which the SDKs' clock-skew correction recognises.
func checkSigningTime(c *call, now time.Time) error {
	r := c.req.HTTP
	raw := signedDate(r, c.sig)
	at, err := time.Parse(amzDateFormat, raw)
	if err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "IncompleteSignature",
			"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", raw)
	}
	now = now.UTC()
	window, unit := maxSkew, "15 min."
	if expires := r.URL.Query().Get("X-Amz-Expires"); c.sig.Presigned && expires != "" {
		secs, err := strconv.Atoi(expires)
		if err != nil || secs < 1 || secs > 604800 {
			return awsproto.Errorf(http.StatusBadRequest, "IncompleteSignature",
				"X-Amz-Expires must be a number of seconds from 1 to 604800 in a presigned request")
		}
		window, unit = time.Duration(secs)*time.Second, strconv.Itoa(secs)+" sec."
	}
	if earliest := now.Add(-window); at.Before(earliest) {
		return signatureError(c, http.StatusForbidden, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			raw, earliest.Format(amzDateFormat), now.Format(amzDateFormat), unit))
	}
	if latest := now.Add(maxSkew); at.After(latest) {
		return signatureError(c, http.StatusForbidden, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			raw, latest.Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	return nil
}

const amzDateFormat = "20060102T150405Z"
