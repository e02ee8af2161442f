package sandbox

import (
	"net/http"
	"strings"
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
