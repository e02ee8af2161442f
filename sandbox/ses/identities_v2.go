package ses

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// routeV2 maps SESv2 paths to actions; it claims nothing outside /v2/email/.
// ListEmailIdentities has two bindings: GET /v2/email/identities in the older
// model (botocore, the AWS CLI) and POST /v2/email/list-identities with a JSON
// body and filters in the newer one (recent SDKs).
func routeV2(method, path string) (string, map[string]string, bool) {
	rest, ok := strings.CutPrefix(path, "/v2/email/")
	if !ok {
		return "", nil, false
	}
	switch {
	case rest == "outbound-emails" && method == http.MethodPost:
		return "SendEmail", nil, true
	case rest == "identities" && method == http.MethodPost:
		return "CreateEmailIdentity", nil, true
	case rest == "identities" && method == http.MethodGet, rest == "list-identities" && method == http.MethodPost:
		return "ListEmailIdentities", nil, true
	case rest == "account" && method == http.MethodGet:
		return "GetAccount", nil, true
	}
	id, ok := strings.CutPrefix(rest, "identities/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", nil, false
	}
	if unescaped, err := url.PathUnescape(id); err == nil {
		id = unescaped
	}
	params := map[string]string{"EmailIdentity": id}
	switch method {
	case http.MethodGet:
		return "GetEmailIdentity", params, true
	case http.MethodDelete:
		return "DeleteEmailIdentity", params, true
	}
	return "", nil, false
}

type tagJSON struct {
	Key   string
	Value string
}

type createIdentityRequest struct {
	EmailIdentity         string
	Tags                  []tagJSON
	DkimSigningAttributes json.RawMessage
	ConfigurationSetName  *string
}

type dkimJSON struct {
	SigningEnabled             bool
	Status                     string
	Tokens                     []string
	SigningAttributesOrigin    string
	NextSigningKeyLength       string              `json:",omitempty"`
	CurrentSigningKeyLength    string              `json:",omitempty"`
	LastKeyGenerationTimestamp *awsproto.EpochTime `json:",omitempty"`
}

type createIdentityResponse struct {
	IdentityType             string
	VerifiedForSendingStatus bool
	DkimAttributes           dkimJSON
}

func createEmailIdentity(r *awsproto.Request) (any, error) {
	var in createIdentityRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	typ, err := v2IdentityType(in.EmailIdentity)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, badRequest("Invalid tag %q: keys are 1 to 128 characters, values at most 256.", t.Key)
		}
	}
	if len(in.DkimSigningAttributes) > 0 {
		return nil, badRequest("The sandbox supports Easy DKIM only; DkimSigningAttributes (BYODKIM) is not supported.")
	}
	if in.ConfigurationSetName != nil {
		return nil, notFound("Configuration set %s does not exist.", *in.ConfigurationSetName)
	}
	if _, exists := identitiesIn(r)[strings.ToLower(in.EmailIdentity)]; exists {
		return nil, awsproto.Errorf(http.StatusBadRequest, "AlreadyExistsException", "Email identity %s already exist.", in.EmailIdentity)
	}
	id := putVerified(r, in.EmailIdentity, typ)
	return createIdentityResponse{IdentityType: v2Type(id.Type), VerifiedForSendingStatus: true, DkimAttributes: dkim(r, id)}, nil
}

// v2IdentityType tells an address from a domain and validates it.
func v2IdentityType(name string) (string, error) {
	switch {
	case name == "":
		return "", badRequest("EmailIdentity is required.")
	case strings.Contains(name, "@"):
		if !validEmail(name) {
			return "", badRequest("Invalid email address %s.", name)
		}
		return typeEmail, nil
	case !validDomain(name):
		return "", badRequest("Invalid domain name %s.", name)
	}
	return typeDomain, nil
}

func v2Type(t string) string {
	if t == typeDomain {
		return "DOMAIN"
	}
	return "EMAIL_ADDRESS"
}

func v2Status(id *identity) string {
	if id.Verified {
		return "SUCCESS"
	}
	return "PENDING"
}

// dkim is a domain's Easy DKIM state (verified with the domain) or an address's
// (which signs with its domain's keys, so has none of its own).
func dkim(r *awsproto.Request, id *identity) dkimJSON {
	if id.Type != typeDomain {
		return dkimJSON{Status: "NOT_STARTED", Tokens: []string{}, SigningAttributesOrigin: "AWS_SES"}
	}
	created := awsproto.EpochTime(id.Created)
	return dkimJSON{
		SigningEnabled: true, Status: v2Status(id), Tokens: dkimTokens(r.Caller.Account, r.Region, id.Identity),
		SigningAttributesOrigin: "AWS_SES", NextSigningKeyLength: "RSA_2048_BIT", CurrentSigningKeyLength: "RSA_2048_BIT",
		LastKeyGenerationTimestamp: &created,
	}
}

type verificationInfo struct {
	LastCheckedTimestamp awsproto.EpochTime
	LastSuccessTimestamp *awsproto.EpochTime `json:",omitempty"`
}

type getIdentityResponse struct {
	IdentityType             string
	FeedbackForwardingStatus bool
	VerifiedForSendingStatus bool
	DkimAttributes           dkimJSON
	Policies                 map[string]string
	Tags                     []tagJSON
	VerificationStatus       string
	VerificationInfo         verificationInfo
}

func getEmailIdentity(r *awsproto.Request) (any, error) {
	name := r.PathParams["EmailIdentity"]
	id, ok := identitiesIn(r)[strings.ToLower(name)]
	if !ok {
		return nil, notFound("Email identity %s does not exist.", name)
	}
	created := awsproto.EpochTime(id.Created)
	info := verificationInfo{LastCheckedTimestamp: created}
	if id.Verified {
		info.LastSuccessTimestamp = &created
	}
	return getIdentityResponse{
		IdentityType: v2Type(id.Type), FeedbackForwardingStatus: true, VerifiedForSendingStatus: id.Verified,
		DkimAttributes: dkim(r, id), Policies: map[string]string{}, Tags: []tagJSON{},
		VerificationStatus: v2Status(id), VerificationInfo: info,
	}, nil
}

type identityInfo struct {
	IdentityType       string
	IdentityName       string
	SendingEnabled     bool
	VerificationStatus string
}

type listIdentitiesResponse struct {
	EmailIdentities []identityInfo
	NextToken       string `json:",omitempty"`
}

type listIdentitiesRequest struct {
	Filter    map[string]string
	NextToken *string
	PageSize  *int
}

func listEmailIdentities(r *awsproto.Request) (any, error) {
	in, err := readListRequest(r)
	if err != nil {
		return nil, err
	}
	size := defaultPageSize
	if n := in.PageSize; n != nil {
		if *n < 0 || *n > maxPageSize {
			return nil, badRequest("PageSize must be a number from 0 to %d.", maxPageSize)
		}
		if *n > 0 {
			size = *n
		}
	}
	keep, err := identityFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	start, err := decodeToken(deref(in.NextToken), badRequest)
	if err != nil {
		return nil, err
	}
	page, next := pageIdentities(identitiesIn(r), start, size, keep)
	out := listIdentitiesResponse{EmailIdentities: make([]identityInfo, len(page)), NextToken: next}
	for i, id := range page {
		out.EmailIdentities[i] = identityInfo{IdentityType: v2Type(id.Type), IdentityName: id.Identity, SendingEnabled: id.Verified, VerificationStatus: v2Status(id)}
	}
	return out, nil
}

// readListRequest reads the JSON body (POST binding) or the query string (GET).
func readListRequest(r *awsproto.Request) (listIdentitiesRequest, error) {
	var in listIdentitiesRequest
	if r.HTTP.Method == http.MethodPost {
		return in, awsproto.DecodeJSON(r.Body, &in)
	}
	q := r.HTTP.URL.Query()
	if q.Has("NextToken") {
		token := q.Get("NextToken")
		in.NextToken = &token
	}
	if s := q.Get("PageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return in, badRequest("PageSize must be a number from 0 to %d.", maxPageSize)
		}
		in.PageSize = &n
	}
	return in, nil
}

// identityFilter applies ListEmailIdentities' filters: a substring of the name,
// the identity type and the verification status.
func identityFilter(filter map[string]string) (func(*identity) bool, error) {
	for key := range filter {
		if key != "IDENTITY_NAME_CONTAINS" && key != "IDENTITY_TYPE" && key != "VERIFICATION_STATUS" {
			return nil, badRequest("Invalid filter key %s: use IDENTITY_NAME_CONTAINS, IDENTITY_TYPE or VERIFICATION_STATUS.", key)
		}
	}
	return func(id *identity) bool {
		if s, ok := filter["IDENTITY_NAME_CONTAINS"]; ok && !strings.Contains(strings.ToLower(id.Identity), strings.ToLower(s)) {
			return false
		}
		if s, ok := filter["IDENTITY_TYPE"]; ok && s != v2Type(id.Type) {
			return false
		}
		if s, ok := filter["VERIFICATION_STATUS"]; ok && s != v2Status(id) {
			return false
		}
		return true
	}, nil
}

func deleteEmailIdentity(r *awsproto.Request) (any, error) {
	name := r.PathParams["EmailIdentity"]
	ids := identitiesIn(r)
	if _, ok := ids[strings.ToLower(name)]; !ok {
		return nil, notFound("Email identity %s does not exist.", name)
	}
	delete(identitiesFor(r), strings.ToLower(name))
	return nil, nil
}
